"""Review: comments, approval by a reviewer other than the author, changes requested."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record
from archivox.publishing.models import Post, ReviewComment
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
    """A reviewer of the archive (not the post's author) approves a submitted post, once every
    screening warning has an override."""
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
    if comment.strip():
        ReviewComment.objects.create(post=post, author=actor, body=comment.strip())
    _transition(actor=actor, post=post, to=Post.Status.APPROVED, action="post.approve")
    return post


@transaction.atomic
def post_request_changes(*, actor: User | None, post: Post, comment: str) -> Post:
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_REVIEW)
    if post.status not in (Post.Status.SUBMITTED, Post.Status.APPROVED, Post.Status.SCHEDULED):
        raise PublishingError({"__all__": _("only posts in review can be sent back")})
    if not (comment or "").strip():
        raise PublishingError({"comment": _("say what should change")})
    ReviewComment.objects.create(post=post, author=actor, body=comment.strip())
    post.scheduled_for = None
    _transition(
        actor=actor, post=post, to=Post.Status.CHANGES_REQUESTED, action="post.request_changes"
    )
    return post
