"""Comments: ``comments/create`` and ``comments/reply`` on an existing status."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.errors import invalid_parameter as _invalid
from archivox.sandbox.weibo.errors import missing_parameter as _missing
from archivox.sandbox.weibo.models import (
    WeiboApp,
    WeiboAuthorization,
    WeiboComment,
    WeiboStatus,
    WeiboUser,
)
from archivox.sandbox.weibo.selectors import status_get
from archivox.sandbox.weibo.services.ids import next_id
from archivox.sandbox.weibo.services.statuses import _mentioned
from archivox.sandbox.weibo.services.text import _check_rip, _check_text


def _comment(comment_id: Any, status: WeiboStatus) -> WeiboComment:
    try:
        key = int(comment_id)
    except (TypeError, ValueError) as exc:
        raise _invalid("cid", "a comment id", str(comment_id)) from exc
    comment = WeiboComment.objects.select_related("user").filter(pk=key, status=status).first()
    if comment is None:
        raise SandboxWeiboError(20201, "Target weibo comment does not exist!")
    return comment


def _add_comment(
    *,
    status: WeiboStatus,
    user: WeiboUser,
    text: str,
    app: WeiboApp | None = None,
    reply_to: WeiboComment | None = None,
    rip: str = "",
) -> WeiboComment:
    comment = WeiboComment.objects.create(
        id=next_id(), status=status, user=user, app=app, reply_to=reply_to, text=text, rip=rip
    )
    comment.mentions.set(_mentioned(text))
    return comment


@transaction.atomic
def sandbox_weibo_comment_create(
    *,
    authorization: WeiboAuthorization,
    status_id: Any,
    comment: str | None,
    rip: str | None = None,
) -> WeiboComment:
    """``comments/create``: at most 140 characters on an existing status."""
    if status_id in (None, ""):
        raise _missing("id")
    if comment is None:
        raise _missing("comment")
    _check_text(comment)
    status = status_get(status_id)
    return _add_comment(
        status=status,
        user=authorization.user,
        app=authorization.app,
        text=comment,
        rip=_check_rip(rip) if rip else "",
    )


@transaction.atomic
def sandbox_weibo_comment_reply(
    *,
    authorization: WeiboAuthorization,
    status_id: Any,
    comment_id: Any,
    comment: str | None,
    without_mention: bool = False,
    rip: str | None = None,
) -> WeiboComment:
    """``comments/reply``: at most 140 characters; the text gets "回复@name:" unless
    ``without_mention``."""
    for name, value in (("cid", comment_id), ("id", status_id)):
        if value in (None, ""):
            raise _missing(name)
    if comment is None:
        raise _missing("comment")
    _check_text(comment)
    status = status_get(status_id)
    target = _comment(comment_id, status)
    text = comment if without_mention else f"回复@{target.user.screen_name}:{comment}"
    return _add_comment(
        status=status,
        user=authorization.user,
        app=authorization.app,
        reply_to=target,
        text=text,
        rip=_check_rip(rip) if rip else "",
    )
