"""Reads of the WeChat sandbox's state: sandbox time, article statistics, lookups for tests."""

from __future__ import annotations

import datetime
import math
from zoneinfo import ZoneInfo

from django.utils import timezone

from archivox.core.queries import found
from archivox.sandbox.wechat.models import (
    Account,
    Article,
    CustomMessage,
    EventDelivery,
    MassMessage,
    Publish,
    TemplateMessage,
)

BEIJING = ZoneInfo("Asia/Shanghai")  # the platform's day starts at midnight Beijing time
READ_HALF_LIFE = datetime.timedelta(hours=6)  # the simulated public reads an article early on


def account_now(account: Account) -> datetime.datetime:
    """The account's sandbox time: real time moved by its clock offset."""
    return timezone.now() + datetime.timedelta(seconds=account.clock_offset)


def beijing_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(BEIJING).date()


def beijing_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=BEIJING)


def account_get(appid: str) -> Account | None:
    return found(Account.objects.filter(appid=appid))


def article_reads_at(article: Article, moment: datetime.datetime) -> int:
    """Reads by the simulated public up to ``moment``: they grow fast at first, then level off
    at the article's audience (page views through the sandbox page are counted apart)."""
    age = (moment - article.published_at).total_seconds()
    if age <= 0:
        return 0
    share = 1 - math.exp(-age * math.log(2) / READ_HALF_LIFE.total_seconds())
    return math.floor(article.audience * share)


def article_stats(article: Article, moment: datetime.datetime | None = None) -> dict[str, int]:
    """Reads, likes, shares and favourites of an article so far (sandbox time)."""
    moment = moment or account_now(article.publish.account)
    reads = article_reads_at(article, moment) + article.page_views
    return {"reads": reads, "likes": reads // 25, "shares": reads // 40, "favourites": reads // 60}


def article_get_by_slug(slug: str) -> Article | None:
    return (
        Article.objects.select_related("publish__account")
        .filter(slug=slug, publish__status=Publish.Status.SUCCESS)
        .first()
    )


def publish_list(appid: str) -> list[Publish]:
    return list(Publish.objects.filter(account__appid=appid).order_by("id"))


def mass_send_list(appid: str) -> list[MassMessage]:
    return list(
        MassMessage.objects.filter(account__appid=appid, kind=MassMessage.Kind.SENDALL).order_by(
            "id"
        )
    )


def event_delivery_list(appid: str) -> list[EventDelivery]:
    return list(EventDelivery.objects.filter(account__appid=appid).order_by("id"))


def message_log(appid: str) -> list[dict]:
    """What the account sent to its followers one by one (template and customer-service
    messages), oldest first: the sandbox's message log."""
    rows = [
        {
            "kind": "template",
            "openid": m.follower.openid,
            "sent_at": m.sent_at,
            "what": m.template_id,
            "data": m.data,
            "url": m.url,
        }
        for m in TemplateMessage.objects.filter(account__appid=appid).select_related("follower")
    ]
    rows += [
        {
            "kind": "customer_service",
            "openid": m.follower.openid,
            "sent_at": m.sent_at,
            "what": m.msgtype,
            "data": m.payload,
            "url": "",
        }
        for m in CustomMessage.objects.filter(account__appid=appid).select_related("follower")
    ]
    return sorted(rows, key=lambda row: row["sent_at"])
