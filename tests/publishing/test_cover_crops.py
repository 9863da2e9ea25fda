"""The cover cut to the platforms' ratios (issue 21): the editor's box checked, stored and cut
on the server; WeChat gets the boxes in its own draft fields (pic_crop_235_1, pic_crop_1_1),
Weibo the cut picture; over the real sandboxes. Nothing of ours is mocked."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from archivox.core.models import AuditEntry
from archivox.core.selectors import ArchivePermissionDenied
from archivox.publishing import services
from archivox.publishing.content import post_content
from archivox.publishing.models import Delivery
from archivox.publishing.services import PublishingError
from archivox.sandbox.provisioning import sandbox_credentials_ensure
from archivox.sandbox.wechat.models import Draft
from archivox.sandbox.weibo.models import WeiboStatus
from tests.publishing.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

WECHAT_BOX = [10, 20, 470, 200]  # 2.35:1 of a 900×500 cover


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def covered(make_post, archivist):
    post = make_post(channels=["wechat", "weibo", "portal"])
    return services.post_set_cover(actor=archivist, post=post, content=jpeg_bytes((900, 500)))


def test_a_crop_is_checked_stored_cut_and_audited(covered, archivist):
    crops = services.post_set_cover_crop(
        actor=archivist, post=covered, ratio="wechat", box=WECHAT_BOX
    )
    assert crops["wechat"]["box"] == WECHAT_BOX
    with default_storage.open(crops["wechat"]["file"], "rb") as handle:
        assert _size(handle.read()) == (470, 200)
    entry = AuditEntry.objects.get(action="post.cover_crop")
    assert entry.after == {"ratio": "wechat", "box": WECHAT_BOX} and entry.actor == archivist

    # A box a pixel past the edge (the browser's rounding) is pulled back inside.
    crops = services.post_set_cover_crop(
        actor=archivist, post=covered, ratio="wechat_square", box=["400.4", "-1", "501", "501"]
    )
    assert crops["wechat_square"]["box"] == [400, 0, 500, 500]
    assert set(crops) == {"wechat", "wechat_square"}

    # Removing a crop: the channel takes the whole cover again.
    crops = services.post_set_cover_crop(actor=archivist, post=covered, ratio="wechat", box=None)
    assert set(crops) == {"wechat_square"}


@pytest.mark.parametrize(
    ("ratio", "box", "words"),
    [
        ("instagram", [0, 0, 100, 100], "ratios"),
        ("wechat", [0, 0, 400, 400], "not of the ratio"),
        ("wechat", [0, 0, 23, 10], "too small"),
        ("weibo", ["a", 0, 160, 90], "four numbers"),
    ],
)
def test_a_wrong_box_is_refused_with_its_reason_and_nothing_stored(
    covered, archivist, ratio, box, words
):
    with pytest.raises(PublishingError) as refused:
        services.post_set_cover_crop(actor=archivist, post=covered, ratio=ratio, box=box)
    assert words in " ".join(refused.value.messages)
    covered.refresh_from_db()
    assert covered.cover_crops == {}
    assert not AuditEntry.objects.filter(action="post.cover_crop").exists()


def test_only_a_drafts_cover_by_a_composer_and_a_new_cover_forgets_the_crops(
    covered, archivist, reviewer, make_post, django_capture_on_commit_callbacks
):
    with pytest.raises(ArchivePermissionDenied):  # a reviewer does not compose
        services.post_set_cover_crop(actor=reviewer, post=covered, ratio="wechat", box=WECHAT_BOX)
    bare = make_post()
    with pytest.raises(PublishingError, match="Upload a cover first"):
        services.post_set_cover_crop(actor=archivist, post=bare, ratio="wechat", box=WECHAT_BOX)

    crops = services.post_set_cover_crop(
        actor=archivist, post=covered, ratio="wechat", box=WECHAT_BOX
    )
    old = crops["wechat"]["file"]
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_set_cover(
            actor=archivist, post=covered, content=jpeg_bytes((600, 600))
        )
    assert post.cover_crops == {} and not default_storage.exists(old)

    services.post_submit(actor=archivist, post=post)
    with pytest.raises(PublishingError, match="draft"):
        services.post_set_cover_crop(actor=archivist, post=post, ratio="weibo", box=[0, 0, 160, 90])


def test_the_channels_take_the_crops(covered, archivist):
    services.post_set_cover_crop(actor=archivist, post=covered, ratio="wechat", box=WECHAT_BOX)
    services.post_set_cover_crop(
        actor=archivist, post=covered, ratio="wechat_square", box=[200, 0, 500, 500]
    )
    services.post_set_cover_crop(
        actor=archivist, post=covered, ratio="weibo", box=[0, 50, 800, 450]
    )
    covered.refresh_from_db()
    content = post_content(covered)
    assert content.cover_boxes["wechat"] == pytest.approx((10 / 900, 0.04, 480 / 900, 0.44))
    assert _size(content.cover_crops["weibo"].data) == (800, 450)
    renderings = services.post_render(post=covered)
    article = renderings["wechat"].payload["article"]
    assert article["pic_crop_235_1"] == "0.011111_0.040000_0.533333_0.440000"
    assert article["pic_crop_1_1"] == "0.222222_0.000000_0.777778_1.000000"


@pytest.fixture
def platforms(live_server, settings, archive):
    settings.BASE_URL = live_server.url
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    settings.ALLOWED_HOSTS = ["*"]
    return sandbox_credentials_ensure(archive)


@pytest.mark.django_db(transaction=True)
def test_wechat_gets_the_boxes_and_weibo_the_cut_picture_over_the_sandboxes(
    platforms, make_post, archivist, reviewer
):
    post = make_post(channels=["wechat", "weibo"])
    post = services.post_set_cover(actor=archivist, post=post, content=jpeg_bytes((900, 500)))
    services.post_set_cover_crop(actor=archivist, post=post, ratio="wechat", box=WECHAT_BOX)
    services.post_set_cover_crop(actor=archivist, post=post, ratio="weibo", box=[0, 50, 800, 450])
    services.post_submit(actor=archivist, post=post)
    for finding in services.post_screen(post=post).unresolved_warnings:
        services.screening_override(
            actor=reviewer, post=post, finding_key=finding.key, reason="checked"
        )
    services.post_approve(actor=reviewer, post=post)
    services.post_publish_now(actor=archivist, post=post)
    statuses = {d.channel: (d.status, d.error) for d in Delivery.objects.filter(post=post)}
    assert {channel: status for channel, (status, _) in statuses.items()} == {
        "wechat": "sent",
        "weibo": "sent",
    }, statuses
    (article,) = Draft.objects.get().articles
    assert article["pic_crop_235_1"] == "0.011111_0.040000_0.533333_0.440000"
    assert article["pic_crop_1_1"] == ""  # not cropped: WeChat centres it itself
    assert _size(bytes(WeiboStatus.objects.get().pic)) == (800, 450)


def test_the_console_serves_the_cover_and_takes_a_crop_as_json_or_a_form(
    client, covered, archivist, reviewer
):
    client.force_login(archivist)
    edit = client.get(reverse("console_publishing:edit", args=["nanjing", covered.pk]))
    page = edit.content.decode()
    assert 'id="cover-to-crop"' in page and "publishing/vendor/cropper.min.js" in page
    cover = client.get(reverse("console_publishing:cover_image", args=[covered.pk]))
    assert cover.status_code == 200 and _size(b"".join(cover.streaming_content)) == (900, 500)

    url = reverse("console_publishing:cover_crop", args=[covered.pk])
    form = {"ratio": "wechat", "x": "10", "y": "20", "width": "470", "height": "200"}
    answer = client.post(url, form, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    rows = {row["key"]: row for row in json.loads(answer.content)["crops"]}
    assert rows["wechat"]["box"] == WECHAT_BOX and rows["weibo"]["box"] is None
    cut = client.get(rows["wechat"]["url"])
    assert _size(b"".join(cut.streaming_content)) == (470, 200)

    refused = client.post(url, {**form, "width": "400"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 422 and "not of the ratio" in json.loads(refused.content)["error"]
    # Without the script: a plain form post comes back to the composer.
    back = client.post(url, {**form, "ratio": "weibo", "width": "160", "height": "90"})
    assert back.status_code == 302 and back.url.endswith("#cover-crops")

    client.force_login(reviewer)  # may read the post, not crop it
    assert client.post(url, form, HTTP_ACCEPT="application/json").status_code == 403
