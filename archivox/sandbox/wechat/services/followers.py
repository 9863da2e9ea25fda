"""Followers: the sandbox's controls for the simulated users (a message opens the customer-service
window, follow, unfollow), and ``user/info``."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from archivox.sandbox.wechat.models import Account, Follower
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError


@transaction.atomic
def sandbox_follower_touch(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower:
    """The user ``openid`` sent the account a message: the customer-service window opens
    (48 hours, 5 messages). An unknown user becomes a follower. ``at`` is sandbox time."""
    account = Account.objects.get(appid=appid)
    moment = at or account_now(account)
    follower, _ = Follower.objects.select_for_update().get_or_create(
        account=account, openid=openid, defaults={"subscribed_at": moment}
    )
    follower.last_message_at = moment
    follower.save(update_fields=["last_message_at"])
    return follower


@transaction.atomic
def sandbox_follower_subscribe(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower:
    """The user follows the account (again)."""
    account = Account.objects.get(appid=appid)
    moment = at or account_now(account)
    follower, created = Follower.objects.select_for_update().get_or_create(
        account=account, openid=openid, defaults={"subscribed_at": moment}
    )
    if not created and not follower.subscribed:
        follower.subscribed = True
        follower.subscribed_at = moment
        follower.unsubscribed_at = None
        follower.save(update_fields=["subscribed", "subscribed_at", "unsubscribed_at"])
    return follower


@transaction.atomic
def sandbox_follower_unsubscribe(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower | None:
    account = Account.objects.get(appid=appid)
    follower = Follower.objects.select_for_update().filter(account=account, openid=openid).first()
    if follower is not None and follower.subscribed:
        follower.subscribed = False
        follower.unsubscribed_at = at or account_now(account)
        follower.save(update_fields=["subscribed", "unsubscribed_at"])
    return follower


def user_info(*, account: Account, openid: str, lang: str) -> dict[str, Any]:
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    if not follower.subscribed:
        return {"subscribe": 0, "openid": openid}
    return {
        "subscribe": 1,
        "openid": openid,
        "language": lang or follower.language,
        "subscribe_time": int(follower.subscribed_at.timestamp()),
        "remark": "",
        "groupid": 0,
        "tagid_list": [],
        "subscribe_scene": "ADD_SCENE_SEARCH",
        "qr_scene": 0,
        "qr_scene_str": "",
    }
