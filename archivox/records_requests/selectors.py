"""Reads of records-use requests: request kinds and routing, working days, a request by its
tracking code (for the person) or for staff, queues, overdue counts and the reports."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability
from archivox.records_requests.codes import code_normalise
from archivox.records_requests.models import (
    CertifiedCopy,
    Holiday,
    RecordsRequest,
    RequestKind,
)

WORK = Capability.CONSULTATION_ANSWER  # who works requests: the staff who answer the public


# ── working days ──────────────────────────────────────────────────────────────────────────────


def calendar_for(archive: Archive, start: datetime.date, end: datetime.date) -> dict:
    """The archive's exceptions between ``start`` and ``end``: {day: is_working_day}."""
    return dict(
        Holiday.objects.filter(archive=archive, day__gte=start, day__lte=end).values_list(
            "day", "is_working_day"
        )
    )


def _is_working(day: datetime.date, exceptions: dict) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def working_days_add(archive: Archive, start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (weekends and the archive's holidays off,
    adjusted weekend working days on)."""
    # A generous window: 60 working days never span more than ~6 months of holidays.
    exceptions = calendar_for(archive, start, start + datetime.timedelta(days=days * 3 + 60))
    day, left = start, days
    while left > 0:
        day += datetime.timedelta(days=1)
        if _is_working(day, exceptions):
            left -= 1
    return day


def working_days_between(archive: Archive, start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when the same day)."""
    if end <= start:
        return 0
    exceptions = calendar_for(archive, start, end)
    return sum(
        _is_working(start + datetime.timedelta(days=n), exceptions)
        for n in range(1, (end - start).days + 1)
    )


# ── kinds and routing ─────────────────────────────────────────────────────────────────────────


def kind_list_public(*, archive: Archive) -> QuerySet[RequestKind]:
    return RequestKind.objects.filter(archive=archive, is_active=True)


def kind_get_public(*, archive: Archive, category: str) -> RequestKind | None:
    return kind_list_public(archive=archive).filter(category=category).first()


def archives_serving() -> list[Archive]:
    """Archives with at least one active request kind (the form's choice of archive)."""
    return list(
        Archive.objects.filter(request_kinds__is_active=True).distinct().order_by("level", "slug")
    )


def kind_route(
    *, category: str, district: str, years_from: int, years_to: int
) -> RequestKind | None:
    """The kind (and so the archive) holding a category for a district and years, for the
    province-wide "I don't know which archive" form: a kind naming the district first, then one
    covering the whole area; a local archive before the province's."""
    candidates = list(
        RequestKind.objects.filter(
            is_active=True,
            category=category,
            years_from__lte=years_from,
            years_to__gte=years_to,
        ).select_related("archive")
    )
    district = district.strip()
    named = [k for k in candidates if district and district in k.district_list]
    if named:
        return named[0]
    rank = {
        Archive.Level.DISTRICT: 0,
        Archive.Level.COUNTY: 0,
        Archive.Level.CITY: 1,
        Archive.Level.PROVINCE: 2,
    }
    whole = sorted(
        (k for k in candidates if not k.district_list), key=lambda k: rank.get(k.archive.level, 3)
    )
    return whole[0] if whole else None


# ── one request ───────────────────────────────────────────────────────────────────────────────


def request_get_by_code(code: str) -> RecordsRequest | None:
    """The request a tracking code names, or None (the caller answers unknown codes the same
    way whatever the reason)."""
    code = code_normalise(code)
    if not code:
        return None
    return (
        RecordsRequest.objects.select_related("archive", "holding_archive", "kind")
        .filter(code=code)
        .first()
    )


def request_public_events(request: RecordsRequest) -> list:
    """The steps the person sees: statuses and messages, never staff notes or archives' work."""
    return [
        {"at": event.at, "status": event.get_status_display(), "message": event.message}
        for event in request.events.all()
    ]


def request_latest_event_id(request: RecordsRequest) -> int:
    """The id of the request's last step (0 before the first): names one status change."""
    return request.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def request_status_for_person(request: RecordsRequest) -> tuple[str, str]:
    """The one status line the person sees (status slug, label): a forward or a copy not yet
    released by the receiving archive shows as being searched."""
    status = request.status
    S = RecordsRequest.Status
    if status == S.FORWARDED:
        status = S.ACCEPTED
    if (
        status in (S.ISSUED, S.CLOSED)
        and request.return_mode == RecordsRequest.ReturnMode.VIA_RECEIVING
        and request.is_forwarded
        and request.released_at is None
        and request.result
    ):
        status = S.FOUND if request.result == RecordsRequest.Result.FOUND else S.NOT_FOUND
    return status, S(status).label


def copies_for_person(request: RecordsRequest) -> list[CertifiedCopy]:
    """The copies the person may download: issued, not revoked, and released."""
    if (
        request.is_forwarded
        and request.return_mode == RecordsRequest.ReturnMode.VIA_RECEIVING
        and request.released_at is None
    ):
        return []
    return list(request.copies.filter(revoked_at__isnull=True))


def copy_get_by_verification(code: str) -> CertifiedCopy | None:
    code = code_normalise(code)
    if not code:
        return None
    return CertifiedCopy.objects.select_related("archive").filter(verification_code=code).first()


# ── staff ─────────────────────────────────────────────────────────────────────────────────────


def archives_for_work(*, user: User) -> list[Archive]:
    return core_selectors.archive_list_with_capability(user=user, capability=WORK)


def request_list_for_staff(
    *, user: User, archive: Archive, queue: str = "open"
) -> QuerySet[RecordsRequest]:
    """The requests ``archive`` works: those it received and those forwarded to it."""
    core_selectors.archive_check_capability(user=user, archive=archive, capability=WORK)
    found = RecordsRequest.objects.filter(
        Q(archive=archive) | Q(holding_archive=archive, forwarded_at__isnull=False)
    ).select_related("archive", "holding_archive")
    today = timezone.localdate()
    if queue == "overdue":
        found = found.filter(_overdue_q(archive.pk, today))
    elif queue == "open":
        found = found.filter(status__in=RecordsRequest.OPEN)
    return found.order_by("due_on", "pk")


def request_get_for_staff(*, user: User, archive: Archive, pk: int) -> RecordsRequest:
    return request_list_for_staff(user=user, archive=archive, queue="all").get(pk=pk)


def _overdue_q(archive_id: int, today: datetime.date) -> Q:
    """Overdue for one side: the receiving archive by its due day, the holding archive by its
    own (the person sees one status; each archive sees its own deadline)."""
    S = RecordsRequest.Status
    receiving = Q(archive_id=archive_id, due_on__lt=today)
    holding = Q(
        holding_archive_id=archive_id, holding_due_on__lt=today, forwarded_at__isnull=False
    ) & ~Q(archive_id=archive_id)
    working = Q(status__in=[s for s in RecordsRequest.OPEN if s != S.ISSUED])
    return (receiving | holding) & working


def overdue_counts(*, archive_ids: list[int]) -> dict[int, int]:
    """Overdue requests per archive (the dashboard's "needs me")."""
    if not archive_ids:
        return {}
    today = timezone.localdate()
    S = RecordsRequest.Status
    working = RecordsRequest.objects.filter(
        status__in=[s for s in RecordsRequest.OPEN if s != S.ISSUED]
    )
    counts: dict[int, int] = {}
    wanted = set(archive_ids)
    # One query for all archives (overdue requests are few): each counts for the receiving
    # archive past its promise, and for the holding archive of a forward past its own.
    rows = working.filter(
        Q(archive_id__in=archive_ids, due_on__lt=today)
        | Q(
            holding_archive_id__in=archive_ids,
            holding_due_on__lt=today,
            forwarded_at__isnull=False,
        )
    ).values_list("archive_id", "holding_archive_id", "due_on", "holding_due_on", "forwarded_at")
    for receiving, holding, due_on, holding_due_on, forwarded_at in rows:
        if receiving in wanted and due_on < today:
            counts[receiving] = counts.get(receiving, 0) + 1
        if (
            forwarded_at is not None
            and holding != receiving
            and holding in wanted
            and holding_due_on is not None
            and holding_due_on < today
        ):
            counts[holding] = counts.get(holding, 0) + 1
    return counts


def descriptions_matching(*, user: User, archive: Archive, query: str) -> list:
    """The archive's descriptions whose title or reference code holds ``query``, whatever
    their access (the staff search of a request; the person never sees them)."""
    from archivox.catalog import selectors as catalog_selectors

    return list(
        catalog_selectors.description_list_for_staff(user=user, archive=archive)
        .filter(Q(title__icontains=query) | Q(reference_code__icontains=query))
        .order_by("reference_code")[:20]
    )


def due_for_side(request: RecordsRequest, archive: Archive) -> datetime.date | None:
    if request.is_forwarded and archive.pk == request.holding_archive_id:
        return request.holding_due_on
    return request.due_on


# ── reports ───────────────────────────────────────────────────────────────────────────────────


@dataclass
class RequestReport:
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_archive: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    median_working_days: float | None = None
    p90_working_days: float | None = None
    share_on_time: float | None = None


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return float(ordered[rank])


def request_report(
    *,
    archive_ids: list[int] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> RequestReport:
    """Requests per category, receiving archive and channel; working days to close (median,
    90th percentile) and the share closed within the promise. The survey reads this for its
    interaction and service indicators."""
    found = RecordsRequest.objects.select_related("archive", "holding_archive")
    if archive_ids is not None:
        found = found.filter(Q(archive_id__in=archive_ids) | Q(holding_archive_id__in=archive_ids))
    if since is not None:
        found = found.filter(created_at__date__gte=since)
    if until is not None:
        found = found.filter(created_at__date__lte=until)
    report = RequestReport()
    durations: list[int] = []
    on_time = 0
    for request in found:
        report.total += 1
        category = request.get_category_display()
        report.by_category[category] = report.by_category.get(category, 0) + 1
        name = str(request.archive)
        report.by_archive[name] = report.by_archive.get(name, 0) + 1
        channel = request.get_channel_display()
        report.by_channel[channel] = report.by_channel.get(channel, 0) + 1
        if request.closed_at is not None:
            closed_on = timezone.localdate(request.closed_at)
            durations.append(
                working_days_between(
                    request.archive, timezone.localdate(request.created_at), closed_on
                )
            )
            on_time += closed_on <= request.due_on
    report.closed = len(durations)
    if durations:
        report.median_working_days = float(statistics.median(durations))
        report.p90_working_days = _percentile(durations, 0.9)
        report.share_on_time = on_time / len(durations)
    return report


def survey_service_indicators(
    *,
    archive: Archive,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[str, Any]:
    """What the survey's interaction/service indicators (§3.2.5, §4.5) read of this archive's
    requests made between ``start`` and ``end`` (both inclusive, either open): how many, how
    many closed, working days to close (median, 90th percentile) and the share closed within
    the promise, as ``request_report`` counts them."""
    return survey_service_indicators_many(archive_ids=[archive.pk], start=start, end=end)[
        archive.pk
    ]


def survey_service_indicators_many(
    *,
    archive_ids: list[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, dict[str, Any]]:
    """``survey_service_indicators`` for many archives in two queries (the requests, and the
    receiving archives' holiday calendars), whatever their number: a request counts for the
    archive that received it and for the one holding the records."""
    wanted = set(archive_ids)
    found = RecordsRequest.objects.filter(
        Q(archive_id__in=archive_ids) | Q(holding_archive_id__in=archive_ids)
    )
    if start is not None:
        found = found.filter(created_at__date__gte=start)
    if end is not None:
        found = found.filter(created_at__date__lte=end)
    rows = list(
        found.values_list("archive_id", "holding_archive_id", "created_at", "closed_at", "due_on")
    )
    closed = [
        (timezone.localdate(created), timezone.localdate(closed_at))
        for _a, _h, created, closed_at, _d in rows
        if closed_at is not None
    ]
    exceptions: dict[int, dict] = {}
    if closed:
        holidays = Holiday.objects.filter(
            archive_id__in={row[0] for row in rows},
            day__gte=min(day for day, _c in closed),
            day__lte=max(day for _c, day in closed),
        ).values_list("archive_id", "day", "is_working_day")
        for archive_id, day, working in holidays:
            exceptions.setdefault(archive_id, {})[day] = working
    totals = {pk: 0 for pk in wanted}
    durations: dict[int, list[int]] = {pk: [] for pk in wanted}
    on_time = {pk: 0 for pk in wanted}
    for receiving, holding, created_at, closed_at, due_on in rows:
        sides = {receiving, holding} & wanted
        days = None
        if closed_at is not None:
            opened, closed_on = timezone.localdate(created_at), timezone.localdate(closed_at)
            calendar = exceptions.get(receiving, {})
            days = sum(
                _is_working(opened + datetime.timedelta(days=n), calendar)
                for n in range(1, (closed_on - opened).days + 1)
            )
        for pk in sides:
            totals[pk] += 1
            if days is not None:
                durations[pk].append(days)
                on_time[pk] += closed_on <= due_on
    result = {}
    for pk in wanted:
        spans = durations[pk]
        result[pk] = {
            "records_requests": totals[pk],
            "records_requests_closed": len(spans),
            "records_requests_median_working_days": (
                float(statistics.median(spans)) if spans else None
            ),
            "records_requests_p90_working_days": _percentile(spans, 0.9) if spans else None,
            "records_requests_share_on_time": on_time[pk] / len(spans) if spans else None,
        }
    return result


def request_category_counts(
    *,
    archive_ids: list[int] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[tuple[str, str, int]]:
    """Requests per record category (category slug, label, count), most requested first: the
    demand dashboard's "most requested record categories". Counts only, no person."""
    found = RecordsRequest.objects.all()
    if archive_ids is not None:
        found = found.filter(Q(archive_id__in=archive_ids) | Q(holding_archive_id__in=archive_ids))
    if since is not None:
        found = found.filter(created_at__date__gte=since)
    if until is not None:
        found = found.filter(created_at__date__lte=until)
    labels = dict(RecordsRequest._meta.get_field("category").flatchoices)
    rows = found.values("category").annotate(count=Count("pk")).order_by("-count", "category")
    return [
        (row["category"], str(labels.get(row["category"], row["category"])), row["count"])
        for row in rows
    ]
