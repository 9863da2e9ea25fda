"""Metrics back: how the archive's own published posts do, pulled from the platforms (WeChat's
datacube, Weibo's status counts) into the survey app's post records."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone

from archivox.core.models import Archive, PlatformAccount
from archivox.publishing.days import BEIJING
from archivox.publishing.models import Delivery, Post, RecallState

logger = logging.getLogger(__name__)
WINDOW_DAYS = 30  # posts published in this many days are measured


def _survey_account(archive: Archive, platform: str, name: str, sent_at: datetime.datetime):
    """The survey's record of the archive's own account on ``platform`` (made on first use),
    known open from the day it was linked to Archivox or its first post sent, if earlier: a
    survey of an earlier time (the paper's 2016) does not count it."""
    from archivox.survey.models import Account
    from archivox.survey.services import account_create, institution_for_archive

    institution = institution_for_archive(archive=archive)
    account = Account.objects.filter(institution=institution, platform=platform).first()
    if account is None:
        linked = (
            PlatformAccount.objects.filter(archive=archive, platform=platform)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        opened_on = timezone.localdate(min(filter(None, (linked, sent_at))))
        account = account_create(
            actor=None,
            institution=institution,
            platform=platform,
            handle=name,
            name=name,
            opened_on=opened_on,
            source="archivox",
        )
    return account


def _save(delivery: Delivery, platform: str, counts: dict[str, int | None]) -> None:
    from archivox.survey.services import post_record_save

    post = delivery.post
    account = _survey_account(post.archive, platform, post.archive.slug, delivery.sent_at)
    post_record_save(
        account=account,
        published_at=delivery.sent_at,
        title=post.title,
        column=post.column,
        is_original=post.origin == Post.Origin.ORIGINAL,
        measured_at=timezone.now(),
        source="archivox",
        flags=_risk_flags(delivery),
        **counts,
    )
    delivery.metrics = {**delivery.metrics, "totals": counts}
    delivery.save(update_fields=["metrics", "updated_at"])


def _risk_flags(delivery: Delivery) -> list[str]:
    """What the desk knows of the post's security risks, for the survey's 3.2.6: a screening
    override, a recall (it quotes an item found restricted), the post or this copy withdrawn."""
    flags = []
    if delivery.post.overrides.exists():
        flags.append("override")
    if delivery.post.recall_found_at is not None:
        flags.append("restricted")
    if _withdrawn(delivery):
        flags.append("withdrawn")
    return flags


def _withdrawn(delivery: Delivery) -> bool:
    return (
        delivery.status == Delivery.Status.WITHDRAWN
        or delivery.recall_state == RecallState.WITHDRAWN
        or delivery.post.status == Post.Status.WITHDRAWN
    )


def _flag_withdrawn(delivery: Delivery) -> None:
    """A copy taken down has no counters left to pull; its survey record keeps the ones measured
    before and learns that it was withdrawn (and why, when a recall found it restricted)."""
    from archivox.survey.services import post_record_flags_add

    post = delivery.post
    post_record_flags_add(
        account=_survey_account(
            post.archive, delivery.channel, post.archive.slug, delivery.sent_at
        ),
        published_at=delivery.sent_at,
        title=post.title,
        flags=_risk_flags(delivery),
        column=post.column,
        is_original=post.origin == Post.Origin.ORIGINAL,
        source="archivox",
    )


def _wechat(
    archive: Archive, deliveries: list[Delivery], account: PlatformAccount, today: datetime.date
) -> int:
    """Datacube gives reads and shares per article per day, up to yesterday: add each day once."""
    from archivox.platforms.wechat.client import client_for_account

    yesterday = today - datetime.timedelta(days=1)
    saved = 0
    with client_for_account(account) as client:
        first = min(d.sent_at.astimezone(BEIJING).date() for d in deliveries)
        day = max(first, yesterday - datetime.timedelta(days=WINDOW_DAYS))
        rows_by_day: dict[str, list[dict[str, Any]]] = {}
        while day <= yesterday:
            rows_by_day[day.isoformat()] = client.datacube_article_summary(day, day)
            day += datetime.timedelta(days=1)
    for delivery in deliveries:
        days = dict(delivery.metrics.get("days", {}))
        for ref_date, rows in rows_by_day.items():
            for row in rows:
                publish_id = str(row.get("msgid", "")).split("_")[0]
                ours = publish_id == str(delivery.response.get("publish_id", "")) or (
                    row.get("title") == delivery.post.title
                )
                if ours:
                    days[ref_date] = {
                        "reads": int(row.get("int_page_read_count", 0)),
                        "shares": int(row.get("share_count", 0)),
                    }
        delivery.metrics = {**delivery.metrics, "days": days}
        reads = sum(d["reads"] for d in days.values())
        shares = sum(d["shares"] for d in days.values())
        _save(delivery, "wechat", {"reads": reads, "shares": shares})
        saved += 1
    return saved


def _weibo(
    archive: Archive, deliveries: list[Delivery], account: PlatformAccount, today: datetime.date
) -> int:
    from archivox.platforms.weibo.client import client_for_account

    wanted = {str(d.remote_id): d for d in deliveries}
    saved = 0
    with client_for_account(account) as client:
        timeline = client.statuses_user_timeline(count=100)
    for status in timeline.get("statuses", []):
        delivery = wanted.get(str(status.get("idstr") or status.get("id")))
        if delivery is None:
            continue
        _save(
            delivery,
            "weibo",
            {
                "likes": int(status.get("attitudes_count", 0)),
                "comments": int(status.get("comments_count", 0)),
                "shares": int(status.get("reposts_count", 0)),
            },
        )
        saved += 1
    return saved


def metrics_pull(*, archive: Archive | None = None, today: datetime.date | None = None) -> int:
    """Pull counts for every post sent to WeChat or Weibo in the last WINDOW_DAYS days.
    ``today`` (Beijing) defaults to the real day; datacube answers up to the day before."""
    today = today or timezone.now().astimezone(BEIJING).date()
    since = timezone.now() - datetime.timedelta(days=WINDOW_DAYS)
    deliveries = Delivery.objects.filter(
        status__in=[Delivery.Status.SENT, Delivery.Status.WITHDRAWN],
        channel__in=["wechat", "weibo"],
        sent_at__gte=since,
    ).select_related("post__archive")
    if archive is not None:
        deliveries = deliveries.filter(post__archive=archive)
    groups: dict[tuple[int, str], list[Delivery]] = {}
    for delivery in deliveries:
        if delivery.status == Delivery.Status.WITHDRAWN:
            _flag_withdrawn(delivery)  # the survey's 3.2.6 learns it; nothing left to count
            continue
        groups.setdefault((delivery.post.archive_id, delivery.channel), []).append(delivery)
    saved = 0
    for (archive_id, channel), group in groups.items():
        account = PlatformAccount.objects.filter(
            archive_id=archive_id, platform=channel, is_active=True
        ).first()
        if account is None:
            continue
        try:
            pull = _wechat if channel == "wechat" else _weibo
            saved += pull(group[0].post.archive, group, account, today)
        except Exception:
            logger.exception("metrics of %s on %s could not be pulled", archive_id, channel)
    return saved
