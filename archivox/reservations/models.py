"""Reservations: bookable resources (reading room, exhibition hall), their opening hours and
closures, the slots generated from them, and the bookings the public makes.

The booking core (``Slot`` + ``Booking``) is shared with lecture events: an event owns a slot
without a resource, and registering for it is booking that slot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.core.fields import EncryptedTextField
from archivox.core.models import Archive


class Resource(models.Model):
    """Something the public books a place in: a reading room, an exhibition hall."""

    class Kind(models.TextChoices):
        READING_ROOM = "reading_room", _("reading room")
        EXHIBITION_HALL = "exhibition_hall", _("exhibition hall")
        OTHER = "other", _("other")

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="reservation_resources",
        verbose_name=_("archive"),
    )
    slug = models.SlugField(_("short name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    description = models.TextField(
        pgettext_lazy("model field", "description"), blank=True, max_length=2000
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places per slot"), default=10)
    slot_minutes = models.PositiveIntegerField(_("slot length (minutes)"), default=120)
    horizon_days = models.PositiveIntegerField(_("bookable days ahead"), default=14)
    is_active = models.BooleanField(_("open for booking"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["archive", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="reservation_resource_slug"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15) & Q(slot_minutes__lte=720),
                name="reservation_resource_slot_minutes",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=10000),
                name="reservation_resource_capacity",
            ),
        ]
        verbose_name = _("bookable place")
        verbose_name_plural = _("bookable places")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening period in the weekly pattern (Monday is 0); a day may have several."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="opening_hours",
        verbose_name=_("bookable place"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["resource", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
        ]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a resource is closed (holidays, works), first and last day included."""

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("bookable place"),
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["resource", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="reservation_closure_order"
            )
        ]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} {self.reason}"


class Slot(models.Model):
    """A bookable time with a capacity. ``booked`` counts the live bookings; it only changes by
    a conditional UPDATE (``booked < capacity``), which is what keeps capacity under concurrency.

    Slots of a resource are generated from its opening hours; a lecture event owns one slot
    without a resource."""

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="reservation_slots",
        verbose_name=_("archive"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="slots",
        null=True,
        blank=True,
        verbose_name=_("bookable place"),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    # What the slot is for when it has no resource (a lecture's title), for lists and reminders.
    label = models.CharField(_("label"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    booked = models.PositiveIntegerField(_("booked places"), default=0)
    is_open = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "starts_at"],
                condition=Q(resource__isnull=False),
                name="reservation_slot_unique_start",
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="reservation_slot_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="reservation_slot_order"
            ),
        ]
        verbose_name = _("booking slot")
        verbose_name_plural = _("booking slots")

    def __str__(self) -> str:
        return f"{self.resource or self.archive} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        return self.label or (self.resource.name if self.resource_id else "")

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.booked)


class Booking(models.Model):
    """One person's place in a slot, found again by its confirmation code."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        WEB = "web", _("website")
        WECHAT = "wechat", _("WeChat")

    class Reminder(models.TextChoices):
        PENDING = "pending", _("to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        UNDELIVERABLE = "undeliverable", _("not deliverable")
        NOT_NEEDED = "not_needed", _("not needed")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("archive")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("booking slot")
    )
    code = models.CharField(_("confirmation code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("e-mail or phone"), max_length=254)
    # Who the person is, to refuse a second booking of the same slot: a keyed digest
    # (core.fields.person_digest) of the WeChat openid, else of the contact normalised
    # (lower-case e-mail, digits of a phone number); "purged-<pk>" once purged.
    person_key = models.CharField(_("person key"), max_length=254, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Never shown; encrypted at rest, purged with the rest.
    openid = EncryptedTextField(_("WeChat openid"), blank=True)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.BOOKED,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    reminder = models.CharField(
        _("reminder"), max_length=14, choices=Reminder.choices, default=Reminder.PENDING
    )
    reminder_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    reminder_note = models.CharField(_("reminder note"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "created_at"]
        constraints = [
            # The database refuses a second live booking of one slot by one person, even when
            # both requests arrive at the same moment.
            models.UniqueConstraint(
                fields=["slot", "person_key"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="reservation_booking_once_per_person",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="reservation_booking_rating_range",
            ),
        ]
        indexes = [models.Index(fields=["reminder", "status"])]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self) -> str:
        return f"{self.code_display} {self.name}"

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.BOOKED, self.Status.CHECKED_IN)
