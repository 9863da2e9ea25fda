"""Topic pages (catalog material only through the access gateway) and their discussion:
moderation, screening, rate limits, escaping."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from archivox.core.models import AuditEntry
from archivox.core.screening import sensitive_word_add
from archivox.polls.identity import COOKIE_NAME, Person, follower_person_id
from archivox.topics import selectors, services
from archivox.topics.models import Comment
from tests.factories import ArchiveFactory, UserFactory
from tests.helpers import room_in_window
from tests.topics.conftest import CANARY, CLOSED_CANARY

pytestmark = pytest.mark.django_db

URL = "/archives/nanjing/topics/minguo/"
API = "/api/v1/engagement/topics/nanjing/minguo"


def comment(client, body="我小时候常去总统府。", name="老南京", follow=False, **extra):
    return client.post(URL, {"display_name": name, "body": body, **extra}, follow=follow)


def test_a_topic_page_shows_open_items_with_images_and_restricted_ones_without(
    client, topic, catalog
):
    html = client.get(URL).content.decode()
    assert "#南京民国建筑#" in html
    assert "总统府历史照片" in html
    assert reverse("portal:digital_object_thumbnail", args=[catalog["objects"]["open"].pk]) in html
    assert "中山陵建筑设计图纸" in html
    assert (
        reverse("portal:digital_object_thumbnail", args=[catalog["objects"]["restricted"].pk])
        not in html
    )


def test_a_confidential_or_closed_item_never_shows_on_a_topic_page_or_its_api(
    client, topic, catalog
):
    secret_image = reverse("portal:digital_object", args=[catalog["objects"]["secret"].pk])
    for body in (client.get(URL).content.decode(), client.get(API).content.decode()):
        assert CANARY not in body and CLOSED_CANARY not in body
        assert "MG-003" not in body and "MG-004" not in body
        assert secret_image not in body
    api = client.get(API).json()
    assert [item["reference_code"] for item in api["items"]] == ["MG-001", "MG-002"]
    assert api["items"][1]["images"] == []


def test_the_topic_description_is_sanitised(topic):
    assert "<script" not in topic.description and "onclick" not in topic.description
    assert topic.name == "南京民国建筑"


def test_under_pre_moderation_a_comment_is_hidden_until_a_moderator_approves(
    client, topic, archivist
):
    sent = comment(client, follow=True)
    assert "once a moderator has read it" in sent.content.decode()
    stored = Comment.objects.get()
    assert stored.status == Comment.Status.PENDING
    # The author sees it, marked as waiting; nobody else does.
    assert "Only you see this" in client.get(URL).content.decode()
    stranger = client.__class__()
    assert "我小时候常去总统府" not in stranger.get(URL).content.decode()
    assert client.get(API).json()["comments"] == []

    queue = selectors.moderation_queue(user=archivist, archive=topic.archive)
    assert list(queue) == [stored]
    services.comment_approve(actor=archivist, comment=stored)
    assert "我小时候常去总统府" in stranger.get(URL).content.decode()
    entry = AuditEntry.objects.get(action="comment.approve")
    assert entry.actor == archivist and entry.after == {"status": "published"}


def test_under_post_moderation_a_comment_shows_at_once_and_a_moderator_can_hide_it(
    client, topic, archivist, post_moderated
):
    comment(client)
    stranger = client.__class__()
    assert "我小时候常去总统府" in stranger.get(URL).content.decode()
    services.comment_hide(actor=archivist, comment=Comment.objects.get())
    assert "我小时候常去总统府" not in stranger.get(URL).content.decode()
    assert AuditEntry.objects.filter(action="comment.hide", actor=archivist).exists()


def test_a_blocked_word_refuses_the_comment_and_keeps_the_text_for_editing(
    client, topic, nanjing, post_moderated
):
    sensitive_word_add(actor=None, archive=nanjing, word="违禁词", severity="block")
    page = comment(client, body="这里有违禁词呢")
    assert page.status_code == 400
    html = page.content.decode()
    assert "cannot be published as written" in html
    assert "这里有违禁词呢</textarea>" in html
    assert Comment.objects.count() == 0


def test_a_warning_sends_the_comment_to_moderation_even_under_post_moderation(
    client, topic, nanjing, post_moderated
):
    sensitive_word_add(actor=None, archive=nanjing, word="可疑词", severity="warn")
    comment(client, body="有点可疑词")
    stored = Comment.objects.get()
    assert stored.status == Comment.Status.PENDING
    assert stored.flags[0]["severity"] == "warn" and stored.flags[0]["text"] == "可疑词"


def test_html_in_a_comment_is_shown_escaped(client, topic, post_moderated):
    comment(client, body='<script>alert("x")</script><b>粗</b>', name="<i>名</i>")
    html = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;粗&lt;/b&gt;" in html
    assert "&lt;i&gt;名&lt;/i&gt;" in html
    assert '<script>alert("x")' not in html
    assert Comment.objects.get().body.startswith("<script>")


def test_too_long_or_empty_comments_are_refused_with_the_reason(client, topic):
    page = comment(client, body="长" * (services.MAX_COMMENT + 1))
    assert page.status_code == 400
    assert f"at most {services.MAX_COMMENT}" in page.content.decode()
    assert comment(client, body="   ").status_code == 400
    assert comment(client, name="").status_code == 400
    assert Comment.objects.count() == 0


def test_a_person_commenting_too_often_is_stopped(client, topic, settings):
    settings.TOPICS_COMMENT_RATE = (3, 300)
    room_in_window(300)
    assert [comment(client, body=f"第{n}条").status_code for n in range(3)] == [302] * 3
    refused = comment(client, body="第四条")
    assert refused.status_code == 429
    assert "very quickly" in refused.content.decode()
    assert "第四条</textarea>" in refused.content.decode()
    assert Comment.objects.count() == 3
    # Someone else is not held back by the first person's flood.
    assert comment(client.__class__(), body="另一个人").status_code == 302


def test_a_flood_from_one_connection_with_fresh_cookies_is_stopped(client, topic, settings):
    settings.TOPICS_COMMENT_CLIENT_RATE = (2, 300)
    room_in_window(300)
    codes = [comment(client.__class__(), body=f"第{n}条").status_code for n in range(3)]
    assert codes == [302, 302, 429]


def test_a_wechat_follower_comments_through_the_signed_link(client, topic, nanjing):
    link = selectors.topic_link_for_follower(topic=topic, openid="o-commenter")
    assert link.startswith(f"{settings.BASE_URL}{URL}?t=")
    token = parse_qs(urlsplit(link).query)["t"][0]
    assert 'name="t"' in client.get(link[len(settings.BASE_URL) :]).content.decode()
    comment(client, t=token)
    stored = Comment.objects.get()
    # Held by a keyed digest of the openid, never the openid itself.
    assert (stored.channel, stored.person_id) == ("wechat", follower_person_id("o-commenter"))
    forged = comment(client, t=token + "x")
    assert forged.status_code == 403 and "not valid" in forged.content.decode()


def test_a_browser_gets_a_signed_cookie_and_keeps_its_identity(client, topic):
    response = comment(client)
    assert COOKIE_NAME in response.cookies
    comment(client, body="第二条")
    people = set(Comment.objects.values_list("person_id", flat=True))
    assert len(people) == 1


def test_the_api_comments_and_reports_refusals(client, topic, nanjing, post_moderated):
    url = f"{API}/comments"
    created = client.post(
        url, {"display_name": "甲", "body": "好"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "published"
    sensitive_word_add(actor=None, archive=nanjing, word="违禁词", severity="block")
    refused = client.post(
        url, {"display_name": "甲", "body": "违禁词"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["findings"][0]["kind"] == "sensitive_word"
    assert [c["body"] for c in client.get(API).json()["comments"]] == ["好"]


def test_staff_moderate_and_set_the_policy_through_the_api(client, topic, archivist, administrator):
    services.comment_post(
        topic=topic, person=Person("web", "p1"), display_name="乙", body="等待审核"
    )
    client.force_login(archivist)
    queue = client.get("/api/v1/engagement/topics/staff/nanjing/moderation").json()
    assert [c["body"] for c in queue] == ["等待审核"]
    approved = client.post(f"/api/v1/engagement/topics/staff/comments/{queue[0]['id']}/approve")
    assert approved.json()["status"] == "published"
    # Only an administrator sets the archive's policy.
    policy = client.put(
        "/api/v1/engagement/topics/staff/nanjing/settings",
        {"moderation": "post"},
        content_type="application/json",
    )
    assert policy.status_code == 403
    client.force_login(administrator)
    policy = client.put(
        "/api/v1/engagement/topics/staff/nanjing/settings",
        {"moderation": "post"},
        content_type="application/json",
    )
    assert policy.json() == {"moderation": "post"}


def test_staff_of_another_archive_cannot_moderate(client, topic):
    other = ArchiveFactory(slug="suzhou")
    outsider = UserFactory(username="suzhou-staff")
    from archivox.core.services import membership_grant

    membership_grant(actor=None, archive=other, user=outsider, role="archivist")
    stored = services.comment_post(
        topic=topic, person=Person("web", "p1"), display_name="乙", body="等待审核"
    )
    client.force_login(outsider)
    assert (
        client.post(f"/console/topics/comments/{stored.pk}/", {"action": "approve"}).status_code
        == 403
    )
    assert client.get("/api/v1/engagement/topics/staff/nanjing/moderation").status_code == 403
    stored.refresh_from_db()
    assert stored.status == Comment.Status.PENDING


def test_a_topic_links_only_its_own_archives_descriptions(topic, archivist, make_description):
    other = ArchiveFactory(slug="suzhou")
    foreign = make_description("SZ-1", "拙政园", archive=other)
    with pytest.raises(ValidationError, match="its own archive"):
        services.topic_item_add(actor=archivist, topic=topic, description=foreign)


def test_the_console_creates_a_topic_links_items_and_moderates(client, nanjing, archivist, catalog):
    client.force_login(archivist)
    created = client.post(
        "/console/topics/", {"archive": "nanjing", "name": "#总统府#", "slug": "palace"}
    )
    pk = int(created["Location"].rstrip("/").split("/")[-1])
    client.post(f"/console/topics/{pk}/", {"action": "add_item", "reference_code": "MG-001"})
    missing = client.post(
        f"/console/topics/{pk}/", {"action": "add_item", "reference_code": "NOPE"}, follow=True
    )
    assert "No description with reference code" in missing.content.decode()
    topic = selectors.topic_get_for_staff(user=archivist, pk=pk)
    assert [d.reference_code for d in selectors.topic_items_for_staff(topic=topic)] == ["MG-001"]
    stored = services.comment_post(
        topic=topic, person=Person("web", "p"), display_name="丙", body="<b>请审核</b>"
    )
    page = client.get("/console/topics/").content.decode()
    assert "&lt;b&gt;请审核&lt;/b&gt;" in page
    client.post(f"/console/topics/comments/{stored.pk}/", {"action": "approve"})
    stored.refresh_from_db()
    assert stored.status == Comment.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="topic_item.add", archive=nanjing).count() == 1


def test_a_closed_topic_takes_no_comments(client, topic, archivist):
    services.topic_update(actor=archivist, topic=topic, comments_open=False)
    page = comment(client)
    assert page.status_code == 400
    assert "does not take comments" in page.content.decode()
    assert Comment.objects.count() == 0


def test_an_unpublished_topic_is_not_public(client, topic, archivist):
    services.topic_update(actor=archivist, topic=topic, is_published=False)
    assert client.get(URL).status_code == 404
    assert client.get(API).status_code == 404


def test_the_topic_page_reads_a_fixed_number_of_queries_however_many_items(
    client, topic, archivist, make_description
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    before = count()
    for n in range(10):
        item = make_description(f"MG-1{n:02d}", f"照片{n}")
        services.topic_item_add(actor=archivist, topic=topic, description=item)
        services.comment_approve(
            actor=archivist,
            comment=services.comment_post(
                topic=topic, person=Person("web", f"p{n}"), display_name="甲", body=f"评论{n}"
            ),
        )
    assert count() == before


def test_the_console_moderation_refuses_unknown_actions_and_foreign_addresses(
    client, topic, archivist
):
    stored = services.comment_post(
        topic=topic, person=Person("web", "p2"), display_name="丁", body="待审"
    )
    client.force_login(archivist)
    url = f"/console/topics/comments/{stored.pk}/"
    unknown = client.post(url, {"action": "delete", "next": "https://evil.example/"})
    assert unknown.status_code == 302 and unknown["Location"] == "/console/topics/"
    assert "Unknown action." in client.get("/console/topics/").content.decode()
    stored.refresh_from_db()
    assert stored.status == Comment.Status.PENDING
    back = f"/console/topics/{topic.pk}/"
    hidden = client.post(url, {"action": "hide", "next": back})
    assert hidden["Location"] == back
    stored.refresh_from_db()
    assert stored.status == Comment.Status.HIDDEN
    client.post(
        back, {"action": "update", "name": topic.name, "description": "新说明", "is_published": "1"}
    )
    topic.refresh_from_db()
    assert topic.description == "新说明" and topic.is_published and not topic.comments_open
    before = services.discussion_settings_for(topic.archive).moderation
    refused = client.post(
        "/console/topics/", {"archive": "nanjing", "action": "settings", "moderation": "none"}
    )
    assert refused.status_code == 403  # the policy is the archive administrator's
    assert services.discussion_settings_for(topic.archive).moderation == before


def test_a_refused_new_topic_keeps_what_was_typed(client, nanjing, archivist):
    client.force_login(archivist)
    client.post("/console/topics/", {"archive": "nanjing", "name": "#总统府#", "slug": "palace"})
    again = client.post(
        "/console/topics/",
        {"archive": "nanjing", "name": "#总统府旧影#", "slug": "palace", "description": "新的介绍"},
    )
    assert again.status_code == 400
    page = again.content.decode()
    assert 'value="#总统府旧影#"' in page and ">新的介绍</textarea>" in page
    assert "<details open>" in page
