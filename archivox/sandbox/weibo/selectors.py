"""Read queries of the Weibo sandbox, with the platform's paging (``since_id``, ``max_id``,
``count``, ``page``; newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from archivox.sandbox.weibo.errors import SandboxWeiboError, invalid_parameter
from archivox.sandbox.weibo.models import WeiboComment, WeiboStatus, WeiboUser

MAX_COUNT = 200


@dataclass(frozen=True)
class Window:
    since_id: int = 0
    max_id: int = 0
    count: int = 50
    page: int = 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total_number: int
    next_cursor: int


def _paged(queryset: QuerySet, window: Window) -> Page:
    total = queryset.count()
    if window.since_id:
        queryset = queryset.filter(id__gt=window.since_id)
    if window.max_id:
        queryset = queryset.filter(id__lte=window.max_id)
    count = max(1, min(window.count, MAX_COUNT))
    offset = (max(1, window.page) - 1) * count
    items = list(queryset.order_by("-id")[offset : offset + count + 1])
    more = len(items) > count
    items = items[:count]
    return Page(items, total, (items[-1].id - 1) if more and items else 0)


def _with_comment_counts(statuses: list[WeiboStatus]) -> None:
    counts = dict(
        WeiboComment.objects.filter(status__in=[status.pk for status in statuses])
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    for status in statuses:
        status.n_comments = counts.get(status.pk, 0)


def _comments(queryset: QuerySet, window: Window) -> Page:
    queryset = queryset.select_related(
        "user", "status", "status__user", "reply_to", "reply_to__user"
    ).defer("status__pic")
    page = _paged(queryset, window)
    _with_comment_counts(
        list({comment.status_id: comment.status for comment in page.items}.values())
    )
    return page


def _statuses(queryset: QuerySet, window: Window) -> Page:
    page = _paged(queryset.select_related("user").defer("pic"), window)
    _with_comment_counts(page.items)
    return page


def comments_on_status(status: WeiboStatus, window: Window) -> Page:
    return _comments(WeiboComment.objects.filter(status=status), window)


def comments_to_user(user: WeiboUser, window: Window) -> Page:
    """Comments the user received: on their statuses, or replies to their comments."""
    return _comments(
        WeiboComment.objects.filter(Q(status__user=user) | Q(reply_to__user=user)).exclude(
            user=user
        ),
        window,
    )


def comments_mentioning(user: WeiboUser, window: Window) -> Page:
    return _comments(WeiboComment.objects.filter(mentions=user).exclude(user=user), window)


def statuses_mentioning(user: WeiboUser, window: Window) -> Page:
    return _statuses(WeiboStatus.objects.filter(mentions=user).exclude(user=user), window)


def statuses_of_user(user: WeiboUser, window: Window) -> Page:
    return _statuses(WeiboStatus.objects.filter(user=user), window)


def status_get(status_id: Any) -> WeiboStatus:
    """The status (without its picture), or the platform's 20101."""
    try:
        key = int(status_id)
    except (TypeError, ValueError) as exc:
        raise invalid_parameter("id", "a status id", str(status_id)) from exc
    status = WeiboStatus.objects.defer("pic").select_related("user").filter(pk=key).first()
    if status is None:
        raise SandboxWeiboError(20101, "Target weibo does not exist!")
    return status


def status_pic(status_id: int) -> tuple[bytes, str] | None:
    row = (
        WeiboStatus.objects.filter(pk=status_id, pic__isnull=False)
        .values_list("pic", "pic_type")
        .first()
    )
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1]
