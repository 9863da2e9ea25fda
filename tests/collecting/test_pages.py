"""The collecting pages: the public's form and tracking page, and the console's review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archivox.catalog.models import Access
from archivox.collecting import services
from archivox.collecting.models import Offer
from tests.collecting.conftest import photo
from tests.collecting.test_offers import offer_photos

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def form(**overrides):
    values = {
        "title": "父亲的工作证",
        "story": "父亲在南京长江大桥工地工作时的证件。",
        "transfer": "donation",
        "name": "张伟",
        "contact": "13800000000",
        "consent": "1",
        "files": [SimpleUploadedFile("card.jpg", photo(), content_type="image/jpeg")],
    }
    values.update(overrides)
    return values


@pytest.mark.chinese
def test_the_campaign_page_is_in_chinese_with_its_terms(client, nanjing):
    page = client.get("/archives/nanjing/collecting/family-photos/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    text = page.content.decode()
    assert page.status_code == 200
    assert "南京老照片·家庭记忆征集" in text and "捐赠" in text
    assert "提交" in text or "发送" in text


def test_an_offer_from_the_form_leads_to_the_persons_tracking_page(client, nanjing):
    response = client.post("/archives/nanjing/collecting/family-photos/", form())
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert response["Location"] == f"/archives/nanjing/collecting/offers/{offer.token}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "awaiting review" in page.content.decode()


def test_a_bad_offer_keeps_what_was_typed_and_says_what_is_wrong(client, nanjing):
    response = client.post(
        "/archives/nanjing/collecting/family-photos/",
        form(contact="no", consent="", files=[SimpleUploadedFile("x.jpg", b"not a picture")]),
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert 'value="父亲的工作证"' in text and "南京长江大桥" in text and 'value="no"' in text
    assert "x.jpg is not a picture" in text
    assert "confirm that you agree" in text
    assert not Offer.objects.exists()


def test_the_person_reads_why_the_offer_was_declined(client, nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    services.offer_decline(actor=nanjing["archivist"], offer=offer, message="与馆藏重复。")
    page = client.get(f"/archives/nanjing/collecting/offers/{offer.token}/")
    assert "与馆藏重复。" in page.content.decode()
    assert client.get("/archives/nanjing/collecting/offers/unknown/").status_code == 404
    assert client.get(f"/archives/suzhou/collecting/offers/{offer.token}/").status_code == 404


def test_the_person_answers_a_question_on_the_tracking_page(client, nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    services.offer_ask(actor=nanjing["archivist"], offer=offer, message="拍摄地点在哪里？")
    url = f"/archives/nanjing/collecting/offers/{offer.token}/"
    assert client.post(url, {"reply": ""}).status_code == 400
    assert client.post(url, {"reply": "在中山陵。"}).status_code == 302
    assert Offer.objects.get().status == Offer.Status.SUBMITTED


def test_staff_review_accession_deed_and_originals_in_the_console(client, nanjing):
    offer = offer_photos(nanjing["campaign"], count=2)
    assert client.get("/console/collecting/nanjing/").status_code == 302  # not logged in
    client.login(username="wang", password=PASSWORD)
    listing = client.get("/console/collecting/nanjing/")
    assert "我家的老照片" in listing.content.decode()
    base = f"/console/collecting/nanjing/offers/{offer.pk}/"
    assert "李秀英" in client.get(base).content.decode()
    assert client.get(base + "deed.pdf").status_code == 403  # not accepted yet
    client.post(base + "decide/", {"decision": "accept"})
    deed = client.get(base + "deed.pdf")
    assert deed.status_code == 200 and deed.content.startswith(b"%PDF")
    first = offer.files.first()
    original = client.get(f"/console/collecting/nanjing/files/{first.pk}/")
    assert original["Content-Type"] == "image/jpeg" and original["Content-Security-Policy"]
    response = client.post(base + "accession/", {"access_level": Access.CONFIDENTIAL})
    assert response.status_code == 302 and "/console/catalog/nanjing/d/" in response["Location"]
    assert Offer.objects.get().status == Offer.Status.ACCESSIONED


def test_another_archives_staff_cannot_see_the_offers(client, nanjing):
    from archivox.core import services as core_services
    from archivox.core.models import Role
    from tests.factories import ArchiveFactory, UserFactory

    suzhou = ArchiveFactory(slug="suzhou")
    other = UserFactory(username="zhou")
    core_services.membership_grant(actor=None, archive=suzhou, user=other, role=Role.ARCHIVIST)
    offer = offer_photos(nanjing["campaign"], count=1)
    client.login(username="zhou", password=PASSWORD)
    assert client.get("/console/collecting/nanjing/").status_code == 403
    assert client.get(f"/console/collecting/nanjing/offers/{offer.pk}/").status_code == 403


def test_an_archivist_starts_a_campaign_and_a_bad_form_keeps_what_was_typed(client, nanjing):
    client.login(username="wang", password=PASSWORD)
    values = {
        "title": "长江大桥建设者口述征集",
        "slug": "",
        "summary": "征集建设者的回忆和老物件。",
        "terms": "捐赠或寄存。",
        "rights": "依法保护个人信息。",
        "starts_on": "2026-12-01",
        "ends_on": "2026-11-01",
        "is_open": "on",
    }
    response = client.post("/console/collecting/nanjing/campaigns/new/", values)
    text = response.content.decode()
    assert response.status_code == 400
    assert "长江大桥建设者口述征集" in text and "The campaign ends before it starts." in text
    values.update(slug="bridge", ends_on="2027-06-30")
    response = client.post("/console/collecting/nanjing/campaigns/new/", values)
    assert response.status_code == 302
    campaign = nanjing["archive"].collecting_campaigns.get(slug="bridge")
    assert (
        campaign.is_open and client.get("/archives/nanjing/collecting/bridge/").status_code == 200
    )
    edit = client.post(
        f"/console/collecting/nanjing/campaigns/{campaign.pk}/", values | {"is_open": ""}
    )
    assert edit.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.is_open
