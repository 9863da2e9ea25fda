"""Recall of published copies when a quoted catalog item is reclassified: found through the
item or a fonds above it, shown to the archive's staff with a notice, withdrawn per channel
(the website and feeds at once; email cannot be unsent), audited. The platforms' half (WeChat,
Weibo, over HTTP with a real worker) is in test_recall_end_to_end.py."""

from __future__ import annotations

import pytest
from django.core import mail

from archivox.catalog import services as catalog
from archivox.catalog.models import Description
from archivox.core.models import AuditEntry, Membership, Role
from archivox.publishing import services
from archivox.publishing.models import Delivery, EmailSubscriber, Notice, Post
from tests.factories import ArchiveFactory, UserFactory
from tests.publishing.conftest import png_bytes

pytestmark = pytest.mark.django_db

LOCAL = ["portal", "feed", "email"]


@pytest.fixture
def fonds(archive):
    """A fonds with a series and an open item with an image below it."""
    top = catalog.description_create(
        actor=None, archive=archive, reference_code="NJ-9", title="南京市政府全宗", level="fonds"
    )
    series = catalog.description_create(
        actor=None,
        archive=archive,
        parent=top,
        reference_code="NJ-9-1",
        title="城建类",
        level="series",
    )
    item = catalog.description_create(
        actor=None,
        archive=archive,
        parent=series,
        reference_code="NJ-9-1-7",
        title="中山陵图纸",
        level="item",
        scope_content="中山陵祭堂设计图，吕彦直绘。",
    )
    catalog.digital_object_add(actor=None, description=item, content=png_bytes())
    return {"fonds": top, "series": series, "item": item}


@pytest.fixture
def published(approved_post, archivist, archive, django_capture_on_commit_callbacks):
    EmailSubscriber.objects.create(archive=archive, email="r@example.cn", confirmed=True)

    def publish(**values):
        post = approved_post(channels=LOCAL, **values)
        with django_capture_on_commit_callbacks(execute=True):
            services.post_publish_now(actor=archivist, post=post)
        assert set(post.deliveries.values_list("status", flat=True)) == {"sent"}
        return post

    return publish


def copies_of(post) -> dict[str, Delivery]:
    """The post's recalled copies by channel."""
    return {d.channel: d for d in post.deliveries.exclude(recall_state="")}


def recalled():
    return Post.objects.filter(recall_found_at__isnull=False)


def reclassify(description, django_capture_on_commit_callbacks, **changes):
    """As the console's edit does: the catalog's service, committed (the recall listens)."""
    with django_capture_on_commit_callbacks(execute=True):
        catalog.description_update(actor=None, description=description, **changes)


def test_reclassifying_a_fonds_recalls_the_copies_of_a_post_quoting_an_item_below_it(
    published, fonds, archivist, reviewer, django_capture_on_commit_callbacks
):
    post = published(items=[{"description": fonds["item"], "use_image": True, "quote": True}])
    mail.outbox.clear()
    reclassify(fonds["fonds"], django_capture_on_commit_callbacks, access_level="confidential")

    post.refresh_from_db()
    assert post.recall_open
    assert post.recall_reason == "confidential"
    [entry] = post.recall_items
    assert entry["reference_code"] == "NJ-9-1-7"
    assert entry["via"] == {"reference_code": "NJ-9", "title": "南京市政府全宗", "level": "fonds"}
    copies = copies_of(post)
    assert {name: copy.recall_state for name, copy in copies.items()} == {
        "portal": "out",
        "feed": "out",
        "email": "cannot",
    }
    assert "cannot be taken back" in copies["email"].recall_note
    # Everyone who composes or reviews there is told, on the desk and by email.
    told = set(Notice.objects.filter(post=post).values_list("user__username", flat=True))
    assert told == {archivist.username, reviewer.username}
    assert "中山陵图纸" in Notice.objects.filter(post=post).first().message
    assert sorted(m.to[0] for m in mail.outbox) == sorted([archivist.email, reviewer.email])
    assert AuditEntry.objects.filter(action="recall.open", archive=post.archive).count() == 1


def test_the_staff_see_the_recall_on_the_dashboard_and_on_the_post(
    published, fonds, archivist, client, django_capture_on_commit_callbacks
):
    post = published(items=[{"description": fonds["item"], "quote": True}])
    reclassify(fonds["item"], django_capture_on_commit_callbacks, access_level="confidential")
    client.force_login(archivist)
    texts = [item.text for item in client.get("/console/").context["needs_me"]]
    assert any(post.title in text and "confidential" in text for text in texts), texts
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    assert "Published copies of this post quote an item that is now confidential" in page


def test_detection_is_idempotent_and_the_sweep_finds_what_no_signal_announced(
    published, fonds, archivist
):
    post = published(items=[{"description": fonds["item"], "quote": True}])
    # Changed behind the services' back (as a raw edit would): no signal was sent.
    Description.objects.filter(pk=fonds["item"].pk).update(effective_access="confidential")
    assert not recalled().exists()
    assert services.recalls_sweep() == []
    assert list(recalled()) == [post]
    notices = Notice.objects.filter(post=post).count()
    assert notices >= 1
    # Again and again: nothing new is recalled or announced.
    services.recalls_sweep()
    services.recalls_detect()
    assert list(recalled()) == [post] and len(copies_of(post)) == 3
    assert Notice.objects.filter(post=post).count() == notices
    assert AuditEntry.objects.filter(action__startswith="recall.").count() == 1


def test_a_restricted_item_recalls_only_the_copies_that_show_its_images(
    published, fonds, django_capture_on_commit_callbacks
):
    with_image = published(title="有图", items=[{"description": fonds["item"], "use_image": True}])
    text_only = published(title="无图", items=[{"description": fonds["item"], "quote": True}])
    reclassify(fonds["series"], django_capture_on_commit_callbacks, access_level="restricted")
    [recall] = recalled()
    assert recall == with_image and recall.recall_reason == "restricted"
    assert recall.recall_items[0]["via"]["reference_code"] == "NJ-9-1"
    text_only.refresh_from_db()
    assert not text_only.recall_open


def test_a_closure_date_recalls_too(published, fonds, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    post = published(items=[{"description": fonds["item"], "quote": True}])
    until = timezone.localdate() + datetime.timedelta(days=3650)
    reclassify(fonds["item"], django_capture_on_commit_callbacks, closed_until=until)
    post.refresh_from_db()
    assert post.recall_reason == "closed"
    assert post.recall_items[0]["closed_until"] == until.isoformat()
    assert post.recall_items[0]["via"] is None


def test_the_website_and_feeds_are_withdrawn_at_once_and_the_recall_closes(
    published, fonds, archivist, client, django_capture_on_commit_callbacks
):
    post = published(items=[{"description": fonds["item"], "quote": True}])
    assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 200
    reclassify(fonds["fonds"], django_capture_on_commit_callbacks, access_level="confidential")
    # The item is gone from the page at once (the access gateway); the page itself stays
    # until it is withdrawn.
    page = client.get(f"/archives/nanjing/posts/{post.pk}/").content.decode()
    assert "中山陵图纸" not in page
    copies = copies_of(post)
    client.force_login(archivist)
    for channel in ("portal", "feed"):
        copy = copies[channel]
        response = client.post(f"/console/publishing/deliveries/{copy.pk}/recall-withdraw/")
        assert response.status_code == 302
        copy.refresh_from_db()
        assert copy.recall_state == "withdrawn" and copy.recall_requested_by == archivist
        assert copy.status == "withdrawn"
    client.logout()
    assert client.get(f"/archives/nanjing/posts/{post.pk}/").status_code == 404
    assert f"/posts/{post.pk}/" not in client.get("/feeds/nanjing/atom.xml").content.decode()
    post.refresh_from_db()
    assert post.recall_closed_at is not None  # the email cannot be withdrawn: nothing left
    assert post.status == Post.Status.WITHDRAWN
    actions = list(
        AuditEntry.objects.filter(archive=post.archive, action__startswith="recall").values_list(
            "action", flat=True
        )
    )
    assert actions.count("recall_copy.withdraw") == 2
    assert actions.count("recall_copy.withdrawn") == 2
    assert "recall.close" in actions
    # Withdrawn is final; the email copy has no withdrawal.
    email = copies["email"]
    client.force_login(archivist)
    refused = client.post(f"/console/publishing/deliveries/{email.pk}/recall-withdraw/")
    assert refused.status_code == 422
    assert "cannot be taken back" in refused.content.decode()


def test_only_those_who_compose_may_withdraw_and_other_archives_see_nothing(
    published, fonds, reviewer, client, django_capture_on_commit_callbacks
):
    post = published(items=[{"description": fonds["item"], "quote": True}])
    reclassify(fonds["item"], django_capture_on_commit_callbacks, access_level="confidential")
    copy = copies_of(post)["portal"]
    url = f"/console/publishing/deliveries/{copy.pk}/recall-withdraw/"
    client.force_login(reviewer)
    assert client.get("/console/publishing/archives/nanjing/recalls/").status_code == 200
    assert client.post(url).status_code == 403
    copy.refresh_from_db()
    assert copy.recall_state == "out" and copy.status == "sent"
    other = ArchiveFactory(slug="suzhou")
    outsider = UserFactory(username="outsider")
    Membership.objects.create(user=outsider, archive=other, role=Role.ADMINISTRATOR)
    client.force_login(outsider)
    assert client.get("/console/publishing/archives/nanjing/recalls/").status_code == 403
    assert client.post(url).status_code == 403
    texts = [item.text for item in client.get("/console/").context["needs_me"]]
    assert not any(post.title in text for text in texts)


def test_a_delivery_not_sent_yet_is_held_back(
    approved_post, archivist, fonds, django_capture_on_commit_callbacks
):
    post = approved_post(channels=["email", "feed"], items=[{"description": fonds["item"]}])
    # The email is queued, not sent (no commit yet); our own feed was sent as it was made.
    services.post_publish_now(actor=archivist, post=post)
    reclassify(fonds["item"], django_capture_on_commit_callbacks, access_level="confidential")
    email = Delivery.objects.get(post=post, channel="email")
    assert email.status == "failed" and "held back" in email.error
    assert list(copies_of(post)) == ["feed"]


def test_a_post_published_after_its_item_was_reclassified_is_not_recalled(
    approved_post, archivist, fonds, django_capture_on_commit_callbacks
):
    post = approved_post(channels=["portal", "feed"], items=[{"description": fonds["item"]}])
    reclassify(fonds["item"], django_capture_on_commit_callbacks, access_level="confidential")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish_now(actor=archivist, post=post)
    # Rendered through the access gateway: the copies left the item out, and say so.
    for delivery in Delivery.objects.filter(post=post):
        assert delivery.status == "sent" and delivery.quoted == {"items": [], "images": []}
    services.recalls_sweep()
    assert not recalled().exists()


@pytest.mark.chinese
def test_the_recall_page_speaks_chinese_names_each_channel_and_says_when_there_is_nothing(
    published, fonds, archivist, client, django_capture_on_commit_callbacks
):
    client.force_login(archivist)
    empty = client.get(
        "/console/publishing/archives/nanjing/recalls/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "没有已发布的副本引用被重新划定开放范围的条目" in empty
    post = published(items=[{"description": fonds["item"], "quote": True}])
    reclassify(fonds["fonds"], django_capture_on_commit_callbacks, access_level="confidential")
    html = client.get(
        "/console/publishing/archives/nanjing/recalls/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "这些已发布的副本引用了现为保密的条目" in html
    assert "所属的全宗“南京市政府全宗”现已定为保密" in html
    for label in ("本馆网站", "订阅源", "订阅邮件"):
        assert label in html
    assert "立即下架" in html and "无法撤回" in html
    visible = html.split("<main", 1)[1]
    for slug in (">portal<", ">feed<", ">email<", ">out<", ">cannot<"):
        assert slug not in visible
    dashboard = client.get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"《{post.title}》的已发布副本引用了现为保密的条目" in dashboard
