"""Review: comments, approval at the archive's 1–3 levels (三审: first, second, final review),
changes requested. The author never approves, and one reviewer approves at most one level of a
post in a round of review (separation of duties); each decision is a ReviewStep and audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record
from archivox.publishing.models import Post, ReviewComment, ReviewStep
from archivox.publishing.selectors import review_levels
from archivox.publishing.services.desk import PublishingError, _check, _check_view, _transition
from archivox.publishing.services.screening import post_screen


@transaction.atomic
def post_comment(*, actor: User | None, post: Post, body: str) -> ReviewComment:
    _check_view(actor, post.archive)
    body = (body or "").strip()
    if not body:
        raise PublishingError({"body": _("the comment is empty")})
    comment = ReviewComment(post=post, author=actor, body=body)
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action="post.comment", obj=post, archive=post.archive)
    return comment


@transaction.atomic
def post_approve(*, actor: User | None, post: Post, comment: str = "") -> Post:
    """A reviewer of the archive approves the level of review a submitted post awaits, once every
    screening warning has an override; the last level approves the post. Not the post's author,
    and not one who approved another level of it in this round."""
    post = Post.objects.select_for_update(of=("self",)).select_related("archive").get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_REVIEW)
    if actor is not None and post.created_by_id == actor.pk:
        raise PublishingError({"__all__": _("you cannot approve your own post")})
    if post.status != Post.Status.SUBMITTED:
        raise PublishingError(
            {
                "__all__": _("only submitted posts can be approved; this one is %(status)s")
                % {"status": post.get_status_display()}
            }
        )
    approvals = ReviewStep.objects.filter(
        post=post, round=post.review_round, decision=ReviewStep.Decision.APPROVED
    )
    if actor is not None and approvals.filter(reviewer=actor).exists():
        raise PublishingError(
            {
                "__all__": _(
                    "you approved an earlier level of this post; the next level needs another "
                    "reviewer"
                )
            }
        )
    screening = post_screen(post=post)
    if screening.blocks:
        raise PublishingError({"screening": screening.blocks})
    if screening.unresolved_warnings:
        raise PublishingError(
            {
                "screening": [
                    _("warning not overridden: %(message)s («%(text)s» in %(field)s)")
                    % {"message": f.message, "text": f.text, "field": f.field}
                    for f in screening.unresolved_warnings
                ]
            }
        )
    levels = review_levels(post.archive)
    level = approvals.count() + 1
    note = (comment or "").strip()
    ReviewStep.objects.create(
        post=post,
        round=post.review_round,
        level=level,
        levels=levels,
        decision=ReviewStep.Decision.APPROVED,
        reviewer=actor,
        note=note,
    )
    if note:
        ReviewComment.objects.create(post=post, author=actor, body=note)
    if level < levels:
        audit_record(
            actor=actor,
            action="post.approve",
            obj=post,
            archive=post.archive,
            before={"status": post.status},
            after={"status": post.status, "level": level, "levels": levels},
        )
        return post
    _transition(
        actor=actor,
        post=post,
        to=Post.Status.APPROVED,
        action="post.approve",
        level=level,
        levels=levels,
    )
    return post


@transaction.atomic
def post_request_changes(*, actor: User | None, post: Post, comment: str) -> Post:
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_REVIEW)
    if post.status not in (Post.Status.SUBMITTED, Post.Status.APPROVED, Post.Status.SCHEDULED):
        raise PublishingError({"__all__": _("only posts in review can be sent back")})
    if not (comment or "").strip():
        raise PublishingError({"comment": _("say what should change")})
    levels = review_levels(post.archive)
    level = levels
    if post.status == Post.Status.SUBMITTED:
        level = min(
            levels,
            ReviewStep.objects.filter(
                post=post, round=post.review_round, decision=ReviewStep.Decision.APPROVED
            ).count()
            + 1,
        )
    ReviewStep.objects.create(
        post=post,
        round=post.review_round,
        level=level,
        levels=levels,
        decision=ReviewStep.Decision.CHANGES_REQUESTED,
        reviewer=actor,
        note=comment.strip(),
    )
    ReviewComment.objects.create(post=post, author=actor, body=comment.strip())
    post.scheduled_for = None
    _transition(
        actor=actor, post=post, to=Post.Status.CHANGES_REQUESTED, action="post.request_changes"
    )
    return post
