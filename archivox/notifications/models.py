"""Messages to one known person (a booking's confirmation, a reminder, an answer): each sent at
most once (``key``), by the first channel that takes it — the WeChat account's template message,
the customer-service window, e-mail — and logged like a delivery."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.core.fields import EncryptedTextField
from archivox.core.models import Archive


class NotificationTemplate(models.Model):
    """The template id an archive's WeChat account uses for one purpose (set in WeChat's
    console; its fields are the keys the purpose's sender fills: thing1, time2, …)."""

    class Kind(models.TextChoices):
        # 模板消息: sent whenever the follower follows the account.
        TEMPLATE = "template", _("template message")
        # 一次性订阅消息: one message per consent the follower gave on the platform's page.
        SUBSCRIBE = "subscribe", _("one-time subscription message")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    purpose = models.CharField(_("purpose"), max_length=40)
    template_id = models.CharField(_("template id"), max_length=64)
    kind = models.CharField(
        _("message kind"), max_length=10, choices=Kind.choices, default=Kind.TEMPLATE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "purpose"], name="notification_template_once"
            )
        ]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return f"{self.archive} · {self.purpose}"

    @property
    def purpose_label(self) -> str:
        return purpose_label(self.purpose)


# What staff read for a purpose (senders name theirs "app.purpose").
PURPOSE_LABELS = {
    "reservations.confirmation": _("Reservation confirmation"),
    "reservations.reminder": _("Visit reminder"),
    "reservations.feedback": _("Invitation to rate a visit"),
    "reservations.message": _("Message about a reservation"),
    "consultations.answer": _("Answer to a question"),
    "records_requests.status": _("Records request status"),
}


# The fields each purpose's sender fills in a template message, with what they hold: the
# template chosen in WeChat's console must have these keys (the platform's limits by kind are
# ``services.FIELD_LIMITS``). A one-time subscription message carries the text instead.
PURPOSE_FIELDS: dict[str, list[tuple[str, str]]] = {
    "reservations.confirmation": [
        ("thing1", pgettext_lazy("template field", "place")),
        ("time2", pgettext_lazy("template field", "time")),
        ("character_string3", pgettext_lazy("template field", "confirmation code")),
        ("thing4", pgettext_lazy("template field", "archive")),
    ],
    "reservations.reminder": [
        ("thing1", pgettext_lazy("template field", "place")),
        ("time2", pgettext_lazy("template field", "time")),
        ("character_string3", pgettext_lazy("template field", "confirmation code")),
        ("thing4", pgettext_lazy("template field", "archive")),
    ],
    "consultations.answer": [
        ("thing1", pgettext_lazy("template field", "subject")),
        ("thing2", pgettext_lazy("template field", "answer")),
        ("thing3", pgettext_lazy("template field", "archive")),
    ],
    "records_requests.status": [
        ("character_string1", pgettext_lazy("template field", "tracking code")),
        ("thing2", pgettext_lazy("template field", "status")),
        ("thing3", pgettext_lazy("template field", "message")),
        ("thing4", pgettext_lazy("template field", "archive")),
    ],
}
# The scene of each purpose's one-time subscription message (0–10000, the platform's).
SUBSCRIBE_SCENES = {
    "reservations.confirmation": 1,
    "reservations.reminder": 2,
    "consultations.answer": 3,
    "records_requests.status": 4,
}


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, _("Other message")))


def _new_key() -> str:
    return uuid.uuid4().hex


class Notification(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        UNCERTAIN = "uncertain", _("sent, answer lost (not repeated)")
        UNDELIVERABLE = "undeliverable", _("not deliverable")

    class Channel(models.TextChoices):
        TEMPLATE = "template", _("WeChat template message")
        SUBSCRIBE = "subscribe", _("WeChat subscription message")
        CUSTOMER_SERVICE = "customer_service", _("WeChat customer-service message")
        EMAIL = "email", _("e-mail")
        NONE = "", _("none")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    # At most once: the sender names the message (e.g. "reservations.reminder:42").
    key = models.CharField(_("message key"), max_length=120, unique=True, default=_new_key)
    purpose = models.CharField(_("purpose"), max_length=40)
    openid = EncryptedTextField(_("WeChat follower"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    subject = models.CharField(pgettext_lazy("model field", "subject"), max_length=200, blank=True)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=14,
        choices=Status.choices,
        default=Status.SENDING,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    note = models.TextField(_("what happened"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["archive", "created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.purpose} · {self.get_status_display()}"

    @property
    def purpose_label(self) -> str:
        return purpose_label(self.purpose)
