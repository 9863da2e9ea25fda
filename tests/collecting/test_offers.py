"""Collecting from the public, as a specification: an offer with its files, the review the
person follows, the deed of gift, and accession into the catalog as drafts."""

import io

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Access, Description, DigitalObject
from archivox.collecting import services
from archivox.collecting.deed import deed_of_gift_pdf
from archivox.collecting.models import Offer, OfferFile
from archivox.collecting.personal_data import offers_export, offers_purge
from archivox.core.models import AuditEntry
from tests.collecting.conftest import photo, wav
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def offer_photos(campaign, count=3, **overrides):
    values = {
        "campaign": campaign,
        "title": "我家的老照片",
        "story": "1950年代祖父在新街口照相馆拍的全家福。",
        "date_expression": "约1956年",
        "place": "南京新街口",
        "transfer": Offer.Transfer.DONATION,
        "name": "李秀英",
        "contact": "li.xiuying@example.com",
        "consent": True,
        "files": [(f"IMG_{n}.jpg", photo()) for n in range(count)],
    }
    values.update(overrides)
    return services.offer_submit(**values)


def test_three_family_photos_are_accepted_and_become_draft_descriptions_with_objects(nanjing):
    offer = offer_photos(nanjing["campaign"])
    assert offer.status == Offer.Status.SUBMITTED and offer.files.count() == 3
    services.offer_accept(actor=nanjing["archivist"], offer=offer)

    record = services.offer_accession(
        actor=nanjing["archivist"], offer=offer, access_level=Access.CONFIDENTIAL
    )

    items = list(record.children.order_by("reference_code"))
    assert [item.level for item in items] == ["item"] * 3
    assert all(item.digital_objects.count() == 1 for item in items)
    assert record.parent.reference_code == "ZJ-family-photos"
    assert "经“南京老照片·家庭记忆征集”征集" in record.scope_content
    assert "新街口照相馆" in record.scope_content
    # Drafts: nothing of it reaches the public.
    public = catalog_selectors.description_list_public(archive=nanjing["archive"])
    assert not public.filter(pk__in=[record.pk, *(item.pk for item in items)]).exists()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCESSIONED and offer.access_level == Access.CONFIDENTIAL
    assert all(f.description_id and f.digital_object_id for f in offer.files.all())
    assert AuditEntry.objects.filter(action="offer.accession", object_id=str(offer.pk)).exists()


def test_the_public_copies_of_accessioned_photos_lose_their_gps_position(nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    services.offer_accept(actor=nanjing["archivist"], offer=offer)
    services.offer_accession(actor=nanjing["archivist"], offer=offer, access_level=Access.OPEN)
    digital_object = DigitalObject.objects.get()
    with digital_object.file.open("rb") as original:
        assert Image.open(original).getexif().get(0x8825)
    with digital_object.public_file.open("rb") as public:
        exif = Image.open(io.BytesIO(public.read())).getexif()
    assert not exif.get(0x8825) and not exif.get(0x010F)


def test_the_donor_is_credited_only_with_the_name_they_chose(nanjing):
    credited = offer_photos(nanjing["campaign"], count=1, credit_name="李家后人")
    anonymous = offer_photos(nanjing["campaign"], count=1)
    for offer in (credited, anonymous):
        services.offer_accept(actor=nanjing["archivist"], offer=offer)
    first = services.offer_accession(
        actor=nanjing["archivist"], offer=credited, access_level=Access.RESTRICTED
    )
    second = services.offer_accession(
        actor=nanjing["archivist"], offer=anonymous, access_level=Access.RESTRICTED
    )
    assert "捐赠者：李家后人" in first.scope_content
    assert "李秀英" not in first.scope_content
    assert "捐赠者" not in second.scope_content and "李秀英" not in second.scope_content


def test_a_file_disguised_as_a_photo_is_refused_and_nothing_is_stored(nanjing):
    with pytest.raises(services.CollectingError) as refused:
        offer_photos(
            nanjing["campaign"],
            files=[("IMG_1.jpg", photo()), ("IMG_2.jpg", b"<html><script>alert(1)</script>")],
        )
    assert "IMG_2.jpg" in " ".join(refused.value.message_dict["files"])
    assert Offer.objects.count() == 0 and OfferFile.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_the_limit(nanjing, settings):
    settings.ARCHIVOX_COLLECTING_MAX_FILE_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF"
    with pytest.raises(services.CollectingError) as refused:
        offer_photos(nanjing["campaign"], files=[("scan.pdf", big)])
    assert "at most 1 MB" in " ".join(refused.value.message_dict["files"])


def test_every_problem_of_an_offer_is_reported_at_once(nanjing):
    with pytest.raises(services.CollectingError) as refused:
        offer_photos(nanjing["campaign"], name=" ", contact="not a contact", consent=False)
    assert set(refused.value.message_dict) == {"name", "contact", "consent"}


def test_a_sound_recording_is_described_and_its_original_stays_with_the_offer(nanjing):
    offer = offer_photos(
        nanjing["campaign"], files=[("photo.jpg", photo()), ("memories.wav", wav())]
    )
    assert sorted(offer.files.values_list("kind", flat=True)) == ["audio", "image"]
    services.offer_accept(actor=nanjing["archivist"], offer=offer)
    record = services.offer_accession(
        actor=nanjing["archivist"], offer=offer, access_level=Access.CONFIDENTIAL
    )
    # An oral memory enters the catalog too: an item of its own, at the chosen access level,
    # naming where its original is (the catalog holds no sound, so it has no digital object).
    assert record.children.count() == 2
    recording = offer.files.get(kind="audio")
    item = recording.description
    assert item.parent_id == record.pk and item.access_level == Access.CONFIDENTIAL
    assert recording.digital_object_id is None and not item.digital_objects.exists()
    assert f"征集记录 ZJ-{offer.pk:06d}" in item.scope_content and "audio/wav" in item.scope_content
    assert offer.files.get(kind="image").digital_object_id is not None


def test_a_closed_campaign_takes_no_offers(nanjing):
    services.campaign_update(actor=None, campaign=nanjing["campaign"], is_open=False)
    with pytest.raises(services.CollectingError):
        offer_photos(nanjing["campaign"])


def test_declining_needs_a_reason_and_an_offer_is_decided_once(nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    with pytest.raises(services.CollectingError):
        services.offer_decline(actor=nanjing["archivist"], offer=offer, message=" ")
    services.offer_decline(
        actor=nanjing["archivist"], offer=offer, message="这批照片我馆已有相同底片。"
    )
    with pytest.raises(services.CollectingError):
        services.offer_accept(actor=nanjing["archivist"], offer=offer)
    with pytest.raises(services.CollectingError):
        services.offer_accession(
            actor=nanjing["archivist"], offer=offer, access_level=Access.CONFIDENTIAL
        )


def test_a_question_is_answered_and_the_offer_returns_to_review(nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    services.offer_ask(actor=nanjing["archivist"], offer=offer, message="照片中的人是谁？")
    with pytest.raises(services.CollectingError):
        services.offer_reply(offer=offer, reply="")
    services.offer_reply(offer=Offer.objects.get(pk=offer.pk), reply="左起是祖父和祖母。")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SUBMITTED and offer.person_reply


def test_only_an_archivist_of_the_archive_reviews_and_accessions(nanjing):
    offer = offer_photos(nanjing["campaign"], count=1)
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.offer_accept(actor=stranger, offer=offer)
    services.offer_accept(actor=nanjing["archivist"], offer=offer)
    with pytest.raises(PermissionDenied):
        services.offer_accession(actor=stranger, offer=offer, access_level=Access.OPEN)
    with pytest.raises(services.CollectingError):
        services.offer_accession(actor=nanjing["archivist"], offer=offer, access_level="")
    assert not Description.objects.exists()


def test_the_deed_of_gift_is_a_pdf_naming_the_files(nanjing):
    offer = offer_photos(nanjing["campaign"])
    services.offer_accept(actor=nanjing["archivist"], offer=offer)
    data = deed_of_gift_pdf(offer=offer)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 1
        assert "档案捐赠协议书" in str(pdf.docinfo["/Title"])


def test_personal_data_is_exported_and_purged(nanjing):
    import datetime

    from django.utils import timezone

    kept = offer_photos(nanjing["campaign"], count=1)
    services.offer_accept(actor=nanjing["archivist"], offer=kept)
    services.offer_accession(actor=nanjing["archivist"], offer=kept, access_level=Access.OPEN)
    dropped = offer_photos(nanjing["campaign"], count=1)
    [exported] = [row for row in offers_export(identifier="LI.XIUYING@example.com")][:1]
    assert exported["name"] == "李秀英"
    assert offers_purge(before=timezone.now() + datetime.timedelta(days=1)) == 2
    dropped.refresh_from_db()
    kept.refresh_from_db()
    assert dropped.name == "" and dropped.contact == "" and not dropped.files.exists()
    assert kept.contact == "" and kept.name == "李秀英" and kept.files.count() == 1
    assert offers_export(identifier="li.xiuying@example.com") == []


def test_no_access_level_is_chosen_for_the_archivist_so_nothing_becomes_public(nanjing):
    offer = offer_photos(nanjing["campaign"])
    services.offer_accept(actor=nanjing["archivist"], offer=offer)
    for level in ("", "public-please"):
        with pytest.raises(services.CollectingError) as refused:
            services.offer_accession(actor=nanjing["archivist"], offer=offer, access_level=level)
        assert "access_level" in refused.value.message_dict
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert not Description.objects.filter(archive=nanjing["archive"], level="item").exists()
