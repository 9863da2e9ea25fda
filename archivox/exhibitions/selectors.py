"""Reads of exhibitions and events. The public story of an exhibition takes its catalog material
only through ``catalog.selectors`` (the access gateway): items the public may not see are left
out, restricted items keep their description but lose their images."""

from __future__ import annotations

import dataclasses

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Description, DigitalObject
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.exhibitions.models import Event, Exhibition, Section, SectionItem, Status


@dataclasses.dataclass
class ItemView:
    description: Description
    caption: str
    images: list[DigitalObject]
    withheld: bool  # restricted: description shown, images not


@dataclasses.dataclass
class SectionView:
    section: Section
    items: list[ItemView]


@dataclasses.dataclass
class ExhibitionView:
    exhibition: Exhibition
    sections: list[SectionView]

    @property
    def share_image(self) -> DigitalObject | None:
        for section in self.sections:
            for item in section.items:
                if item.images:
                    return item.images[0]
        return None


def exhibition_list_public(*, archive: Archive | None = None) -> QuerySet[Exhibition]:
    exhibitions = Exhibition.objects.filter(status=Status.PUBLISHED).select_related("archive")
    return exhibitions.filter(archive=archive) if archive is not None else exhibitions


def exhibition_get_public(*, archive: Archive, slug: str) -> ExhibitionView:
    """A published exhibition as the public sees it; ``Exhibition.DoesNotExist`` otherwise."""
    exhibition = exhibition_list_public(archive=archive).get(slug=slug)
    return _view(exhibition)


def _view(exhibition: Exhibition) -> ExhibitionView:
    sections = list(
        exhibition.sections.order_by("position", "pk").prefetch_related(
            Prefetch("items", queryset=SectionItem.objects.order_by("position", "pk"))
        )
    )
    ids = {item.description_id for section in sections for item in section.items.all()}
    # The gateway decides what is public today, in one query (plus one for the images).
    public = {
        description.pk: description
        for description in catalog_selectors.description_list_public(archive=exhibition.archive)
        .filter(pk__in=ids)
        .prefetch_related("digital_objects")
    }
    views = []
    for section in sections:
        items = []
        for item in section.items.all():
            description = public.get(item.description_id)
            if description is None:
                continue
            objects = catalog_selectors.digital_objects_public(description=description)
            images = [obj for obj in objects if obj.kind == DigitalObject.Kind.IMAGE]
            items.append(
                ItemView(
                    description=description,
                    caption=item.caption or description.title,
                    images=images,
                    withheld=not description.objects_public_on(),
                )
            )
        views.append(SectionView(section=section, items=items))
    return ExhibitionView(exhibition=exhibition, sections=views)


def exhibition_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Exhibition]:
    archive_check_capability(user=user, archive=archive, capability=Capability.POST_COMPOSE)
    return Exhibition.objects.filter(archive=archive).order_by("-created_at")


def exhibition_get_for_staff(*, user: User, archive: Archive, pk: int) -> Exhibition:
    archive_check_capability(user=user, archive=archive, capability=Capability.POST_COMPOSE)
    return Exhibition.objects.select_related("archive").get(archive=archive, pk=pk)


def exhibition_preview_for_staff(*, user: User, exhibition: Exhibition) -> ExhibitionView:
    """What the public will see, drafts included (still through the gateway)."""
    archive_check_capability(
        user=user, archive=exhibition.archive, capability=Capability.POST_COMPOSE
    )
    return _view(exhibition)


def staff_items_of(*, section: Section) -> QuerySet[SectionItem]:
    return section.items.select_related("description").order_by("position", "pk")


def event_list_public(*, archive: Archive, upcoming_only: bool = True) -> QuerySet[Event]:
    events = Event.objects.filter(
        archive=archive, status__in=[Status.PUBLISHED, Status.CANCELLED]
    ).select_related("slot", "archive")
    if upcoming_only:
        events = events.filter(ends_at__gte=timezone.now())
    return events.order_by("starts_at")


def event_get_public(*, archive: Archive, slug: str) -> Event:
    return Event.objects.select_related("slot", "archive", "exhibition").get(
        archive=archive, slug=slug, status__in=[Status.PUBLISHED, Status.CANCELLED]
    )


def event_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Event]:
    archive_check_capability(user=user, archive=archive, capability=Capability.POST_COMPOSE)
    return Event.objects.filter(archive=archive).select_related("slot").order_by("-starts_at")


def event_get_for_staff(*, user: User, archive: Archive, pk: int) -> Event:
    archive_check_capability(user=user, archive=archive, capability=Capability.POST_COMPOSE)
    return Event.objects.select_related("slot", "archive").get(archive=archive, pk=pk)
