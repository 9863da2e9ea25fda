"""Posts the publishing desk tagged with a topic appear on the topic's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archivox.core.services import membership_grant
from archivox.publishing import services as publishing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(nanjing):
    user = UserFactory(username="reviewer")
    membership_grant(actor=None, archive=nanjing, user=user, role="reviewer")
    return user


def published_post(*, archive, author, reviewer, title, topics, capture):
    post = publishing.post_create(
        actor=author,
        archive=archive,
        title=title,
        body_html="<p>南京民国建筑的故事。</p>",
        digest="民国建筑",
        topics=topics,
        channels=["portal"],
    )
    publishing.post_submit(actor=author, post=post)
    for finding in publishing.post_screen(post=post).unresolved_warnings:
        publishing.screening_override(
            actor=reviewer, post=post, finding_key=finding.key, reason="checked"
        )
    post = publishing.post_approve(actor=reviewer, post=post)
    with capture(execute=True):
        publishing.post_publish_now(actor=author, post=post)
    return post


def test_posts_tagged_with_the_topic_appear_on_its_page_and_others_do_not(
    client, topic, nanjing, archivist, reviewer, django_capture_on_commit_callbacks
):
    tagged = published_post(
        archive=nanjing,
        author=archivist,
        reviewer=reviewer,
        title="总统府的百年",
        topics=["南京民国建筑"],
        capture=django_capture_on_commit_callbacks,
    )
    published_post(
        archive=nanjing,
        author=archivist,
        reviewer=reviewer,
        title="城墙里的南京",
        topics=["南京城墙"],
        capture=django_capture_on_commit_callbacks,
    )
    html = client.get("/archives/nanjing/topics/minguo/").content.decode()
    assert "总统府的百年" in html
    assert reverse("posts:detail", kwargs={"slug": "nanjing", "pk": tagged.pk}) in html
    assert "城墙里的南京" not in html
