"""A visitor on a phone reads a topic and posts a comment."""

import pytest

from archivox.topics.models import Comment
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.browser.test_polls import assert_controls_are_44px
from tests.topics.conftest import (  # noqa: F401
    CANARY,
    administrator,
    archivist,
    catalog,
    make_description,
    media_root,
    nanjing,
    post_moderated,
    topic,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_reads_a_topic_and_posts_a_comment(
    phone,
    live_server,
    topic,  # noqa: F811
    post_moderated,  # noqa: F811
):
    phone.goto(f"{live_server.url}/archives/nanjing/topics/{topic.slug}/")
    assert phone.locator("h1").inner_text() == "#南京民国建筑#"
    assert phone.locator("section.items li.item").count() == 2
    assert CANARY not in phone.content()
    image = phone.locator("section.items ul.gallery img")
    assert image.count() == 1
    image.scroll_into_view_if_needed()
    phone.wait_for_function(
        "() => document.querySelector('section.items ul.gallery img').naturalWidth > 0"
    )
    assert_fits_phone(phone)
    assert_controls_are_44px(phone)

    phone.fill("#comment-name", "老南京")
    phone.fill("#comment-body", "小时候常去<b>总统府</b>看展览。")
    phone.click("form.comment button[type=submit]")
    phone.wait_for_selector("ul.comments li.published")
    body = phone.locator("ul.comments li.published p.body").inner_text()
    assert body == "小时候常去<b>总统府</b>看展览。"
    assert phone.locator("ul.comments li.published b").count() == 0
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    assert_fits_phone(phone)
    screenshot(phone, "topic-comment")
    phone.watch.assert_clean()


def test_under_pre_moderation_the_phone_shows_the_comment_as_waiting(
    phone,
    live_server,
    topic,  # noqa: F811
):
    phone.goto(f"{live_server.url}/archives/nanjing/topics/{topic.slug}/")
    phone.fill("#comment-name", "游客")
    phone.fill("#comment-body", "请问开放时间？")
    phone.click("form.comment button[type=submit]")
    phone.wait_for_selector("ul.comments li.pending")
    assert phone.locator("ul.messages li.info").count() == 1
    assert Comment.objects.get().status == Comment.Status.PENDING
