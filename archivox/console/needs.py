"""What needs me now: the dashboard's list of things waiting for a staff member.

Each source adds ``NeedsMe`` items for the archives where the user may act on them. The catalog
and the archive's set-up are here; posts to review, overdue consultations, today's visitors,
failed deliveries and freshness warnings come from their apps' selectors (the lead adds them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archivox.catalog import selectors as catalog_selectors
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability


@dataclass(frozen=True)
class NeedsMe:
    """One thing waiting for the user in one archive ("what needs me now")."""

    text: str
    url: str
    archive: Archive | None = None


def needs_me(
    user: User, archives: list[Archive], capabilities: dict[int, frozenset[str]]
) -> list[NeedsMe]:
    """What the catalog and the archive's set-up ask of the user now. Other apps' items
    (posts to review, overdue consultations, today's visitors…) join this list later."""
    items: list[NeedsMe] = []
    closures = catalog_selectors.closure_ending_counts(user=user, archives=archives)
    managed = [a for a in archives if Capability.ARCHIVE_MANAGE in capabilities[a.pk]]
    without_wechat = core_selectors.archive_ids_without_platform_account(
        archives=managed, platform=PlatformAccount.Platform.WECHAT
    )
    for archive in archives:
        count = closures.get(archive.pk, 0)
        if count:
            items.append(
                NeedsMe(
                    ngettext(
                        "%(count)d description opens to the public within 30 days: check it.",
                        "%(count)d descriptions open to the public within 30 days: check them.",
                        count,
                    )
                    % {"count": count},
                    reverse("console:catalog_tree", args=[archive.slug]) + "?closing=1",
                    archive,
                )
            )
        if archive.pk in without_wechat:
            items.append(
                NeedsMe(
                    _("No WeChat official account is set up yet."),
                    reverse("console:accounts", args=[archive.slug]),
                    archive,
                )
            )
    items.extend(_other_areas(archives, capabilities))
    return items


def _other_areas(archives: list[Archive], capabilities: dict[int, frozenset[str]]) -> list[NeedsMe]:
    """Published copies to recall, posts to review, failed deliveries, a stale account,
    overdue consultations and today's visitors, each only where the user may act on it; a few
    queries for all archives."""
    from django.utils import timezone

    from archivox.consultations.selectors import awaiting_counts, overdue_counts
    from archivox.publishing.selectors import desk_summaries, recall_open_by_archive
    from archivox.records_requests.selectors import overdue_counts as records_overdue_counts
    from archivox.reservations.selectors import visitor_counts_for_day

    def having(capability: str) -> list[int]:
        return [a.pk for a in archives if capability in capabilities[a.pk]]

    reviewing, composing = having(Capability.POST_REVIEW), having(Capability.POST_COMPOSE)
    answering = having(Capability.CONSULTATION_ANSWER)
    desks = desk_summaries(archive_ids=sorted(set(reviewing) | set(composing)))
    recalls = recall_open_by_archive(archive_ids=sorted(set(reviewing) | set(composing)))
    overdue = overdue_counts(archive_ids=answering)
    records_overdue = records_overdue_counts(archive_ids=answering)
    awaiting = awaiting_counts(archive_ids=answering)
    visitors = visitor_counts_for_day(archive_ids=answering, day=timezone.localdate())
    items: list[NeedsMe] = []
    for archive in archives:
        items.extend(_recall_items(archive, recalls.get(archive.pk, [])))
        desk = desks.get(archive.pk)
        desk_url = reverse("console_publishing:index") + f"?archive={archive.slug}"
        if archive.pk in reviewing and desk and desk.submitted:
            text = ngettext(
                "%(count)d post waits for your review.",
                "%(count)d posts wait for your review.",
                desk.submitted,
            ) % {"count": desk.submitted}
            items.append(NeedsMe(text, desk_url, archive))
        if archive.pk in composing and desk and desk.failed:
            text = ngettext(
                "%(count)d delivery failed: see the delivery log.",
                "%(count)d deliveries failed: see the delivery log.",
                desk.failed,
            ) % {"count": desk.failed}
            log = reverse("console_publishing:deliveries", args=[archive.slug])
            items.append(NeedsMe(text, log, archive))
        if archive.pk in composing and desk and desk.freshness:
            items.append(NeedsMe(desk.freshness, desk_url, archive))
        if overdue.get(archive.pk):
            count = overdue[archive.pk]
            text = ngettext(
                "%(count)d consultation is past the answer we promised.",
                "%(count)d consultations are past the answer we promised.",
                count,
            ) % {"count": count}
            items.append(NeedsMe(text, reverse("console_inbox:overdue"), archive))
        if records_overdue.get(archive.pk):
            count = records_overdue[archive.pk]
            text = ngettext(
                "%(count)d records-use request is past its deadline.",
                "%(count)d records-use requests are past their deadline.",
                count,
            ) % {"count": count}
            queue = reverse("console_records:queue", args=[archive.slug]) + "?queue=overdue"
            items.append(NeedsMe(text, queue, archive))
        if awaiting.get(archive.pk):
            count = awaiting[archive.pk]
            text = ngettext(
                "%(count)d question waits for an answer.",
                "%(count)d questions wait for an answer.",
                count,
            ) % {"count": count}
            inbox = reverse("console_inbox:index") + f"?archive={archive.slug}&status=open"
            items.append(NeedsMe(text, inbox, archive))
        if visitors.get(archive.pk):
            count = visitors[archive.pk]
            text = ngettext(
                "%(count)d visitor is booked for today.",
                "%(count)d visitors are booked for today.",
                count,
            ) % {"count": count}
            day = reverse("console_reservations:day", args=[archive.slug])
            items.append(NeedsMe(text, day, archive))
    return items


RECALLS_NAMED = 3  # a fonds reclassified may recall many posts: the rest are counted


def _recall_items(archive: Archive, recalls: list) -> list[NeedsMe]:  # posts with a recall open
    """Published copies that quote an item since reclassified, one line per post (a staff
    member acts on each), then a count."""
    page = reverse("console_publishing:recalls", args=[archive.slug])
    items = [
        NeedsMe(
            _(
                "Published copies of “%(title)s” quote an item that is now %(reason)s: "
                "withdraw them."
            )
            % {"title": post.title, "reason": post.get_recall_reason_display()},
            f"{page}#recall-{post.pk}",
            archive,
        )
        for post in recalls[:RECALLS_NAMED]
    ]
    more = len(recalls) - RECALLS_NAMED
    if more > 0:
        text = ngettext(
            "%(count)d more post has published copies to withdraw.",
            "%(count)d more posts have published copies to withdraw.",
            more,
        ) % {"count": more}
        items.append(NeedsMe(text, page, archive))
    return items


@dataclass(frozen=True)
class NeedsMeGroup:
    """One line of the dashboard: the same thing waiting in one or more archives."""

    text: str
    places: list[tuple[Archive | None, str]]  # (archive, url) each


def needs_me_grouped(items: list[NeedsMe]) -> list[NeedsMeGroup]:
    """The items with the same words joined into one line naming each archive, so twelve
    archives without a WeChat account make one line, not twelve; first-seen order kept."""
    groups: dict[str, NeedsMeGroup] = {}
    for item in items:
        group = groups.setdefault(item.text, NeedsMeGroup(item.text, []))
        group.places.append((item.archive, item.url))
    return list(groups.values())
