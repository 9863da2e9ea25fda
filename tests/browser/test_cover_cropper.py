"""The composer's cover cropper in Chromium (issue 21): the editor crops the cover to WeChat's
2.35:1, then moves the frame for Weibo's 16:9 and to 1:1 on a 360 px phone; the server stores
each box and cuts the picture. Cropper.js comes from our own static files (no other host).
Screenshots at 1280 and 360 px."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.publishing import services
from archivox.publishing.models import Post
from tests.browser.conftest import PageWatch, assert_fits_phone, screenshot
from tests.factories import ArchiveFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _cover() -> bytes:
    image = Image.new("RGB", (1200, 800), (107, 29, 29))
    draw = ImageDraw.Draw(image)
    draw.ellipse([450, 250, 750, 550], fill=(240, 220, 160))  # the subject, in the middle
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def draft(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    editor = UserFactory(username="wang")
    membership_grant(actor=None, archive=archive, user=editor, role=Role.ARCHIVIST)
    post = services.post_create(
        actor=editor,
        archive=archive,
        title="城墙与城门",
        body_html="<p>馆藏老照片里的南京城门。</p>",
        channels=["portal", "feed"],
        items=[],
    )
    return services.post_set_cover(actor=editor, post=post, content=_cover())


def _open(chromium, live_server, width: int):
    phone = width < 500
    context = chromium.new_context(
        viewport={"width": width, "height": 740 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    page = context.new_page()
    page.watch = PageWatch(page, live_server.url)
    page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    page.fill("#id_username", "wang")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")
    return context, page


def _crop(post: Post, ratio: str) -> tuple[list[int], tuple[int, int]]:
    post.refresh_from_db()
    crop = post.cover_crops[ratio]
    with default_storage.open(crop["file"], "rb") as handle, Image.open(handle) as image:
        return crop["box"], image.size


def _save(page) -> None:
    page.get_by_role("button", name="保存裁剪").click()
    # The page's CSP forbids evaluated strings, so wait on the text through a locator.
    page.locator(".crop-status", has_text="裁剪已保存").wait_for()


def test_an_editor_crops_the_cover_to_each_platforms_ratio(chromium, live_server, draft):
    context, page = _open(chromium, live_server, 1280)
    page.goto(
        f"{live_server.url}/console/publishing/archives/nanjing/posts/{draft.pk}/edit/",
        wait_until="networkidle",
    )
    page.wait_for_selector(".cropper-crop-box")
    assert page.get_by_role("heading", name="按各平台比例裁剪封面").is_visible()

    # WeChat's list ratio, as the cropper first offers it.
    _save(page)
    box, size = _crop(draft, "wechat")
    assert abs(box[2] / box[3] - 2.35) < 0.02 and size == (box[2], box[3])
    assert page.locator('.crop-results li[data-ratio-key="wechat"] img').is_visible()

    # Weibo's 16:9, the frame dragged down: the stored box moves with it.
    page.get_by_label("微博卡片（16:9）").check()
    before = int(page.input_value("#crop-y"))
    face = page.locator(".cropper-face").bounding_box()
    start = (face["x"] + face["width"] / 2, face["y"] + face["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0], start[1] - 400, steps=8)  # up: the top edge stops at 0
    page.mouse.up()
    assert before > 0 and int(page.input_value("#crop-y")) < before
    _save(page)
    box, size = _crop(draft, "weibo")
    assert abs(box[2] / box[3] - 16 / 9) < 0.02 and size == (box[2], box[3])
    assert box[1] == int(page.input_value("#crop-y"))
    screenshot(page, "console-cover-cropper-desktop")
    page.watch.assert_clean()
    context.close()

    # On a phone: the square share picture.
    context, page = _open(chromium, live_server, 360)
    page.goto(
        f"{live_server.url}/console/publishing/archives/nanjing/posts/{draft.pk}/edit/",
        wait_until="networkidle",
    )
    page.wait_for_selector(".cropper-crop-box")
    page.get_by_label("微信分享（1:1）").check()
    _save(page)
    box, size = _crop(draft, "wechat_square")
    assert box[2] == box[3] and size == (box[2], box[3])
    assert_fits_phone(page)
    screenshot(page, "console-cover-cropper-phone")
    page.watch.assert_clean()
    context.close()
