"""IIIF Image API 3.0 at level 1: the request grammar, info.json, the derivative cache and its
bound, and iiif-validator run over real HTTP against a live server."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import httpx
import pytest
from django.test import Client
from PIL import Image

from archivox.catalog import services
from archivox.catalog.iiif import cache
from archivox.catalog.iiif.image import ImageRequestError, parse_request
from tests.catalog.iiif_fixtures import photo, validator_pattern
from tests.helpers import room_in_window


def parse(region="full", size="max", rotation="0", quality_format="default.jpg", w=1000, h=800):
    return parse_request(
        image_width=w,
        image_height=h,
        region=region,
        size=size,
        rotation=rotation,
        quality_format=quality_format,
        max_dimension=4096,
    )


@pytest.mark.parametrize(
    ("region", "size", "expected"),
    [
        ("full", "max", (0, 0, 1000, 800, 1000, 800)),
        ("square", "max", (100, 0, 800, 800, 800, 800)),
        ("10,20,300,200", "150,", (10, 20, 300, 200, 150, 100)),
        ("900,700,300,300", "max", (900, 700, 100, 100, 100, 100)),
        ("pct:10,10,50,50", ",200", (100, 80, 500, 400, 250, 200)),
        ("full", "pct:50", (0, 0, 1000, 800, 500, 400)),
        ("full", "!500,500", (0, 0, 1000, 800, 500, 400)),
        ("full", "300,300", (0, 0, 1000, 800, 300, 300)),
        ("0,0,1000,1", "10,", (0, 0, 1000, 1, 10, 1)),
        ("0,0,1,800", ",8", (0, 0, 1, 800, 1, 8)),
    ],
)
def test_regions_and_sizes_of_level_1_and_beyond(region, size, expected):
    wanted = parse(region, size)
    got = (
        wanted.x,
        wanted.y,
        wanted.width,
        wanted.height,
        wanted.output_width,
        wanted.output_height,
    )
    assert got == expected


@pytest.mark.parametrize(
    "arguments",
    [
        {"region": "full!"},
        {"region": "0,0,0,10"},
        {"region": "1000,0,10,10"},
        {"region": "pct:1,2,3"},
        {"size": "full"},
        {"size": "1001,"},
        {"size": "^max"},
        {"size": "pct:101"},
        {"size": "!2000,3000"},
        {"size": ","},
        {"size": "0,"},
        {"size": "pct:0"},
        {"rotation": "90"},
        {"rotation": "!0"},
        {"quality_format": "gray.jpg"},
        {"quality_format": "default.gif"},
        {"quality_format": "default"},
    ],
)
def test_what_is_not_offered_is_a_clear_400(arguments):
    with pytest.raises(ImageRequestError):
        parse(**arguments)


def test_sizes_beyond_the_server_limit_are_refused_and_max_stays_within_it():
    big = {"w": 10000, "h": 5000}
    wanted = parse(**big)
    assert (wanted.output_width, wanted.output_height) == (4096, 2048)
    with pytest.raises(ImageRequestError, match="limit"):
        parse(size="5000,", **big)


@pytest.fixture
def iiif_cache_dir(settings, tmp_path):
    settings.IIIF_CACHE_DIR = tmp_path / "iiif-cache"
    cache.derivatives_purge(object_ids=[])
    return settings.IIIF_CACHE_DIR


@pytest.fixture
def picture(make_description, iiif_cache_dir):
    item = make_description("MG-001", "白崇禧公馆", title_en="Bai Chongxi Mansion")
    return services.digital_object_add(actor=None, description=item, content=photo(1200, 800))


@pytest.mark.django_db
def test_info_json_is_level_1_with_sizes_tiles_and_cors(picture):
    response = Client().get(f"/iiif/image/{picture.pk}/info.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    info = json.loads(response.content)
    assert info["id"] == f"http://testserver/iiif/image/{picture.pk}"
    assert info["type"] == "ImageService3"
    assert info["profile"] == "level1"
    assert (info["width"], info["height"]) == (1200, 800)
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"][-1] == {"width": 1200, "height": 800}
    assert info["sizes"][0] == {"width": 300, "height": 200}
    linked = Client().get(f"/iiif/image/{picture.pk}/info.json", HTTP_ACCEPT="application/ld+json")
    assert linked["Content-Type"].startswith("application/ld+json")


@pytest.mark.django_db
def test_a_tile_is_cut_cached_and_revalidated(picture, iiif_cache_dir):
    url = f"/iiif/image/{picture.pk}/512,0,512,512/256,/0/default.png"
    first = Client().get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(first.content)).size == (256, 256)
    assert 'rel="canonical"' in first["Link"]
    cached = list((iiif_cache_dir / str(picture.pk)).iterdir())
    assert len(cached) == 1
    again = Client().get(url)
    assert again.content == first.content
    unchanged = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert first["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
def test_bad_parameters_are_400_and_unknown_images_404(picture):
    client = Client()
    assert client.get(f"/iiif/image/{picture.pk}/full/max/45/default.jpg").status_code == 400
    assert client.get(f"/iiif/image/{picture.pk}/full/max/0/bitonal.jpg").status_code == 400
    assert client.get(f"/iiif/image/{picture.pk}/full/max/0/default.tif").status_code == 400
    assert client.get(f"/iiif/image/{picture.pk}/full/5000,/0/default.jpg").status_code == 400
    assert client.get("/iiif/image/999999/info.json").status_code == 404
    assert client.get("/iiif/image/abc/info.json").status_code == 404
    redirect = client.get(f"/iiif/image/{picture.pk}")
    assert redirect.status_code == 303
    assert redirect["Location"].endswith(f"/iiif/image/{picture.pk}/info.json")


@pytest.mark.django_db
def test_the_cache_stays_within_its_bound_dropping_the_least_recently_used(
    settings, picture, iiif_cache_dir
):
    settings.IIIF_CACHE_MAX_BYTES = 6000
    client = Client()
    for width in range(100, 400, 20):
        response = client.get(f"/iiif/image/{picture.pk}/full/{width},/0/default.jpg")
        assert response.status_code == 200
    assert 0 < cache.cache_size() <= 6000


@pytest.mark.django_db
def test_pdfs_have_no_image_service(make_description):
    import pikepdf

    out = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(out)
    item = make_description("PDF-1", "文件")
    document = services.digital_object_add(actor=None, description=item, content=out.getvalue())
    assert Client().get(f"/iiif/image/{document.pk}/info.json").status_code == 404


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_iiif_validator_passes_at_level_1_over_http(
    live_server, make_description, settings, tmp_path
):
    """The IIIF consortium's own validator (iiif-validator), every test of level 0 and 1 of
    Image API 3.0, against our server over real HTTP."""
    from iiif_validator.validator import ImageAPI, TestSuite, ValidationInfo

    settings.IIIF_CACHE_DIR = tmp_path / "validator-cache"
    item = make_description("VAL-1", "验证用图")
    pattern = services.digital_object_add(actor=None, description=item, content=validator_pattern())
    server = live_server.url.removeprefix("http://")
    tests = TestSuite(ValidationInfo()).list_tests("3.0")
    wanted = sorted(name for name, test in tests.items() if test["level"] <= 1)
    assert len(wanted) >= 20
    failures = {}
    for name in wanted:
        result = ImageAPI(str(pattern.pk), server, "iiif/image", "http", "", "3.0", debug=False)
        TestSuite(ValidationInfo()).run_test(name, result)
        if result.exception is not None:
            failures[name] = f"{result.exception} at {result.urls}"
    assert not failures, failures
    # And the same server, asked plainly, names itself level 1.
    info = httpx.get(f"{live_server.url}/iiif/image/{pattern.pk}/info.json").json()
    assert info["profile"] == "level1"


@pytest.mark.django_db
def test_a_damaged_public_copy_is_a_404_and_left_out_of_the_manifest(picture, make_description):
    second = services.digital_object_add(
        actor=None, description=picture.description, content=photo(300, 200)
    )
    Path(second.public_file.path).write_bytes(b"not a picture any more")
    client = Client()
    assert client.get(f"/iiif/image/{second.pk}/info.json").status_code == 404
    assert client.get(f"/iiif/image/{second.pk}/full/max/0/default.jpg").status_code == 404
    manifest = client.get(f"/iiif/descriptions/{picture.description_id}/manifest.json").json()
    assert len(manifest["items"]) == 1


@pytest.mark.django_db
def test_new_pictures_are_rate_limited_per_address_cached_ones_never(settings, picture):
    settings.IIIF_RENDER_RATE = (3, 60)
    room_in_window(60)
    client = Client()
    for width in (100, 110, 120):
        url = f"/iiif/image/{picture.pk}/full/{width},/0/default.jpg"
        assert client.get(url).status_code == 200
    refused = client.get(f"/iiif/image/{picture.pk}/full/130,/0/default.jpg")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused["Access-Control-Allow-Origin"] == "*"
    # What is cached is still served, as often as asked.
    for _ in range(5):
        assert client.get(f"/iiif/image/{picture.pk}/full/100,/0/default.jpg").status_code == 200
    assert client.get(f"/iiif/image/{picture.pk}/info.json").status_code == 200


@pytest.mark.django_db
def test_a_cache_hit_keeps_a_picture_from_eviction(settings, picture, iiif_cache_dir):
    client = Client()
    folder = iiif_cache_dir / str(picture.pk)
    made = {}
    for age, width in enumerate((300, 301, 302), start=1):
        assert (
            client.get(f"/iiif/image/{picture.pk}/full/{width},/0/default.jpg").status_code == 200
        )
        [new] = set(folder.iterdir()) - set(made.values())
        os.utime(new, (age, age))  # all long unused, 300 the longest
        made[width] = new
    assert client.get(f"/iiif/image/{picture.pk}/full/300,/0/default.jpg").status_code == 200
    settings.IIIF_CACHE_MAX_BYTES = made[302].stat().st_size * 3
    cache.derivatives_purge(object_ids=[])  # measure anew under the new bound
    assert client.get(f"/iiif/image/{picture.pk}/full/303,/0/default.jpg").status_code == 200
    assert made[300].exists()  # used last but one
    assert not made[301].exists() and not made[302].exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ARCHIVOX_IIIF_MAX_SIZE", "10"),
        ("ARCHIVOX_IIIF_CACHE_MB", "many"),
        ("ARCHIVOX_IIIF_RENDER_RATE", "fast"),
    ],
)
def test_a_wrong_iiif_setting_stops_the_start_with_its_name(name, value):
    from tests.helpers import child_env, manage

    started = manage("check", env=child_env(**{name: value}))
    assert started.returncode != 0
    assert name in started.stderr
