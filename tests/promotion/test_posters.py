"""Posters and flyers as a specification: a PDF at each size with the archive's colours, an open
picture from the catalog and a QR code that a QR library reads and that leads, through the
poster's own counted short link, to the page it promotes."""

import io

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from django.conf import settings

from archivox.promotion import services
from archivox.promotion.models import Poster, PosterVisit
from archivox.promotion.poster_pdf import FONT, font_name, poster_pdf
from tests.collecting.conftest import photo

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MM = 72 / 25.4


def make(exhibition, **overrides):
    values = {
        "actor": exhibition["archivist"],
        "archive": exhibition["archive"],
        "name": "新街口公交站",
        "title": "金陵民国建筑档案展",
        "subtitle": "从总统府到颐和路公馆",
        "dates": "2026年12月1日至2027年3月31日",
        "place": "南京市档案馆一楼展厅",
        "target_path": exhibition["path"],
        "image_id": exhibition["image"].pk,
        "size": "a3",
    }
    values.update(overrides)
    return services.poster_create(**values)


def decode_qr(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    picture = page.render(scale=150 / 72).to_pil()
    [found] = zxingcpp.read_barcodes(picture)
    return found.text


def test_an_a3_posters_qr_code_opens_the_exhibition_and_counts_the_visit(client, exhibition):
    poster = make(exhibition)
    client.login(username="wang", password=PASSWORD)
    response = client.get(f"/console/promotion/nanjing/posters/{poster.pk}/pdf/?size=a3")
    assert response["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert box[2] == pytest.approx(297 * MM, abs=1) and box[3] == pytest.approx(420 * MM, abs=1)

    url = decode_qr(response.content)
    assert url == f"{settings.BASE_URL}/p/{poster.code}"
    client.logout()
    landing = client.get(url.removeprefix(settings.BASE_URL), follow=True)
    assert landing.redirect_chain[-1][0] == exhibition["path"]
    assert "金陵民国建筑档案展" in landing.content.decode()
    assert PosterVisit.objects.get(poster=poster).count == 1
    # Nothing but the count is kept about the visit.
    assert {f.name for f in PosterVisit._meta.fields} == {"id", "poster", "day", "count"}


@pytest.mark.parametrize(
    ("size", "orientation", "width_mm", "height_mm"),
    [
        ("a4", "portrait", 210, 297),
        ("a4", "landscape", 297, 210),
        ("bus", "portrait", 1185, 1750),
        ("bus", "landscape", 1750, 1185),
    ],
)
def test_every_size_and_orientation_carries_a_readable_qr_code(
    exhibition, size, orientation, width_mm, height_mm
):
    poster = make(exhibition)
    pdf = poster_pdf(poster=poster, size=size, orientation=orientation)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        box = [float(v) for v in document.pages[0].mediabox]
    assert box[2] == pytest.approx(width_mm * MM, abs=1)
    assert box[3] == pytest.approx(height_mm * MM, abs=1)
    if size != "bus":  # a bus-stop poster rendered whole is too large for a quick test
        assert decode_qr(pdf).endswith(f"/p/{poster.code}")


def test_the_chinese_text_is_set_in_an_embedded_cjk_font(exhibition):
    if font_name() != FONT:
        pytest.fail("no CJK TrueType font: apt-get install fonts-wqy-microhei (.ci/run does)")
    pdf = poster_pdf(poster=make(exhibition))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        fonts = document.pages[0].Resources.Font
        embedded = [
            font
            for _name, font in fonts.items()
            if "/DescendantFonts" in font or "/FontDescriptor" in font
        ]
        assert embedded
        descriptor = (
            embedded[0].DescendantFonts[0].FontDescriptor
            if "/DescendantFonts" in embedded[0]
            else embedded[0].FontDescriptor
        )
        assert "/FontFile2" in descriptor


def test_a_closed_picture_never_goes_on_a_poster(exhibition):
    with pytest.raises(services.PromotionError) as refused:
        make(exhibition, image_id=exhibition["closed_image"].pk)
    assert "image" in refused.value.message_dict
    assert not Poster.objects.exists()


def test_a_poster_leads_only_to_the_archives_own_pages(exhibition):
    for path in ("https://example.com/", "/archives/suzhou/", "/archives/nanjing/nowhere/x/"):
        with pytest.raises(services.PromotionError) as refused:
            make(exhibition, target_path=path)
        assert "target_path" in refused.value.message_dict


def test_bad_colours_are_refused_and_a_logo_loses_its_metadata(exhibition):
    with pytest.raises(Exception) as refused:
        make(exhibition, colour="red")
    assert "colour" in refused.value.message_dict
    poster = make(exhibition, colour="#003366", background="#ffffff", logo=photo("gold"))
    from PIL import Image

    with poster.logo.open("rb") as logo:
        assert not Image.open(io.BytesIO(logo.read())).getexif().get(0x8825)
    assert poster_pdf(poster=poster).startswith(b"%PDF")


def test_the_console_makes_a_poster_and_shows_its_visitors(client, exhibition):
    client.login(username="wang", password=PASSWORD)
    page = client.get("/console/promotion/nanjing/posters/")
    assert exhibition["path"] in page.content.decode()
    bad = client.post(
        "/console/promotion/nanjing/posters/",
        {
            "title": "",
            "target_path": exhibition["path"],
            "size": "a3",
            "orientation": "portrait",
            "colour": "#6b1d1d",
            "background": "#f8f4ec",
            "name": "鼓楼公交站",
        },
    )
    assert bad.status_code == 400 and "鼓楼公交站" in bad.content.decode()
    response = client.post(
        "/console/promotion/nanjing/posters/",
        {
            "title": "金陵民国建筑档案展",
            "target_path": exhibition["path"],
            "image_id": str(exhibition["image"].pk),
            "size": "a3",
            "orientation": "portrait",
            "colour": "#6b1d1d",
            "background": "#f8f4ec",
            "name": "鼓楼公交站",
        },
    )
    assert response.status_code == 302
    poster = Poster.objects.get()
    client.get(f"/p/{poster.code}")
    client.get(f"/p/{poster.code}")
    detail = client.get(f"/console/promotion/nanjing/posters/{poster.pk}/").content.decode()
    assert 'id="visits">2<' in detail
    assert client.get("/p/unknown").status_code == 404


def _images_on_page(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        objects = document.pages[0].Resources.get("/XObject", {})
        return sum(1 for _name, obj in objects.items() if obj.get("/Subtype") == "/Image")


def test_a_picture_closed_after_the_poster_was_made_is_never_printed_again(client, exhibition):
    from archivox.catalog import services as catalog_services

    poster = make(exhibition)
    assert _images_on_page(poster_pdf(poster=poster)) == 1
    catalog_services.description_update(
        actor=None, description=exhibition["image"].description, access_level="confidential"
    )
    poster.refresh_from_db()
    assert _images_on_page(poster_pdf(poster=poster)) == 0
    client.login(username="wang", password=PASSWORD)
    download = client.get(f"/console/promotion/nanjing/posters/{poster.pk}/pdf/?size=a4")
    assert _images_on_page(download.content) == 0
    page = client.get(f"/console/promotion/nanjing/posters/{poster.pk}/").content.decode()
    assert 'id="picture-withdrawn"' in page
    # The picker never offers a closed picture either.
    form = client.get("/console/promotion/nanjing/posters/").content.decode()
    assert f'value="{exhibition["closed_image"].pk}"' not in form
    assert f'value="{exhibition["image"].pk}"' not in form  # closed now too


def test_posters_can_lead_to_every_kind_of_campaign_page(exhibition):
    from archivox.promotion.selectors import poster_targets

    paths = [path for path, _label in poster_targets(archive=exhibition["archive"])]
    assert "/archives/nanjing/" in paths  # the archive and how to follow its accounts
    assert exhibition["path"] in paths  # an exhibition
    assert "/archives/nanjing/records/" in paths  # a records-use service (查档)
    assert "/archives/nanjing/current-documents/" in paths
    for path in paths:
        assert make(exhibition, target_path=path).target_path == path


def test_the_archives_template_gives_new_posters_its_colours_and_logo(client, exhibition):
    from archivox.core.models import AuditEntry
    from archivox.promotion.models import PosterStyle

    client.login(username="wang", password=PASSWORD)
    bad = client.post(
        "/console/promotion/nanjing/posters/style/",
        {"style-colour": "navy", "style-background": "#ffffff"},
    )
    assert bad.status_code == 400 and not PosterStyle.objects.exists()
    assert 'value="navy"' in bad.content.decode()  # what was typed stays
    with io.BytesIO(photo("gold")) as logo:
        logo.name = "logo.jpg"
        saved = client.post(
            "/console/promotion/nanjing/posters/style/",
            {"style-colour": "#003366", "style-background": "#fffaf0", "style-logo": logo},
        )
    assert saved.status_code == 302
    style = PosterStyle.objects.get(archive=exhibition["archive"])
    assert style.colour == "#003366" and style.logo
    assert AuditEntry.objects.filter(action="poster_style.update").exists()
    page = client.get("/console/promotion/nanjing/posters/").content.decode()
    assert 'value="#003366"' in page and 'id="style-logo"' in page

    poster = make(exhibition)  # no colours, no logo given: the template's
    assert (poster.colour, poster.background) == ("#003366", "#fffaf0")
    assert poster.logo.name == style.logo.name
    with pikepdf.open(io.BytesIO(poster_pdf(poster=poster))) as document:
        objects = document.pages[0].Resources.XObject
        assert len(list(objects.keys())) == 2  # the picture and the template's logo
    own = make(exhibition, colour="#224422")  # a poster may still choose its own
    assert own.colour == "#224422" and own.background == "#fffaf0"
