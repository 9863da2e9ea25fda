"""Simulated users: members of the public who comment on the account's statuses and @mention it."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.errors import invalid_parameter as _invalid
from archivox.sandbox.weibo.models import WeiboComment, WeiboStatus, WeiboUser
from archivox.sandbox.weibo.selectors import status_get
from archivox.sandbox.weibo.services.accounts import _new_uid
from archivox.sandbox.weibo.services.comments import _add_comment, _comment
from archivox.sandbox.weibo.services.ids import next_id
from archivox.sandbox.weibo.services.statuses import _mentioned
from archivox.sandbox.weibo.services.text import _check_text


def _simulated_user(name: str) -> WeiboUser:
    name = (name or "").strip()
    if not re.fullmatch(r"[\w\-]{1,30}", name):
        raise _invalid("user_name", "1-30 letters, digits, Chinese characters, _ or -", name)
    user = WeiboUser.objects.filter(screen_name=name).first()
    if user is None:
        try:
            with transaction.atomic():
                user = WeiboUser.objects.create(uid=_new_uid(), screen_name=name, is_simulated=True)
        except IntegrityError:
            user = WeiboUser.objects.get(screen_name=name)
    return user


@transaction.atomic
def sandbox_weibo_comment_from_user(
    status_id: Any,
    user_name: str,
    text: str,
    *,
    reply_to_comment_id: Any = None,
) -> WeiboComment:
    """A member of the public (``user_name``) comments publicly on a status, or replies to a
    comment on it. It shows in the status owner's ``comments/to_me`` (and the replied-to
    user's)."""
    _check_text(text)
    status = status_get(status_id)
    user = _simulated_user(user_name)
    reply_to = None
    if reply_to_comment_id not in (None, ""):
        reply_to = _comment(reply_to_comment_id, status)
        text = f"回复@{reply_to.user.screen_name}:{text}"
    return _add_comment(status=status, user=user, reply_to=reply_to, text=text)


@transaction.atomic
def sandbox_weibo_mention(
    uid: str,
    user_name: str,
    text: str,
    *,
    status_id: Any = None,
) -> WeiboStatus | WeiboComment:
    """A member of the public @mentions the account ``uid``: in a new status of their own
    (``statuses/mentions``) or, with ``status_id``, in a comment on that status
    (``comments/mentions``). "@name " is put in front unless the text already has it."""
    target = WeiboUser.objects.filter(uid=str(uid)).first()
    if target is None:
        raise SandboxWeiboError(20003, "User does not exists!")
    if f"@{target.screen_name}" not in text:
        text = f"@{target.screen_name} {text}"
    _check_text(text)
    user = _simulated_user(user_name)
    if status_id not in (None, ""):
        return _add_comment(status=status_get(status_id), user=user, text=text)
    status = WeiboStatus.objects.create(id=next_id(), user=user, text=text)
    status.mentions.set(_mentioned(text))
    return status
