"""Published posts on the portal and in the feeds; the email subscription pages."""

from __future__ import annotations

import feedparser
import pytest
from django.core import mail

from archivox.publishing import selectors, services
from archivox.publishing.models import EmailSubscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(approved_post, archivist, django_capture_on_commit_callbacks):
    def make(**values):
        post = approved_post(**values)
        with django_capture_on_commit_callbacks(execute=True):
            services.post_publish_now(actor=archivist, post=post)
        post.refresh_from_db()
        return post

    return make


def test_the_post_page_links_to_each_item_s_portal_page(published, client):
    post = published()
    page = client.get(f"/archives/nanjing/posts/{post.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/archives/nanjing/catalog/NJ-1-1/" in html
    assert "南京城墙始建于明代" in html
    assert "馆藏" in html or "From the holdings" in html


def test_drafts_and_approved_posts_are_not_public(approved_post, make_post, client):
    for post in (make_post(), approved_post()):
        assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 404
    assert "<entry>" not in client.get("/feeds/nanjing/atom.xml").content.decode()


def test_post_list_public_filters_by_topic_for_the_topics_pages(published, archive):
    walls = published(title="城墙", topics=["南京城墙", "明代"])
    published(title="秦淮", topics=["秦淮河"])
    assert [p.pk for p in selectors.post_list_public(archive=archive, topic="明代")] == [walls.pk]
    assert [p.pk for p in selectors.post_list_public(archive=archive, topic="#明代#")] == [walls.pk]
    assert len(selectors.post_list_public(archive=archive)) == 2
    assert len(selectors.post_list_public(archive=archive, limit=1)) == 1


def test_feeds_validate_as_atom_and_rss_with_one_entry_per_post(published, client):
    posts = [published(title=f"第{n}篇") for n in range(3)]
    for name, version in (("atom", "atom10"), ("rss", "rss20")):
        parsed = feedparser.parse(client.get(f"/feeds/nanjing/{name}.xml").content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == version
        links = [entry.link for entry in parsed.entries]
        assert len(links) == len(set(links)) == 3
        assert {e.title for e in parsed.entries} == {p.title for p in posts}
    atom = feedparser.parse(client.get("/feeds/nanjing/atom.xml").content)
    assert "南京城墙始建于明代" in atom.entries[0].content[0].value
    assert atom.entries[0].tags[0].term == "南京城墙"


def test_a_correction_is_shown_and_logged_as_a_revision_with_its_reason(
    published, archivist, client
):
    post = published()
    revision = services.post_correct(
        actor=archivist, post=post, reason="年代有误", body_html="<p>南京城墙建于明洪武年间。</p>"
    )
    assert revision.is_correction and revision.reason == "年代有误"
    assert "洪武" in client.get(f"/archives/nanjing/posts/{post.pk}/").content.decode()
    parsed = feedparser.parse(client.get("/feeds/nanjing/atom.xml").content)
    assert len(parsed.entries) == 1 and "洪武" in parsed.entries[0].content[0].value
    with pytest.raises(Exception, match="needs a reason"):
        services.post_correct(actor=archivist, post=post, reason="", title="x")


def test_unknown_archive_feed_is_404(client, db):
    assert client.get("/feeds/nowhere/atom.xml").status_code == 404


def test_double_opt_in_then_one_click_unsubscribe(
    archive, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/archives/nanjing/posts/subscribe/", {"email": "Reader@Example.cn"})
    assert response.status_code == 200
    subscriber = EmailSubscriber.objects.get()
    assert subscriber.email == "reader@example.cn" and not subscriber.confirmed
    [message] = mail.outbox
    confirm_path = f"/archives/nanjing/posts/subscribe/confirm/{subscriber.token}/"
    assert confirm_path in message.body
    # Following the link (as a mail scanner would) confirms nothing; the button does.
    client.get(confirm_path)
    subscriber.refresh_from_db()
    assert not subscriber.confirmed
    client.post(confirm_path)
    subscriber.refresh_from_db()
    assert subscriber.confirmed
    # RFC 8058 one-click: a POST without a CSRF token, as mail clients send it.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/archives/nanjing/posts/subscribe/unsubscribe/{subscriber.token}/",
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_a_bad_email_address_is_refused_with_a_clear_message(archive, client):
    response = client.post("/archives/nanjing/posts/subscribe/", {"email": "not-an-address"})
    assert response.status_code == 422
    assert "enter a valid email address" in response.content.decode()
    assert not EmailSubscriber.objects.exists()


def test_post_list_and_feeds_take_a_fixed_number_of_queries(
    published, client, django_assert_max_num_queries, archivist
):
    for n in range(6):
        published(title=f"第{n}篇")
    for path in ("/archives/nanjing/posts/", "/feeds/nanjing/atom.xml", "/feeds/nanjing/rss.xml"):
        with django_assert_max_num_queries(6):
            assert client.get(path).status_code == 200
    client.force_login(archivist)
    with django_assert_max_num_queries(20):
        assert client.get("/console/publishing/?archive=nanjing").status_code == 200


def test_the_post_page_shows_its_cover_and_the_open_item_s_image(
    make_post, archivist, reviewer, client, django_capture_on_commit_callbacks
):
    from tests.publishing.conftest import jpeg_bytes

    post = make_post()
    services.post_set_cover(actor=archivist, post=post, content=jpeg_bytes())
    services.post_submit(actor=archivist, post=post)
    services.post_approve(actor=reviewer, post=post)
    cover = f"/archives/nanjing/posts/{post.pk}/cover/"
    assert client.get(cover).status_code == 404  # not published yet
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish_now(actor=archivist, post=post)
    response = client.get(cover)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    page = client.get(f"/archives/nanjing/posts/{post.pk}/").content.decode()
    assert cover in page
    assert "/thumbnail/" in page  # the open item's image
