"""Files leave without their metadata: what the public downloads (a catalog item's picture or
PDF, its thumbnail, a post's cover) and what the WeChat and Weibo sandboxes receive carries no
EXIF (no GPS position), XMP, IPTC, comment, PNG text chunk or PDF document information; the
original, metadata and all, stays for staff.

Every file here hides one canary string in each kind of metadata its format has; the public
copies are fetched over real HTTP from the live server, and the platforms' copies read from the
sandboxes' own records of what was uploaded to them."""

from __future__ import annotations

import io

import httpx
import pikepdf
import pytest
from PIL import Image, PngImagePlugin

from archivox.catalog import services as catalog
from archivox.publishing import services
from archivox.publishing.models import Delivery
from archivox.sandbox.provisioning import sandbox_credentials_ensure
from archivox.sandbox.wechat.models import Media
from archivox.sandbox.weibo.models import WeiboStatus

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "CANARYexif5150"
GPS_IFD = 0x8825


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = CANARY  # Artist
    exif[0x010E] = CANARY  # ImageDescription
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (32.0, 3.0, 41.0), 3: "E", 4: (118.0, 47.0, 2.0)}
    return exif


def jpeg(size=(300, 200), orientation: int = 1) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (150, 90, 40)).save(
        out, "JPEG", quality=85, exif=_exif(orientation), comment=CANARY,
        xmp=f"<x:xmpmeta><dc:creator>{CANARY}</dc:creator></x:xmpmeta>".encode(),
    )  # fmt: skip
    return out.getvalue()


def png() -> bytes:
    chunks = PngImagePlugin.PngInfo()
    chunks.add_text("Author", CANARY)
    chunks.add_text("Location", CANARY, zip=True)
    chunks.add_itxt("Comment", CANARY, lang="zh", tkey="注释", zip=True)
    out = io.BytesIO()
    Image.new("RGBA", (240, 160), (20, 60, 120, 200)).save(out, "PNG", pnginfo=chunks, exif=_exif())
    return out.getvalue()


def gif() -> bytes:
    frames = [Image.new("RGB", (80, 60), colour) for colour in ((200, 0, 0), (0, 0, 200))]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0, comment=CANARY
    )
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 120, 30)).save(
        out, "WEBP", exif=_exif(), xmp=f"<x:xmpmeta>{CANARY}</x:xmpmeta>".encode()
    )
    return out.getvalue()


def pdf() -> bytes:
    """One page showing a JPEG (with EXIF), a note annotation, an attachment, document
    information and XMP: each holding the canary."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(200, 200))
    page = document.pages[0]
    picture = document.make_stream(
        jpeg((40, 30)), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=40,
        Height=30, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )  # fmt: skip
    picture.Metadata = document.make_stream(f"<x:xmpmeta>{CANARY}</x:xmpmeta>".encode())
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture))
    page.Contents = document.make_stream(b"q 40 0 0 30 10 10 cm /Im0 Do Q")
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10],
        Contents="批注", T=CANARY, M="D:20160101000000",
    )  # fmt: skip
    page.Annots = document.make_indirect(pikepdf.Array([document.make_indirect(note)]))
    document.docinfo["/Author"] = CANARY
    document.docinfo["/Producer"] = CANARY
    with document.open_metadata() as xmp:
        xmp["dc:creator"] = [CANARY]
    document.attachments["notes.txt"] = pikepdf.AttachedFileSpec(document, CANARY.encode())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def metadata_in(data: bytes) -> list[str]:
    """Where the canary (or a GPS position) is found in ``data``: its raw bytes, what Pillow
    reads of a picture (decompressed text chunks, EXIF and its GPS directory), every object and
    decoded stream of a PDF."""
    found = ["bytes"] if CANARY.encode() in data else []
    if data.startswith(b"%PDF-"):
        with pikepdf.open(io.BytesIO(data)) as document:
            if "/Info" in document.trailer and len(document.docinfo):
                found.append("document information")
            for obj in document.objects:
                text = repr(obj)
                if isinstance(obj, pikepdf.Stream):
                    try:
                        text += obj.read_bytes().decode("latin-1")
                    except pikepdf.PdfError:
                        text += obj.read_raw_bytes().decode("latin-1")
                if CANARY in text:
                    found.append(f"object {obj.objgen}")
        return found
    with Image.open(io.BytesIO(data)) as picture:
        if CANARY in repr(picture.info):
            found.append("info")
        exif = picture.getexif()
        if CANARY in repr(dict(exif)):
            found.append("exif")
        if exif.get_ifd(GPS_IFD):
            found.append("gps")
    return found


@pytest.fixture
def item(archive):
    return catalog.description_create(
        actor=None, archive=archive, parent=None, reference_code="NJ-9-1", title="中山陵航拍",
        level="item", scope_content="1929年中山陵全景。",
    )  # fmt: skip


MAKERS = {"jpeg": jpeg, "png": png, "gif": gif, "webp": webp, "pdf": pdf}


@pytest.mark.parametrize("kind", list(MAKERS))
def test_the_public_gets_each_object_without_metadata_and_staff_keep_the_original(
    live_server, client, archivist, item, kind
):
    original = MAKERS[kind](orientation=6) if kind == "jpeg" else MAKERS[kind]()
    assert metadata_in(original)  # the canary is really there to be found
    obj = catalog.digital_object_add(
        actor=archivist, description=item, content=original, original_name=f"a.{kind}"
    )

    served = httpx.get(f"{live_server.url}/objects/{obj.pk}/")
    assert served.status_code == 200
    assert metadata_in(served.content) == []
    if kind == "pdf":
        with pikepdf.open(io.BytesIO(served.content)) as document:
            assert len(document.pages) == 1
            assert "/Im0" in document.pages[0].Resources.XObject
    else:
        with Image.open(io.BytesIO(served.content)) as picture:
            # The same picture; a camera's "rotate on display" is applied to its pixels.
            expected = (200, 300) if kind == "jpeg" else Image.open(io.BytesIO(original)).size
            assert picture.size == expected
            assert picture.format == Image.open(io.BytesIO(original)).format
        thumbnail = httpx.get(f"{live_server.url}/objects/{obj.pk}/thumbnail/")
        assert thumbnail.status_code == 200
        assert metadata_in(thumbnail.content) == []

    # Staff still have the original as it was uploaded.
    client.force_login(archivist)
    kept = client.get(f"/console/catalog/objects/{obj.pk}/")
    assert kept.status_code == 200
    assert b"".join(kept.streaming_content) == original


@pytest.fixture
def platforms(live_server, settings, archive):
    settings.BASE_URL = live_server.url
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    settings.ALLOWED_HOSTS = ["*"]
    return sandbox_credentials_ensure(archive)


def test_nothing_sent_to_wechat_or_weibo_and_no_cover_served_carries_metadata(
    platforms, live_server, make_post, archivist, reviewer, item
):
    catalog.digital_object_add(actor=archivist, description=item, content=png())
    post = make_post(
        channels=["wechat", "weibo", "portal"],
        items=[{"description": item, "use_image": True, "quote": False}],
    )
    services.post_set_cover(actor=archivist, post=post, content=jpeg((900, 500)))
    services.post_submit(actor=archivist, post=post)
    for finding in services.post_screen(post=post).unresolved_warnings:
        services.screening_override(
            actor=reviewer, post=post, finding_key=finding.key, reason="checked"
        )
    services.post_approve(actor=reviewer, post=post)
    services.post_publish_now(actor=archivist, post=post)
    deliveries = {d.channel: (d.status, d.error) for d in Delivery.objects.filter(post=post)}
    assert {channel: status for channel, (status, _) in deliveries.items()} == dict.fromkeys(
        ["wechat", "weibo", "portal"], "sent"
    ), deliveries

    uploads = list(Media.objects.all())
    assert {media.kind for media in uploads} >= {"thumb", "uploadimg"}  # cover and item image
    for media in uploads:
        assert metadata_in(bytes(media.data)) == [], media.kind
    status = WeiboStatus.objects.get()
    assert status.pic and metadata_in(bytes(status.pic)) == []

    cover = httpx.get(f"{live_server.url}/archives/nanjing/posts/{post.pk}/cover/")
    assert cover.status_code == 200
    assert metadata_in(cover.content) == []


def test_the_upgrade_makes_public_copies_of_files_uploaded_before_it(
    live_server, make_post, archivist, item
):
    """An installation upgraded with objects and covers already uploaded: the migrations make
    their public copies (and the thumbnails again), and the portal serves only those."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from archivox.catalog.models import DigitalObject
    from archivox.publishing.models import Post

    obj = catalog.digital_object_add(actor=archivist, description=item, content=jpeg())
    post = make_post(channels=["portal"])
    services.post_set_cover(actor=archivist, post=post, content=jpeg((900, 500)))
    # As before the upgrade: no public copies, and a thumbnail that kept the original's XMP.
    obj.thumbnail.storage.delete(obj.thumbnail.name)
    with obj.thumbnail.storage.open(obj.thumbnail.name, "wb") as handle:
        handle.write(jpeg((40, 30)))
    DigitalObject.objects.filter(pk=obj.pk).update(public_file="")
    Post.objects.filter(pk=post.pk).update(cover_public="")
    before = [("catalog", "0002_search_index"), ("publishing", "0001_initial")]
    latest = [
        ("catalog", "0003_digitalobject_public_file"),
        ("publishing", "0002_post_cover_public"),
    ]
    MigrationExecutor(connection).migrate(before)
    try:
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )

    obj.refresh_from_db()
    post.refresh_from_db()
    assert obj.public_file and post.cover_public
    for path in (f"/objects/{obj.pk}/", f"/objects/{obj.pk}/thumbnail/"):
        served = httpx.get(live_server.url + path)
        assert served.status_code == 200 and metadata_in(served.content) == [], path
    with obj.public_file.open("rb") as handle:
        assert metadata_in(handle.read()) == []
    with post.cover_public.open("rb") as handle:
        assert metadata_in(handle.read()) == []
    with obj.file.open("rb") as handle:
        assert metadata_in(handle.read())  # the original, for staff, as it was
