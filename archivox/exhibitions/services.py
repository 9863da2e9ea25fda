"""Exhibitions (sections, catalog items) and lecture events. Every staff change is audited.

Registration for an event is a booking of the event's slot in the reservations app, so the
capacity guarantee and the confirmation codes are the reservations' own."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Description
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, changes_apply, model_update, snapshot
from archivox.exhibitions.models import Event, Exhibition, Section, SectionItem, Status
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li", "h3", "h4", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
EXHIBITION_FIELDS = ("slug", "title", "summary", "introduction")
EVENT_FIELDS = (
    "slug",
    "title",
    "speaker",
    "speaker_bio",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "exhibition",
)


def html_clean(html: str) -> str:
    """Editors' HTML reduced to a few harmless tags; scripts, styles and handlers go."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    ).strip()


def _check(actor: User | None, archive: Archive) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)


# -- exhibitions --------------------------------------------------------------------------------


@transaction.atomic
def exhibition_create(
    *,
    actor: User | None,
    archive: Archive,
    slug: str,
    title: str,
    summary: str = "",
    introduction: str = "",
) -> Exhibition:
    _check(actor, archive)
    exhibition = Exhibition(
        archive=archive,
        slug=slug,
        title=title.strip(),
        summary=summary.strip(),
        introduction=html_clean(introduction),
    )
    exhibition.full_clean()
    exhibition.save()
    audit_record(
        actor=actor,
        action="exhibition.create",
        obj=exhibition,
        archive=archive,
        after=snapshot(exhibition, EXHIBITION_FIELDS),
    )
    return exhibition


@transaction.atomic
def exhibition_update(*, actor: User | None, exhibition: Exhibition, **changes: Any) -> Exhibition:
    _check(actor, exhibition.archive)
    unknown = set(changes) - set(EXHIBITION_FIELDS)
    if unknown:
        raise TypeError(f"unknown exhibition fields: {sorted(unknown)}")
    if "introduction" in changes:
        changes["introduction"] = html_clean(changes["introduction"])
    model_update(
        actor=actor,
        instance=exhibition,
        changes=changes,
        action="exhibition.update",
        archive=exhibition.archive,
    )
    return exhibition


@transaction.atomic
def exhibition_publish(
    *, actor: User | None, exhibition: Exhibition, publish: bool = True
) -> Exhibition:
    _check(actor, exhibition.archive)
    target = Status.PUBLISHED if publish else Status.DRAFT
    if exhibition.status == target:
        return exhibition
    if publish and not exhibition.sections.exists():
        raise ValidationError({"status": _("Add at least one section before publishing.")})
    before = {"status": exhibition.status}
    exhibition.status = target
    if publish and exhibition.published_at is None:
        exhibition.published_at = timezone.now()
    exhibition.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="exhibition.publish" if publish else "exhibitions.exhibition_unpublish",
        obj=exhibition,
        archive=exhibition.archive,
        before=before,
        after={"status": target},
    )
    return exhibition


@transaction.atomic
def section_add(
    *, actor: User | None, exhibition: Exhibition, title: str, body: str = ""
) -> Section:
    _check(actor, exhibition.archive)
    last = exhibition.sections.aggregate(last=Max("position"))["last"]
    section = Section(
        exhibition=exhibition,
        title=title.strip(),
        body=html_clean(body),
        position=(last or 0) + 1,
    )
    section.full_clean()
    section.save()
    audit_record(
        actor=actor,
        action="section.add",
        obj=section,
        archive=exhibition.archive,
        after=snapshot(section, ("exhibition", "title", "position")),
    )
    return section


@transaction.atomic
def section_update(
    *, actor: User | None, section: Section, title: str | None = None, body: str | None = None
) -> Section:
    archive = section.exhibition.archive
    _check(actor, archive)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title.strip()
    if body is not None:
        changes["body"] = html_clean(body)
    model_update(
        actor=actor,
        instance=section,
        changes=changes,
        action="section.update",
        archive=archive,
    )
    return section


@transaction.atomic
def section_remove(*, actor: User | None, section: Section) -> None:
    archive = section.exhibition.archive
    _check(actor, archive)
    audit_record(
        actor=actor,
        action="section.remove",
        obj=section,
        archive=archive,
        before=snapshot(section, ("exhibition", "title", "position")),
    )
    section.delete()


@transaction.atomic
def sections_reorder(
    *, actor: User | None, exhibition: Exhibition, order: Sequence[int]
) -> list[Section]:
    """Put the sections of ``exhibition`` in the order of the ids in ``order`` (all of them)."""
    _check(actor, exhibition.archive)
    sections = {section.pk: section for section in exhibition.sections.all()}
    order = [int(pk) for pk in order]
    if sorted(order) != sorted(sections):
        raise ValidationError({"order": _("The new order must list every section once.")})
    before = [section.pk for section in exhibition.sections.order_by("position", "pk")]
    for position, pk in enumerate(order, start=1):
        sections[pk].position = position
    Section.objects.bulk_update(sections.values(), ["position"])
    audit_record(
        actor=actor,
        action="section.reorder",
        obj=exhibition,
        archive=exhibition.archive,
        before={"order": before},
        after={"order": order},
    )
    return [sections[pk] for pk in order]


def section_move(*, actor: User | None, section: Section, offset: int) -> list[Section]:
    """Move a section up (offset -1) or down (+1) in its exhibition."""
    exhibition = section.exhibition
    order = list(exhibition.sections.order_by("position", "pk").values_list("pk", flat=True))
    index = order.index(section.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return sections_reorder(actor=actor, exhibition=exhibition, order=order)


@transaction.atomic
def section_item_add(
    *, actor: User | None, section: Section, reference_code: str, caption: str = ""
) -> SectionItem:
    """Show a catalog description in a section. Only material the public may see can be
    picked: a confidential or closed description is refused here, and the gateway filters
    again when the page is shown."""
    archive = section.exhibition.archive
    _check(actor, archive)
    try:
        description = catalog_selectors.description_get_public(
            archive=archive, reference_code=(reference_code or "").strip()
        )
    except Description.DoesNotExist as exc:
        raise ValidationError(
            {
                "reference_code": _(
                    "No description %(code)s open to the public in this archive "
                    "(confidential and closed material cannot be exhibited)."
                )
                % {"code": reference_code}
            }
        ) from exc
    if section.items.filter(description=description).exists():
        raise ValidationError({"reference_code": _("This item is already in the section.")})
    last = section.items.aggregate(last=Max("position"))["last"]
    item = SectionItem(
        section=section, description=description, caption=caption.strip(), position=(last or 0) + 1
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action="exhibition_item.add",
        obj=item,
        archive=archive,
        after={"section": section.pk, "reference_code": description.reference_code},
    )
    return item


@transaction.atomic
def section_item_remove(*, actor: User | None, item: SectionItem) -> None:
    archive = item.section.exhibition.archive
    _check(actor, archive)
    audit_record(
        actor=actor,
        action="exhibition_item.remove",
        obj=item,
        archive=archive,
        before={"section": item.section_id, "description": item.description_id},
    )
    item.delete()


# -- lecture events -----------------------------------------------------------------------------


def _event_validate(values: dict[str, Any]) -> None:
    if (
        values.get("ends_at")
        and values.get("starts_at")
        and values["ends_at"] <= values["starts_at"]
    ):
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if not values.get("place") and not values.get("online_url"):
        raise ValidationError({"place": _("Give a place or an online link (or both).")})


@transaction.atomic
def event_create(
    *,
    actor: User | None,
    archive: Archive,
    slug: str,
    title: str,
    speaker: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    place: str = "",
    online_url: str = "",
    description: str = "",
    speaker_bio: str = "",
    exhibition: Exhibition | None = None,
) -> Event:
    _check(actor, archive)
    values = {
        "slug": slug,
        "title": title.strip(),
        "speaker": speaker.strip(),
        "speaker_bio": speaker_bio.strip(),
        "description": html_clean(description),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place.strip(),
        "online_url": online_url.strip(),
        "capacity": capacity,
        "exhibition": exhibition,
    }
    _event_validate(values)
    event = Event(archive=archive, **values)
    event.full_clean(exclude=["slot"])
    event.slot = reservations.slot_create_for_event(
        archive=archive, label=event.title, starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    event.save()
    audit_record(
        actor=actor,
        action="event.create",
        obj=event,
        archive=archive,
        after=snapshot(event, EVENT_FIELDS),
    )
    return event


@transaction.atomic
def event_update(*, actor: User | None, event: Event, **changes: Any) -> Event:
    _check(actor, event.archive)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    if "description" in changes:
        changes["description"] = html_clean(changes["description"])
    before = changes_apply(event, changes)
    if not before:
        return event
    _event_validate({name: getattr(event, name) for name in EVENT_FIELDS})
    event.full_clean()
    reservations.slot_update_for_event(
        slot=event.slot,
        label=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=event.capacity,
    )
    event.save()
    audit_record(
        actor=actor,
        action="event.update",
        obj=event,
        archive=event.archive,
        before=before,
        after=snapshot(event, before),
    )
    return event


@transaction.atomic
def event_publish(*, actor: User | None, event: Event, publish: bool = True) -> Event:
    _check(actor, event.archive)
    if event.status == Status.CANCELLED:
        raise ValidationError({"status": _("A cancelled event cannot be published again.")})
    target = Status.PUBLISHED if publish else Status.DRAFT
    if event.status == target:
        return event
    before = {"status": event.status}
    event.status = target
    event.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="event.publish" if publish else "exhibitions.event_unpublish",
        obj=event,
        archive=event.archive,
        before=before,
        after={"status": target},
    )
    return event


@transaction.atomic
def event_cancel(*, actor: User | None, event: Event, reason: str = "") -> Event:
    """Call the event off: registration closes and every registered person is told, by the
    channel they registered through."""
    _check(actor, event.archive)
    if event.status == Status.CANCELLED:
        return event
    before = {"status": event.status}
    event.status = Status.CANCELLED
    event.save(update_fields=["status"])
    reservations.slot_update_for_event(slot=event.slot, is_open=False)
    audit_record(
        actor=actor,
        action="event.cancel",
        obj=event,
        archive=event.archive,
        before=before,
        after={"status": Status.CANCELLED, "reason": reason[:300]},
    )
    from archivox.exhibitions import tasks

    event_id = event.pk
    transaction.on_commit(lambda: tasks.event_cancellation_notify(event_id, reason[:300]))
    return event


def event_cancellation_notify(*, event_id: int, reason: str = "") -> int:
    event = Event.objects.select_related("archive").get(pk=event_id)
    text = _("We are sorry: %(title)s on %(when)s is cancelled.%(reason)s") % {
        "title": event.title,
        "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
        "reason": f" {reason}" if reason else "",
    }
    told = 0
    for booking in Booking.objects.filter(slot=event.slot, status=Booking.Status.BOOKED):
        delivered, _note = reservations.message_deliver(
            booking=booking, subject=_("Event cancelled — %s") % event.title, text=text
        )
        told += delivered
    return told


def event_register(*, event: Event, name: str, contact: str, wechat_token: str = "") -> Booking:
    """Register for a published event: a booking of its slot (capacity never exceeded)."""
    if event.status != Status.PUBLISHED:
        raise reservations.BookingRefused(
            "closed",
            _("This event is cancelled.")
            if event.status == Status.CANCELLED
            else _("This event is not open for registration."),
        )
    return reservations.reservation_book(
        slot_id=event.slot_id,
        archive=event.archive,
        name=name,
        contact=contact,
        wechat_token=wechat_token,
    )
