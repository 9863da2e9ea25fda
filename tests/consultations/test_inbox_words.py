"""The inbox in Chinese (issue 21): a message's kind and the channels of an answer by their
names, not the platforms' codes ("来自咨询人 (question)", "email: 可用" were shown)."""

import pytest

from archivox.consultations import services
from archivox.core.models import Role
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


def test_the_consultation_page_names_kinds_and_channels(client):
    archive = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    staff = UserFactory(username="wang")
    membership_grant(actor=None, archive=archive, user=staff, role=Role.ARCHIVIST)
    receipt = services.consultation_ask(
        archive=archive, name="", email="p@example.org", question="能查家谱吗？"
    )
    client.force_login(staff)
    page = client.get(f"/console/inbox/{receipt.consultation.pk}/").content.decode()
    assert "(网站提问)" in page and "(question)" not in page
    assert "电子邮件: " in page or "电子邮件：" in page
    assert "<li>email:" not in page and ">email<" not in page
