"""Review at the archive's 1–3 levels (三审三校: first, second and final review): each level is
approved by a different reviewer, never by the author; each decision is recorded, shown as the
post's history and audited; a post sent back starts a new round."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from archivox.core.models import AuditEntry, Membership, Role
from archivox.publishing import selectors, services
from archivox.publishing.models import DeskSettings, Post, ReviewStep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_reviewer(archive):
    user = UserFactory(username="chen")
    Membership.objects.create(user=user, archive=archive, role=Role.REVIEWER)
    return user


@pytest.fixture
def third_reviewer(archive):
    user = UserFactory(username="sun")
    Membership.objects.create(user=user, archive=archive, role=Role.REVIEWER)
    return user


def _levels(archive, reviewer, n: int) -> None:
    services.desk_settings_update(actor=reviewer, archive=archive, review_levels=n)


def test_one_level_by_default_approves_with_one_reviewer(make_post, archivist, reviewer):
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    post = services.post_approve(actor=reviewer, post=post, comment="同意")
    assert post.status == Post.Status.APPROVED
    step = ReviewStep.objects.get(post=post)
    assert (step.level, step.levels, step.reviewer, step.note) == (1, 1, reviewer, "同意")


def test_two_levels_need_two_different_reviewers(
    make_post, archive, archivist, reviewer, second_reviewer
):
    _levels(archive, reviewer, 2)
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    post = services.post_approve(actor=reviewer, post=post)
    assert post.status == Post.Status.SUBMITTED  # the first review is done, the final awaits
    with pytest.raises(ValidationError, match="earlier level"):
        services.post_approve(actor=reviewer, post=post)
    state = selectors.review_state(user=reviewer, post=post)
    assert (state.level, state.levels, state.can_approve) == (2, 2, False)
    assert "another reviewer" in state.why_not
    assert selectors.review_state(user=second_reviewer, post=post).can_approve
    post = services.post_approve(actor=second_reviewer, post=post)
    assert post.status == Post.Status.APPROVED
    history = selectors.review_history(post=post)
    assert [(s.level, s.reviewer) for s in history] == [(1, reviewer), (2, second_reviewer)]
    assert [s.level_name for s in history] == ["first review", "final review"]
    approvals = AuditEntry.objects.filter(action="post.approve", object_id=str(post.pk))
    assert sorted(a.after["level"] for a in approvals) == [1, 2]


def test_three_levels_first_second_final(
    make_post, archive, archivist, reviewer, second_reviewer, third_reviewer
):
    _levels(archive, reviewer, 3)
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    for person in (reviewer, second_reviewer):
        post = services.post_approve(actor=person, post=post)
        assert post.status == Post.Status.SUBMITTED
    post = services.post_approve(actor=third_reviewer, post=post)
    assert post.status == Post.Status.APPROVED
    names = [s.level_name for s in selectors.review_history(post=post)]
    assert names == ["first review", "second review", "final review"]


def test_the_author_never_approves_at_any_level(
    make_post, archive, archivist_reviewer, reviewer, second_reviewer
):
    _levels(archive, reviewer, 2)
    post = make_post(actor=archivist_reviewer)
    services.post_submit(actor=archivist_reviewer, post=post)
    post.refresh_from_db()
    state = selectors.review_state(user=archivist_reviewer, post=post)
    assert not state.can_approve and "You wrote this post" in state.why_not
    with pytest.raises(ValidationError, match="cannot approve your own post"):
        services.post_approve(actor=archivist_reviewer, post=post)
    services.post_approve(actor=reviewer, post=post)
    with pytest.raises(ValidationError, match="cannot approve your own post"):
        services.post_approve(actor=archivist_reviewer, post=post)
    post = services.post_approve(actor=second_reviewer, post=post)
    assert post.status == Post.Status.APPROVED


def test_changes_requested_start_a_new_round(
    make_post, archive, archivist, reviewer, second_reviewer
):
    _levels(archive, reviewer, 2)
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    services.post_approve(actor=reviewer, post=post)
    services.post_request_changes(actor=second_reviewer, post=post, comment="图片说明有误")
    post.refresh_from_db()
    assert post.status == Post.Status.CHANGES_REQUESTED
    services.post_update(actor=archivist, post=post, title="改过的标题")
    services.post_submit(actor=archivist, post=post)
    post.refresh_from_db()
    # The round-1 approval does not count: the first review is asked again, and the reviewer who
    # asked for changes may now take the first level.
    state = selectors.review_state(user=second_reviewer, post=post)
    assert state.level == 1 and state.can_approve
    services.post_approve(actor=second_reviewer, post=post)
    post = services.post_approve(actor=reviewer, post=post)
    assert post.status == Post.Status.APPROVED
    rows = [(s.round, s.level, s.decision) for s in selectors.review_history(post=post)]
    assert rows == [
        (1, 1, "approved"),
        (1, 2, "changes_requested"),
        (2, 1, "approved"),
        (2, 2, "approved"),
    ]


def test_review_levels_are_one_to_three_set_by_a_reviewer_and_audited(archive, reviewer, archivist):
    with pytest.raises(ValidationError, match="one, two or three"):
        services.desk_settings_update(actor=reviewer, archive=archive, review_levels=4)
    with pytest.raises(PermissionDenied):
        services.desk_settings_update(actor=archivist, archive=archive, review_levels=2)
    assert selectors.review_levels(archive) == 1
    services.desk_settings_update(actor=reviewer, archive=archive, review_levels=3)
    assert DeskSettings.objects.get(archive=archive).review_levels == 3
    entry = AuditEntry.objects.get(action="publishing_settings.update")
    assert entry.before["review_levels"] == 1 and entry.after["review_levels"] == 3


@pytest.mark.chinese
def test_the_post_page_offers_approve_only_to_whom_may(
    client, make_post, archive, archivist_reviewer, reviewer, second_reviewer
):
    _levels(archive, reviewer, 2)
    post = make_post(actor=archivist_reviewer)
    services.post_submit(actor=archivist_reviewer, post=post)
    approve = f"/console/publishing/posts/{post.pk}/approve/"
    client.force_login(archivist_reviewer)
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    assert approve not in page
    assert "您是本稿作者" in page
    refused = client.post(approve, {"comment": ""})
    assert refused.status_code == 422
    client.force_login(reviewer)
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    assert approve in page and "初审" in page
    client.post(approve, {"comment": "史实无误"})
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    assert approve not in page and "终审" in page
    client.force_login(second_reviewer)
    client.post(approve, {"comment": ""})
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    assert "史实无误" in page and "审核记录" in page


def test_the_settings_page_sets_the_levels_and_keeps_a_bad_value(client, archive, reviewer):
    client.force_login(reviewer)
    url = f"/console/publishing/archives/{archive.slug}/settings/"
    bad = client.post(url, {"review_levels": "5", "freshness_days": "9"})
    assert bad.status_code == 422
    assert 'value="9"' in bad.content.decode()  # what was typed is kept
    assert selectors.review_levels(archive) == 1
    assert client.post(url, {"review_levels": "2", "freshness_days": "9"}).status_code == 200
    assert selectors.review_levels(archive) == 2
    assert selectors.freshness_days(archive) == 9
