"""The publishing desk in Chromium (issue 21): an editor writes an article in the rich-text editor
with two catalog items' pictures, chosen from the picker without reloading the page, previews it
in the phone frame; the archive requires two levels of review; the author is not offered
approval, two reviewers approve at the two levels (one of them on a 360 px phone) and the post
is published to WeChat (sandbox), the portal and the feeds. Screenshots at 1280 and 360 px."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from archivox.catalog import services as catalog
from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.publishing.models import Delivery, Post, ReviewStep
from tests.browser.conftest import PageWatch, screenshot, search_picker
from tests.factories import ArchiveFactory, UserFactory
from tests.publishing.conftest import png_bytes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TITLE = "城墙与城门：馆藏老照片里的南京"


@pytest.fixture
def desk_data(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.WEIBO_API = f"{live_server.url}/sandbox/weibo"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    people = {}
    for username, role in (
        ("wang", Role.ARCHIVIST),
        ("li", Role.REVIEWER),
        ("chen", Role.REVIEWER),
    ):
        people[username] = UserFactory(username=username)
        membership_grant(actor=None, archive=archive, user=people[username], role=role)
    # The author also holds the reviewer role: the desk must still not let them approve.
    membership_grant(actor=None, archive=archive, user=people["wang"], role=Role.REVIEWER)
    for code, title, color in (
        ("NJ-2-001", "中华门城堡旧影", "saddlebrown"),
        ("NJ-2-002", "挹江门城楼旧影", "darkolivegreen"),
    ):
        item = catalog.description_create(
            actor=None,
            archive=archive,
            parent=None,
            reference_code=code,
            title=title,
            level="item",
            scope_content=f"{title}，民国时期照片。",
        )
        catalog.digital_object_add(
            actor=None,
            description=item,
            content=png_bytes((600, 400), color),
            original_name=f"{code}.png",
        )
    catalog.description_create(
        actor=None,
        archive=archive,
        parent=None,
        reference_code="NJ-2-003",
        title="城防机密图",
        level="item",
        access_level="confidential",
    )
    call_command("sandbox_provision", "nanjing", verbosity=0)
    return archive


@pytest.fixture
def browser_as(chromium, live_server):
    contexts = []

    def open_as(username: str, width: int = 1280):
        phone = width < 500
        context = chromium.new_context(
            viewport={"width": width, "height": 740 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        )
        contexts.append(context)
        page = context.new_page()
        page.watch = PageWatch(page, live_server.url)
        page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        _arrive(page, f"{live_server.url}/console/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _arrive(page, pattern: str = "**") -> None:
    page.wait_for_url(pattern)
    page.wait_for_load_state("networkidle")


def _ok(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{name} is {width}px wide at {viewport}px"
    screenshot(page, f"desk-{name}-{viewport}")
    page.watch.assert_clean()


def test_an_editor_writes_in_the_rich_editor_two_reviewers_approve_at_two_levels_it_publishes(
    browser_as, live_server, desk_data
):
    base = live_server.url

    # A reviewer sets two levels of review (初审, 终审) on the desk's settings page.
    li = browser_as("li")
    li.goto(f"{base}/console/publishing/archives/nanjing/settings/")
    li.select_option("#review_levels", "2")
    li.click("main form button[type=submit]")
    li.wait_for_load_state("networkidle")
    assert "已保存" in li.locator("main").inner_text()

    # The editor writes the article in the rich-text editor.
    wang = browser_as("wang")
    wang.goto(f"{base}/console/publishing/archives/nanjing/new/")
    wang.wait_for_load_state("networkidle")
    assert wang.locator(".ql-toolbar").count() == 1
    assert wang.locator("#body_html").is_hidden()
    wang.fill("#title", TITLE)
    wang.fill("#author", "南京市档案馆")
    editor = wang.locator(".ql-editor")
    editor.click()
    wang.keyboard.type("南京城墙的城门，在馆藏老照片里。")
    wang.keyboard.press("Enter")
    wang.keyboard.type("中华门是南京城墙规模最大的城门。")
    assert "微信上限 20000" in wang.locator("[data-count-for=body_html]").inner_text()

    # The picker: a search without leaving the page (the text stays), two items and their
    # pictures; the confidential item is never offered.
    search_picker(wang, "旧影")
    assert "城防机密图" not in wang.locator("#picker").inner_text()
    assert "中华门是南京城墙" in editor.inner_text()
    for title in ("中华门城堡旧影", "挹江门城楼旧影"):
        row = wang.locator("table.candidates tr", has_text=title)
        row.locator("input[name^=use_image_]").check()
        row.locator("input[name=item]").check()
        assert wang.locator("table.chosen tr", has_text=title).count() == 1
    for channel in ("wechat", "portal", "feed"):
        wang.locator(f"input[name=channels][value={channel}]").check()
    for channel in ("weibo", "email"):
        wang.locator(f"input[name=channels][value={channel}]").uncheck()
    _ok(wang, "compose")
    wang.click("form.compose > button[type=submit]")
    _arrive(wang, "**/console/publishing/posts/*/")
    post = Post.objects.get(title=TITLE)
    assert "<p>中华门是南京城墙规模最大的城门。</p>" in post.body_html
    assert post.post_items.filter(use_image=True).count() == 2

    # The phone-frame preview of the WeChat article shows both pictures.
    phone_frame = wang.locator(".preview-wechat .phone")
    assert phone_frame.locator("img[src^='data:image/']").count() == 2
    assert "阅读原文" in phone_frame.inner_text()
    _ok(wang, "post-draft")
    wang.click(f"form[action='/console/publishing/posts/{post.pk}/submit/'] button")
    _arrive(wang, f"**/console/publishing/posts/{post.pk}/")
    # The author holds the reviewer role but is not offered approval.
    assert wang.locator(f"form[action='/console/publishing/posts/{post.pk}/approve/']").count() == 0
    assert "您是本稿作者" in wang.locator("main").inner_text()
    _ok(wang, "post-submitted-author")

    # 初审 at the office desk.
    li.goto(f"{base}/console/publishing/posts/{post.pk}/")
    li.wait_for_load_state("networkidle")
    approve = li.locator(f"form[action='/console/publishing/posts/{post.pk}/approve/']")
    assert "初审" in approve.inner_text()
    approve.locator("input[name=comment]").fill("史实核对无误。")
    approve.locator("button").click()
    _arrive(li, f"**/console/publishing/posts/{post.pk}/")
    assert li.locator(f"form[action='/console/publishing/posts/{post.pk}/approve/']").count() == 0
    assert "下一级须由另一位审核人" in li.locator("main").inner_text()
    post.refresh_from_db()
    assert post.status == Post.Status.SUBMITTED

    # 终审 on a phone.
    chen = browser_as("chen", width=360)
    chen.goto(f"{base}/console/publishing/posts/{post.pk}/")
    chen.wait_for_load_state("networkidle")
    approve = chen.locator(f"form[action='/console/publishing/posts/{post.pk}/approve/']")
    assert "终审" in approve.inner_text()
    approve.locator("button").click()
    _arrive(chen, f"**/console/publishing/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    history = chen.locator("section.review-history").inner_text()
    assert "初审" in history and "终审" in history and "史实核对无误" in history
    _ok(chen, "post-approved")
    assert list(
        ReviewStep.objects.filter(post=post).values_list("level", "reviewer__username")
    ) == [(1, "li"), (2, "chen")]

    # The author publishes it now.
    wang.reload()
    wang.click(f"form[action='/console/publishing/posts/{post.pk}/publish/'] button")
    _arrive(wang, f"**/console/publishing/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    sent = dict(Delivery.objects.filter(post=post).values_list("channel", "status"))
    assert sent == dict.fromkeys(("wechat", "portal", "feed"), Delivery.Status.SENT)
    _ok(wang, "post-published")
