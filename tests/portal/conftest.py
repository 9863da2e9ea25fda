# Shared catalog fixtures (one definition for the catalog and portal tests).
import datetime

import pytest
from django.utils import timezone

from archivox.core.models import Membership, Role
from archivox.exhibitions import services as exhibitions
from archivox.polls import services as polls
from archivox.publishing import services as publishing
from archivox.topics import services as topics
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import UserFactory


@pytest.fixture
def staff(db):
    """An archivist and a reviewer per archive (a post needs both to be published)."""
    made = {}

    def for_archive(archive):
        if archive.pk not in made:
            archivist = UserFactory(username=f"archivist-{archive.slug}")
            reviewer = UserFactory(username=f"reviewer-{archive.slug}")
            Membership.objects.create(user=archivist, archive=archive, role=Role.ARCHIVIST)
            Membership.objects.create(user=reviewer, archive=archive, role=Role.REVIEWER)
            made[archive.pk] = (archivist, reviewer)
        return made[archive.pk]

    return for_archive


@pytest.fixture
def publish_post(staff, django_capture_on_commit_callbacks):
    """A post taken through the desk's real workflow to the portal channel."""

    def publish(archive, title, **values):
        archivist, reviewer = staff(archive)
        values.setdefault("body_html", "<p>南京城墙始建于明代。</p>")
        values.setdefault("channels", ["portal"])
        post = publishing.post_create(actor=archivist, archive=archive, title=title, **values)
        publishing.post_submit(actor=archivist, post=post)
        for finding in publishing.post_screen(post=post).unresolved_warnings:
            publishing.screening_override(
                actor=reviewer, post=post, finding_key=finding.key, reason="checked"
            )
        post = publishing.post_approve(actor=reviewer, post=post)
        with django_capture_on_commit_callbacks(execute=True):
            publishing.post_publish_now(actor=archivist, post=post)
        post.refresh_from_db()
        return post

    return publish


@pytest.fixture
def make_exhibition():
    def make(archive, slug, title, *, publish=True):
        exhibition = exhibitions.exhibition_create(
            actor=None, archive=archive, slug=slug, title=title, summary=f"{title}简介"
        )
        exhibitions.section_add(actor=None, exhibition=exhibition, title="序")
        if publish:
            exhibitions.exhibition_publish(actor=None, exhibition=exhibition)
        return exhibition

    return make


@pytest.fixture
def make_event():
    def make(archive, slug, title, *, days=7, publish=True):
        starts = timezone.now() + datetime.timedelta(days=days)
        event = exhibitions.event_create(
            actor=None,
            archive=archive,
            slug=slug,
            title=title,
            speaker="王教授",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            capacity=50,
            place="一楼报告厅",
        )
        if publish:
            exhibitions.event_publish(actor=None, event=event)
        return event

    return make


@pytest.fixture
def make_topic():
    def make(archive, name, **values):
        return topics.topic_create(actor=None, archive=archive, name=name, **values)

    return make


@pytest.fixture
def make_poll():
    def make(archive, slug, title, *, opened_days_ago=1, closes_in_days=None):
        now = timezone.now()
        return polls.questionnaire_create(
            actor=None,
            archive=archive,
            slug=slug,
            title=title,
            opens_at=now - datetime.timedelta(days=opened_days_ago),
            closes_at=now + datetime.timedelta(days=closes_in_days)
            if closes_in_days is not None
            else None,
        )

    return make
