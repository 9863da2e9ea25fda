"""Messages the public sends us through the platforms, stored before anything answers them."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archivox.core.models import Archive, PlatformAccount


class InboundMessage(models.Model):
    """One message or event delivered by a platform, stored once however often it is retried.

    ``dedupe_key`` is what the platform repeats on a retry (WeChat: the MsgId, or the sender,
    CreateTime and Event for events); it is unique per archive and channel, so a retry finds the
    stored message and is answered the way the first delivery was."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat")

    class Transport(models.TextChoices):
        PLAIN = "plain", _("plaintext")
        COMPAT = "compat", _("compatible")
        SAFE = "safe", _("safe (encrypted)")

    class ReplyState(models.TextChoices):
        PENDING = "pending", _("being answered")
        PASSIVE = "passive", _("answered in the callback")
        DEFERRED = "deferred", _("queued for a customer-service message")
        SENDING = "sending", _("customer-service message being sent")
        SENT = "sent", _("answered by customer-service message")
        FAILED = "failed", _("answer failed")
        NONE = "none", _("no answer needed")

    class RepliedVia(models.TextChoices):
        PASSIVE = "passive", _("passive reply")
        CUSTOMER_SERVICE = "customer_service", _("customer-service message")
        NONE = "none", _("none")

    archive = models.ForeignKey(
        Archive,
        on_delete=models.PROTECT,
        related_name="inbound_messages",
        verbose_name=_("archive"),
    )
    account = models.ForeignKey(
        PlatformAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("platform account"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    transport = models.CharField(
        _("transport"), max_length=10, choices=Transport.choices, default=Transport.PLAIN
    )
    sender = models.CharField(_("sender (openid)"), max_length=128)
    recipient = models.CharField(_("to (account's original id)"), max_length=128, blank=True)
    msg_type = models.CharField(_("message type"), max_length=32)
    event = models.CharField(_("event"), max_length=64, blank=True)
    msg_id = models.CharField(_("platform message id"), max_length=64, blank=True)
    create_time = models.BigIntegerField(_("platform time (Unix seconds)"))
    content = models.TextField(_("content"), blank=True)
    payload = models.JSONField(_("all fields"), default=dict, blank=True)
    raw = models.TextField(_("plaintext XML as received"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255)
    reply_state = models.CharField(
        _("reply state"), max_length=10, choices=ReplyState.choices, default=ReplyState.PENDING
    )
    reply_text = models.TextField(_("reply"), blank=True)
    replied_via = models.CharField(
        _("replied via"), max_length=20, choices=RepliedVia.choices, blank=True
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply_error = models.TextField(_("reply error"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "channel", "dedupe_key"], name="inbound_message_once"
            ),
        ]
        indexes = [
            models.Index(fields=["archive", "-received_at"], name="inbound_archive_received"),
            models.Index(fields=["channel", "sender"], name="inbound_channel_sender"),
            models.Index(fields=["reply_state", "received_at"], name="inbound_reply_state"),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        kind = f"{self.msg_type}/{self.event}" if self.event else self.msg_type
        return f"{self.archive_id} · {self.channel} · {kind} from {self.sender}"

    @property
    def sent_at(self) -> datetime.datetime:
        """When the platform says the user sent it."""
        return datetime.datetime.fromtimestamp(self.create_time, tz=datetime.UTC)

    @property
    def is_answered(self) -> bool:
        return self.reply_state not in {self.ReplyState.PENDING, self.ReplyState.DEFERRED}
