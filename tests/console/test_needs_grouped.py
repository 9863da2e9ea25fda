"""The dashboard's "what needs me now" (issue 21): the same thing waiting in several archives
is one line naming each archive, and a question not yet answered is listed before it is late."""

import pytest

from archivox.consultations import services as consultations
from archivox.core.models import Role
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


def test_one_line_for_the_same_thing_in_many_archives_and_the_unanswered_question(client):
    chief = UserFactory(username="chief")
    archives = [ArchiveFactory(slug=f"city{n}", name_zh=f"第{n}市档案馆") for n in range(1, 4)]
    for archive in archives:
        membership_grant(actor=None, archive=archive, user=chief, role=Role.ADMINISTRATOR)
        membership_grant(actor=None, archive=archive, user=chief, role=Role.ARCHIVIST)
    consultations.consultation_ask(
        archive=archives[0], name="", email="p@example.org", question="能查家谱吗？"
    )
    client.force_login(chief)
    page = client.get("/console/").content.decode()
    section = page[page.index('class="needs-me"') :]
    assert section.count("尚未设置微信公众号。") == 1
    for archive in archives:
        assert archive.name_zh in section
    assert "1 条咨询等待答复。" in section
