"""Reads of promotion: posters with their counts, and the pages a poster may lead to."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import DigitalObject
from archivox.collecting import selectors as collecting_selectors
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.exhibitions import selectors as exhibition_selectors
from archivox.promotion.models import Poster, PosterStyle, PosterVisit


def poster_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Poster]:
    archive_check_capability(user=user, archive=archive, capability=Capability.POST_COMPOSE)
    return Poster.objects.filter(archive=archive).annotate(total=Sum("visits__count"))


def poster_get_for_staff(*, user: User, archive: Archive, pk: int) -> Poster:
    return poster_list_for_staff(user=user, archive=archive).select_related("image").get(pk=pk)


def poster_style_for(*, archive: Archive) -> PosterStyle:
    """The archive's poster template (the defaults, unsaved, when it has none yet)."""
    return PosterStyle.objects.filter(archive=archive).first() or PosterStyle(archive=archive)


def poster_visit_counts(
    *, archives: list[Archive] | None, since: datetime.date
) -> list[tuple[Poster, int]]:
    """(poster, visits through its short link since ``since``), most first, of ``archives``
    (every archive when None)."""
    posters = Poster.objects.filter(visits__day__gte=since).select_related("archive")
    if archives is not None:
        posters = posters.filter(archive__in=archives)
    counted = posters.annotate(n=Sum("visits__count")).order_by("-n", "pk")
    return [(poster, poster.n) for poster in counted]


def poster_visits_by_week(*, poster: Poster, weeks: int = 8) -> list[tuple[datetime.date, int]]:
    """Visits per week (Monday first), the last ``weeks`` weeks, oldest first."""
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    starts = [this_monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for day, count in PosterVisit.objects.filter(poster=poster, day__gte=starts[0]).values_list(
        "day", "count"
    ):
        counts[day - datetime.timedelta(days=day.weekday())] += count
    return list(counts.items())


def poster_targets(*, archive: Archive) -> list[tuple[str, str]]:
    """The archive's public pages a poster may lead to: (path, label)."""
    slug = archive.slug
    targets = [
        (
            reverse("portal:archive", args=[slug]),
            _("The archive's home page and its accounts (how to follow the WeChat account)"),
        )
    ]
    for exhibition in exhibition_selectors.exhibition_list_public(archive=archive):
        targets.append(
            (
                reverse("exhibitions:detail", args=[slug, exhibition.slug]),
                _("Exhibition: %s") % exhibition.title,
            )
        )
    for event in exhibition_selectors.event_list_public(archive=archive):
        targets.append(
            (reverse("exhibitions:event", args=[slug, event.slug]), _("Event: %s") % event.title)
        )
    for collection in catalog_selectors.collection_list_public(archive=archive):
        targets.append(
            (
                reverse("portal:collection", args=[slug, collection.slug]),
                _("Featured collection: %s") % collection.title,
            )
        )
    for campaign in collecting_selectors.campaign_list_public(archive=archive):
        targets.append(
            (
                reverse("collecting:campaign", args=[slug, campaign.slug]),
                _("Collecting: %s") % campaign.title,
            )
        )
    targets += [
        (reverse("current_documents:index", args=[slug]), _("Current documents")),
        (reverse("records:index", args=[slug]), _("Records-use service (查档)")),
        (reverse("reservations:index", args=[slug]), _("Book a visit")),
        (reverse("ask:ask", args=[slug]), _("Ask the archive")),
    ]
    return targets


def poster_images(*, archive: Archive, limit: int = 60) -> list[DigitalObject]:
    """Open pictures of the archive's catalog (public copies), for a poster's picture."""
    return list(
        DigitalObject.objects.filter(
            catalog_selectors.objects_public_filter(prefix="description__"),
            description__archive=archive,
            kind=DigitalObject.Kind.IMAGE,
        )
        .exclude(public_file="")
        .select_related("description")
        .order_by("description__path", "position")[:limit]
    )
