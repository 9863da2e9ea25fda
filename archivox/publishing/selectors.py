"""Reads of the publishing desk: staff lists (permission checked here), the public posts the
portal and the feeds show, the content calendar and its warnings."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog.models import DigitalObject
from archivox.catalog.selectors import description_list_for_staff
from archivox.core.models import Archive, User
from archivox.core.selectors import ArchivePermissionDenied, Capability, user_can
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import Withdrawal
from archivox.publishing.days import BEIJING, beijing_day
from archivox.publishing.models import (
    CHANNELS,
    Delivery,
    DeskSettings,
    Notice,
    Post,
    RecallReason,
    ReviewStep,
    WarcFile,
)

DEFAULT_FRESHNESS_DAYS = 7


def can_view_posts(*, user: User, archive: Archive) -> bool:
    return user_can(user=user, archive=archive, capability=Capability.POST_COMPOSE) or user_can(
        user=user, archive=archive, capability=Capability.POST_REVIEW
    )


def _check_view(user: User, archive: Archive) -> None:
    if not can_view_posts(user=user, archive=archive):
        raise ArchivePermissionDenied(user, archive, Capability.POST_COMPOSE)


def post_list_for_staff(
    *, user: User, archive: Archive, status: str | None = None
) -> QuerySet[Post]:
    _check_view(user, archive)
    posts = Post.objects.filter(archive=archive).select_related("created_by", "archive")
    if status:
        posts = posts.filter(status=status)
    return posts


def post_get_for_staff(*, user: User, pk: int) -> Post:
    """The post, if the user composes or reviews in its archive (Post.DoesNotExist otherwise
    is raised for a missing post; ArchivePermissionDenied for a forbidden one)."""
    post = Post.objects.select_related("archive", "created_by", "featured_collection").get(pk=pk)
    _check_view(user, post.archive)
    return post


def _shown_on(channel: str) -> Exists:
    return Exists(
        Delivery.objects.filter(post=OuterRef("pk"), channel=channel, status=Delivery.Status.SENT)
    )


def post_list_public(
    *, archive: Archive, topic: str | None = None, limit: int | None = 50
) -> QuerySet[Post]:
    """Published posts shown on the archive's portal, newest first; with ``topic``, only the
    posts tagged with it (the topics pages use this)."""
    posts = (
        Post.objects.filter(archive=archive, status=Post.Status.PUBLISHED)
        .filter(_shown_on("portal"))
        .select_related("archive")
        .order_by("-published_at", "-pk")
    )
    if topic:
        topic = topic.strip().strip("#")
        # JSON containment is not on SQLite; filter the (small) candidate set in Python.
        ids = [pk for pk, topics in posts.values_list("pk", "topics") if topic in (topics or [])]
        posts = posts.filter(pk__in=ids)
    return posts[:limit] if limit else posts


def post_get_public(*, archive: Archive, pk: int) -> Post:
    return (
        Post.objects.filter(archive=archive, status=Post.Status.PUBLISHED)
        .filter(_shown_on("portal"))
        .select_related("archive")
        .get(pk=pk)
    )


def post_list_feed(*, archive: Archive, limit: int = 50) -> QuerySet[Post]:
    """The entries of the archive's Atom and RSS feeds."""
    return (
        Post.objects.filter(archive=archive, status=Post.Status.PUBLISHED)
        .filter(_shown_on("feed"))
        .select_related("archive")
        .order_by("-published_at", "-pk")[:limit]
    )


def delivery_list(*, post: Post) -> QuerySet[Delivery]:
    return post.deliveries.order_by("channel")


def delivery_list_for_staff(
    *, user: User, archive: Archive, limit: int = 200
) -> QuerySet[Delivery]:
    _check_view(user, archive)
    return (
        Delivery.objects.filter(post__archive=archive)
        .select_related("post")
        .order_by("-created_at", "-pk")[:limit]
    )


def notice_list(*, user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user, read_at__isnull=True).select_related("post")


def warc_list(*, user: User, archive: Archive) -> QuerySet[WarcFile]:
    _check_view(user, archive)
    return WarcFile.objects.filter(archive=archive)


def _recalled_posts(archive: Archive):
    from django.db.models import Prefetch

    copies = Delivery.objects.exclude(recall_state="").select_related("recall_requested_by")
    return (
        Post.objects.filter(archive=archive, recall_found_at__isnull=False)
        .select_related("archive")
        .prefetch_related(Prefetch("deliveries", queryset=copies, to_attr="recalled_copies"))
    )


def recall_list_for_staff(
    *, user: User, archive: Archive, closed_limit: int = 20
) -> tuple[list[Post], list[Post]]:
    """The archive's open recalls (newest first) and the latest closed ones: posts, each with
    its recalled copies in the desk's order of channels (``copy_rows``), what staff are told
    of each item (``item_texts``) and the months whose WARC file holds the archive's record of
    them (``warc_months``)."""
    _check_view(user, archive)
    posts = _recalled_posts(archive)
    open_ = list(posts.filter(recall_closed_at__isnull=True).order_by("-recall_found_at", "-pk"))
    closed = list(
        posts.filter(recall_closed_at__isnull=False).order_by("-recall_closed_at")[:closed_limit]
    )
    _attach_warc_months(archive, [*open_, *closed])
    for post in [*open_, *closed]:
        post.item_texts = [recall_item_text(entry) for entry in post.recall_items]
        # In the desk's order of channels (the platforms first), not alphabetical.
        post.copy_rows = sorted(post.recalled_copies, key=_channel_rank)
        for copy in post.copy_rows:
            # Our own pages and feeds go at once; the button says so.
            plan = channel_get(copy.channel).withdrawal(remote_id=copy.remote_id)
            copy.at_once = plan.kind == Withdrawal.LOCAL
    return open_, closed


def _channel_rank(delivery: Delivery) -> int:
    return CHANNELS.index(delivery.channel) if delivery.channel in CHANNELS else len(CHANNELS)


def recall_item_text(entry: dict) -> str:
    """One recalled item as staff read it: what it is now, and the fonds or series above it
    that made it so."""
    from archivox.catalog.models import Level

    values = {"title": entry["title"], "code": entry["reference_code"]}
    via = entry.get("via")
    if via:
        values.update(via=via["title"], level=Level(via["level"]).label)
    reason = entry["reason"]
    if reason == RecallReason.CONFIDENTIAL:
        if via:
            text = _(
                "“%(title)s” (%(code)s) is now confidential through the %(level)s "
                "“%(via)s” above it."
            )
        else:
            text = _("“%(title)s” (%(code)s) is now confidential.")
    elif reason == RecallReason.CLOSED:
        values["day"] = entry.get("closed_until", "")
        if via:
            text = _(
                "“%(title)s” (%(code)s) is now closed until %(day)s through the %(level)s "
                "“%(via)s” above it."
            )
        else:
            text = _("“%(title)s” (%(code)s) is now closed until %(day)s.")
    elif via:
        text = _(
            "“%(title)s” (%(code)s) is now restricted through the %(level)s “%(via)s” above "
            "it: its digital objects are no longer public."
        )
    else:
        text = _(
            "“%(title)s” (%(code)s) is now restricted: its digital objects are no longer public."
        )
    return text % values


def _attach_warc_months(archive: Archive, posts: list[Post]) -> None:
    """The months whose WARC file holds a capture of a recalled copy (named as the WARC
    writer names them: the month the copy was sent)."""
    months: dict[int, set[str]] = {}
    for post in posts:
        months[post.pk] = {
            timezone.localtime(copy.sent_at).strftime("%Y-%m")
            for copy in post.recalled_copies
            if copy.archived_at is not None and copy.sent_at is not None
        }
    wanted = set().union(*months.values()) if months else set()
    kept = set(
        WarcFile.objects.filter(archive=archive, month__in=wanted).values_list("month", flat=True)
    )
    for post in posts:
        post.warc_months = sorted(months[post.pk] & kept)


def recall_open_by_archive(*, archive_ids: list[int], limit: int = 200) -> dict[int, list[Post]]:
    """For the dashboard: the posts of many archives whose recall is open, in one query."""
    found: dict[int, list[Post]] = {}
    posts = Post.objects.filter(
        archive_id__in=archive_ids, recall_found_at__isnull=False, recall_closed_at__isnull=True
    ).order_by("-recall_found_at", "-pk")[:limit]
    for post in posts:
        found.setdefault(post.archive_id, []).append(post)
    return found


def review_levels(archive: Archive) -> int:
    """How many levels of review (1–3, 三审) the archive requires before a post is approved."""
    desk = DeskSettings.objects.filter(archive=archive).first()
    return desk.review_levels if desk is not None else 1


def review_level_name(level: int, levels: int) -> str:
    """初审 / 复审 / 终审: the last level is always the final review."""
    if level >= levels:
        return _("final review") if levels > 1 else _("review")
    return _("first review") if level == 1 else _("second review")


@dataclasses.dataclass(frozen=True)
class ReviewState:
    """Where a post stands in review, and what one staff member may do there."""

    levels: int
    level: int  # the level awaiting a decision (levels + 1 once approved)
    level_name: str
    approvals: list[ReviewStep]  # of the current round
    can_approve: bool
    why_not: str  # why the user may not approve ("" when they may, or nothing is pending)


def review_state(*, user: User, post: Post) -> ReviewState:
    """The current round's approvals and whether ``user`` may approve the next level: a
    reviewer of the archive, never the author, never one who approved another level of it."""
    levels = review_levels(post.archive)
    approvals = list(
        ReviewStep.objects.filter(
            post=post, round=post.review_round, decision=ReviewStep.Decision.APPROVED
        ).select_related("reviewer")
    )
    level = len(approvals) + 1
    why_not = ""
    may_review = user_can(user=user, archive=post.archive, capability=Capability.POST_REVIEW)
    if post.status != Post.Status.SUBMITTED or not may_review:
        can = False
    elif post.created_by_id == user.pk:
        can, why_not = False, _("You wrote this post: another reviewer must approve it.")
    elif any(step.reviewer_id == user.pk for step in approvals):
        can = False
        why_not = _(
            "You approved an earlier level of this post: the next level needs another reviewer."
        )
    else:
        can = True
    return ReviewState(
        levels=levels,
        level=level,
        level_name=review_level_name(min(level, levels), levels),
        approvals=approvals,
        can_approve=can,
        why_not=why_not,
    )


def review_history(*, post: Post) -> list[ReviewStep]:
    """Every review decision on the post, oldest first, with its level's name."""
    steps = list(post.review_steps.select_related("reviewer").order_by("created_at", "id"))
    for step in steps:
        step.level_name = review_level_name(step.level, step.levels)
    return steps


def freshness_days(archive: Archive) -> int:
    desk = DeskSettings.objects.filter(archive=archive).first()
    if desk is not None:
        return desk.freshness_days
    return int(getattr(settings, "ARCHIVOX_FRESHNESS_DAYS", DEFAULT_FRESHNESS_DAYS))


def freshness_warning(*, archive: Archive, now: datetime.datetime | None = None) -> str:
    """A warning when the archive has published no original post for N days ("" if fresh)."""
    now = now or timezone.now()
    last = (
        Post.objects.filter(
            archive=archive, origin=Post.Origin.ORIGINAL, published_at__isnull=False
        )
        .exclude(status=Post.Status.WITHDRAWN)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return freshness_text(last=last, days=freshness_days(archive), now=now)


def freshness_text(*, last: datetime.datetime | None, days: int, now: datetime.datetime) -> str:
    """The freshness warning for an account whose last original post was ``last``."""
    if last is not None and now - last < datetime.timedelta(days=days):
        return ""
    if last is None:
        return _("No original post has been published yet; readers look for fresh content.")
    return _(
        "No original post for %(n)s days (last on %(day)s); the paper found accounts left stale "
        "for months. Plan one in the calendar."
    ) % {"n": (now - last).days, "day": timezone.localtime(last).date().isoformat()}


@dataclasses.dataclass
class CalendarDay:
    day: datetime.date
    posts: list[Post]
    warnings: list[str]


def _mass_sends_by_day(
    archive: Archive, start: datetime.date, end: datetime.date
) -> dict[datetime.date, list[Post]]:
    """Posts that mass-send on WeChat, by Beijing day: published ones and planned ones."""
    begin = datetime.datetime.combine(start, datetime.time(), tzinfo=BEIJING)
    stop = datetime.datetime.combine(end, datetime.time(), tzinfo=BEIJING)
    by_day: dict[datetime.date, list[Post]] = {}
    planned = Post.objects.filter(
        archive=archive,
        status=Post.Status.SCHEDULED,
        wechat_mode=Post.WeChatMode.MASS_SEND,
        scheduled_for__gte=begin,
        scheduled_for__lt=stop,
    )
    for post in planned:
        if "wechat" in post.channels:
            by_day.setdefault(beijing_day(post.scheduled_for), []).append(post)
    sent = Delivery.objects.filter(
        post__archive=archive,
        channel="wechat",
        payload__mode="mass_send",
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.SENT],
        created_at__gte=begin,
        created_at__lt=stop,
    ).select_related("post")
    for delivery in sent:
        by_day.setdefault(beijing_day(delivery.created_at), []).append(delivery.post)
    return by_day


def _mass_send_warning(day: datetime.date, posts: list[Post]) -> str:
    return _(
        "%(day)s: %(n)s WeChat mass sends planned (%(titles)s); a subscription account may "
        "mass-send once a day, so only the first will go out."
    ) % {"day": day.isoformat(), "n": len(posts), "titles": "、".join(p.title for p in posts)}


def calendar_warnings_for_day(*, archive: Archive, day: datetime.date) -> list[str]:
    posts = _mass_sends_by_day(archive, day, day + datetime.timedelta(days=1)).get(day, [])
    return [_mass_send_warning(day, posts)] if len(posts) > 1 else []


def calendar_month(*, user: User, archive: Archive, year: int, month: int) -> list[CalendarDay]:
    """The content calendar of one month: posts published or planned on each day, with
    warnings where a plan breaks WeChat's one mass send a day."""
    first = datetime.date(year, month, 1)
    last = first + datetime.timedelta(days=calendar.monthrange(year, month)[1])
    return calendar_days(user=user, archive=archive, first=first, last=last)


def calendar_days(
    *, user: User, archive: Archive, first: datetime.date, last: datetime.date
) -> list[CalendarDay]:
    """The calendar from ``first`` up to (not including) ``last``: a month, or a week."""
    _check_view(user, archive)
    begin = datetime.datetime.combine(first, datetime.time(), tzinfo=BEIJING)
    stop = datetime.datetime.combine(last, datetime.time(), tzinfo=BEIJING)
    days = {
        first + datetime.timedelta(days=n): CalendarDay(first + datetime.timedelta(days=n), [], [])
        for n in range((last - first).days)
    }
    posts = Post.objects.filter(archive=archive).exclude(status=Post.Status.WITHDRAWN)
    for post in posts.filter(
        scheduled_for__gte=begin, scheduled_for__lt=stop, status=Post.Status.SCHEDULED
    ):
        days[beijing_day(post.scheduled_for)].posts.append(post)
    for post in posts.filter(published_at__gte=begin, published_at__lt=stop):
        days[beijing_day(post.published_at)].posts.append(post)
    for day, mass in _mass_sends_by_day(archive, first, last).items():
        unique = list({p.pk: p for p in mass}.values())
        if len(unique) > 1 and day in days:
            days[day].warnings.append(_mass_send_warning(day, unique))
    return list(days.values())


@dataclasses.dataclass(frozen=True)
class DeskSummary:
    submitted: int = 0
    failed: int = 0
    freshness: str = ""


def desk_summaries(*, archive_ids: list[int]) -> dict[int, DeskSummary]:
    """For the dashboard: posts waiting for review, failed deliveries and the freshness warning
    of many archives at once (a few queries, however many archives)."""
    from django.db.models import Count, Max

    now = timezone.now()
    submitted = dict(
        Post.objects.filter(archive_id__in=archive_ids, status=Post.Status.SUBMITTED)
        .values_list("archive_id")
        .annotate(n=Count("pk"))
    )
    failed = dict(
        Delivery.objects.filter(post__archive_id__in=archive_ids, status=Delivery.Status.FAILED)
        .values_list("post__archive_id")
        .annotate(n=Count("pk"))
    )
    last = dict(
        Post.objects.filter(
            archive_id__in=archive_ids,
            origin=Post.Origin.ORIGINAL,
            published_at__isnull=False,
        )
        .exclude(status=Post.Status.WITHDRAWN)
        .values_list("archive_id")
        .annotate(last=Max("published_at"))
    )
    own_days = dict(
        DeskSettings.objects.filter(archive_id__in=archive_ids).values_list(
            "archive_id", "freshness_days"
        )
    )
    default_days = int(getattr(settings, "ARCHIVOX_FRESHNESS_DAYS", DEFAULT_FRESHNESS_DAYS))
    return {
        archive_id: DeskSummary(
            submitted=submitted.get(archive_id, 0),
            failed=failed.get(archive_id, 0),
            freshness=freshness_text(
                last=last.get(archive_id), days=own_days.get(archive_id, default_days), now=now
            ),
        )
        for archive_id in archive_ids
    }


PICKER_PAGE_SIZE = 20


@dataclasses.dataclass(frozen=True)
class PickerItem:
    """A catalog item as the composer's picker offers it: whether it can be quoted now, and
    what its access means for a post (in the editor's words, not the access code)."""

    pk: int
    reference_code: str
    title: str
    access_label: str
    access_class: str  # open, restricted, closed: the badge's colour
    selectable: bool
    has_image: bool


@dataclasses.dataclass(frozen=True)
class PickerPage:
    items: list[PickerItem]
    query: str
    number: int
    pages: int
    total: int


def _picker_item(description, today: datetime.date, with_image: set[int]) -> PickerItem:
    closed = description.effective_closed_until
    if closed is not None and closed >= today:
        label = _("closed until %(date)s: cannot be quoted yet") % {
            "date": closed.strftime("%Y-%m-%d")
        }
        return PickerItem(
            description.pk,
            description.reference_code,
            description.title,
            label,
            "closed",
            False,
            False,
        )
    if description.effective_access == "restricted":
        label, css = _("restricted: its images are not published"), "restricted"
    else:
        label, css = _("open"), "open"
    return PickerItem(
        description.pk,
        description.reference_code,
        description.title,
        label,
        css,
        True,
        css == "open" and description.pk in with_image,
    )


def picker_page(
    *, user: User, archive: Archive, query: str = "", page: int = 1, exclude: Iterable[int] = ()
) -> PickerPage:
    """One page of the catalog items an editor may draw on: never a confidential item (nor
    one under a confidential fonds or series); closed ones shown with their closure, not
    offered. Searched by title, reference code or scope and content."""
    candidates = (
        description_list_for_staff(user=user, archive=archive)
        .exclude(effective_access="confidential")
        .exclude(pk__in=list(exclude))
    )
    query = query.strip()
    if query:
        candidates = candidates.filter(
            Q(title__icontains=query)
            | Q(reference_code__icontains=query)
            | Q(scope_content__icontains=query)
        )
    candidates = candidates.order_by("path")
    total = candidates.count()
    pages = max(1, -(-total // PICKER_PAGE_SIZE))
    number = min(max(1, page), pages)
    start = (number - 1) * PICKER_PAGE_SIZE
    rows = list(candidates[start : start + PICKER_PAGE_SIZE])
    with_image = set(
        DigitalObject.objects.filter(
            description__in=rows, kind=DigitalObject.Kind.IMAGE
        ).values_list("description_id", flat=True)
    )
    today = timezone.localdate()
    return PickerPage(
        items=[_picker_item(d, today, with_image) for d in rows],
        query=query,
        number=number,
        pages=pages,
        total=total,
    )
