"""Statistics: ``datacube`` summaries (up to yesterday), and the reads of a published article's
page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Article, Follower, Publish
from archivox.sandbox.wechat.selectors import (
    account_now,
    article_reads_at,
    beijing_date,
    beijing_midnight,
)
from archivox.sandbox.wechat.services.common import SandboxApiError


def datacube(*, account: Account, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``datacube/getarticlesummary`` and ``getusersummary``: data up to yesterday only."""
    try:
        begin = datetime.date.fromisoformat(str(body.get("begin_date")))
        end = datetime.date.fromisoformat(str(body.get("end_date")))
    except ValueError as exc:
        raise SandboxApiError(61500) from exc
    today = beijing_date(account_now(account))
    span = (end - begin).days + 1
    if span < 1 or end >= today or span > rules.DATACUBE_MAX_DAYS[name]:
        raise SandboxApiError(61501)
    days = [begin + datetime.timedelta(days=n) for n in range(span)]
    rows: list[dict[str, Any]] = []
    if name == "getarticlesummary":
        articles = Article.objects.filter(
            publish__account=account, publish__status=Publish.Status.SUCCESS
        ).select_related("publish")
        for day in days:
            start = beijing_midnight(day)
            stop = start + datetime.timedelta(days=1)
            for article in articles:
                reads = article_reads_at(article, stop) - article_reads_at(article, start)
                if reads <= 0:
                    continue
                rows.append(
                    {
                        "ref_date": day.isoformat(),
                        "msgid": f"{article.publish.publish_id}_{article.idx}",
                        "title": article.title,
                        "int_page_read_user": max(1, reads * 4 // 5),
                        "int_page_read_count": reads,
                        "ori_page_read_user": 0,
                        "ori_page_read_count": 0,
                        "share_user": reads // 50,
                        "share_count": reads // 40,
                        "add_to_fav_user": reads // 60,
                        "add_to_fav_count": reads // 60,
                    }
                )
    else:
        followers = Follower.objects.filter(account=account)
        for day in days:
            start = beijing_midnight(day)
            stop = start + datetime.timedelta(days=1)
            rows.append(
                {
                    "ref_date": day.isoformat(),
                    "user_source": 0,
                    "new_user": followers.filter(
                        subscribed_at__gte=start, subscribed_at__lt=stop
                    ).count(),
                    "cancel_user": followers.filter(
                        unsubscribed_at__gte=start, unsubscribed_at__lt=stop
                    ).count(),
                }
            )
    return {"list": rows}


@transaction.atomic
def article_view(*, article: Article) -> dict[str, int]:
    """Someone opened the article's page: one more read."""
    Article.objects.filter(pk=article.pk).update(page_views=F("page_views") + 1)
    article.refresh_from_db(fields=["page_views"])
    from archivox.sandbox.wechat.selectors import article_stats

    return article_stats(article)
