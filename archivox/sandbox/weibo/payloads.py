"""The JSON shapes of the platform's API v2 (users, statuses, comments), from sandbox rows."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from archivox.sandbox.weibo.models import WeiboComment, WeiboStatus, WeiboUser
from archivox.sandbox.weibo.services.text import display_text

CHINA = ZoneInfo("Asia/Shanghai")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCE = '<a href="https://open.weibo.com" rel="nofollow">Archivox</a>'


def created_at(moment: datetime.datetime) -> str:
    """``Wed Oct 24 23:49:17 +0800 2012``, in English whatever the locale."""
    local = moment.astimezone(CHINA)
    return (
        f"{DAYS[local.weekday()]} {MONTHS[local.month - 1]} {local.day:02d} "
        f"{local:%H:%M:%S} +0800 {local.year}"
    )


def user_json(user: WeiboUser) -> dict[str, Any]:
    return {
        "id": int(user.uid),
        "idstr": user.uid,
        "screen_name": user.screen_name,
        "name": user.screen_name,
        "province": "32",
        "city": "1",
        "location": "",
        "description": "",
        "url": "",
        "profile_image_url": "",
        "domain": "",
        "gender": "n",
        "followers_count": 0,
        "friends_count": 0,
        "statuses_count": 0,
        "favourites_count": 0,
        "created_at": created_at(user.created_at),
        "following": False,
        "allow_all_act_msg": False,
        "geo_enabled": False,
        "verified": False,
        "allow_all_comment": True,
        "avatar_large": "",
        "follow_me": False,
        "online_status": 0,
        "bi_followers_count": 0,
    }


def status_json(status: WeiboStatus, *, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "created_at": created_at(status.created_at),
        "id": status.id,
        "mid": str(status.id),
        "idstr": str(status.id),
        "text": display_text(status.text),
        "source": SOURCE if status.app_id else "",
        "favorited": False,
        "truncated": False,
        "in_reply_to_status_id": "",
        "in_reply_to_user_id": "",
        "in_reply_to_screen_name": "",
        "geo": None,
        "user": user_json(status.user),
        "reposts_count": 0,
        "comments_count": getattr(status, "n_comments", 0),
        "attitudes_count": 0,
        "visible": {"type": 0, "list_id": 0},
        "pic_ids": [],
    }
    if status.pic_type:
        url = f"{base_url}/_pic/{status.id}.{status.pic_type}"
        data.update(
            {
                "thumbnail_pic": url,
                "bmiddle_pic": url,
                "original_pic": url,
                "pic_ids": [f"sandbox{status.id}"],
            }
        )
    return data


def comment_json(comment: WeiboComment, *, base_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "created_at": created_at(comment.created_at),
        "id": comment.id,
        "idstr": str(comment.id),
        "mid": str(comment.id),
        "text": display_text(comment.text),
        "source": SOURCE if comment.app_id else "",
        "user": user_json(comment.user),
        "status": status_json(comment.status, base_url=base_url),
    }
    if comment.reply_to_id and comment.reply_to is not None:
        reply_to = comment.reply_to
        data["reply_comment"] = {
            "created_at": created_at(reply_to.created_at),
            "id": reply_to.id,
            "idstr": str(reply_to.id),
            "mid": str(reply_to.id),
            "text": display_text(reply_to.text),
            "user": user_json(reply_to.user),
        }
    return data


def page_json(key: str, items: list[dict[str, Any]], *, total: int, next_cursor: int) -> dict:
    return {
        key: items,
        "marks": [],
        "hasvisible": False,
        "previous_cursor": 0,
        "next_cursor": next_cursor,
        "total_number": total,
    }
