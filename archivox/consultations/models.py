"""Messages the public sends us (WeChat, Weibo, the portal's form, email), stored before anything
answers them, and the consultation inbox that threads them: one person on one channel."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.consultations.people import person_label
from archivox.core.fields import EncryptedTextField
from archivox.core.models import Archive, PlatformAccount

# The platforms' message types as staff read them (InboundMessage.msg_type holds the code).
MESSAGE_TYPE_LABELS = {
    "text": _("text"),
    "question": _("question from the website"),
    "email": _("e-mail"),
    "image": _("picture"),
    "voice": _("voice"),
    "video": _("video"),
    "shortvideo": _("video"),
    "location": _("location"),
    "link": _("link"),
    "event": _("event"),
    "comment": _("comment"),
    "mention": _("mention"),
}


class InboundMessage(models.Model):
    """One message or event delivered by a platform, stored once however often it is retried.

    ``dedupe_key`` is what the platform repeats on a retry (WeChat: the MsgId, or the sender,
    CreateTime and Event for events); it is unique per archive and channel, so a retry finds the
    stored message and is answered the way the first delivery was."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat")
        WEIBO = "weibo", _("Weibo")
        WEB = "web", _("web form")
        EMAIL = "email", _("email")

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
    # A follower's openid and a Weibo uid as a keyed digest (``people.sender_key``), never in
    # plain text; an e-mail address as it is. What finds the sender's consultation and floods.
    sender = models.CharField(_("sender"), max_length=128)
    # The follower's openid itself, for a customer-service reply: encrypted, never shown.
    sender_openid = EncryptedTextField(_("WeChat follower"), blank=True)
    recipient = models.CharField(_("to (account's original id)"), max_length=128, blank=True)
    msg_type = models.CharField(_("message type"), max_length=32)
    event = models.CharField(_("event"), max_length=64, blank=True)
    msg_id = models.CharField(_("platform message id"), max_length=64, blank=True)
    create_time = models.BigIntegerField(_("platform time (Unix seconds)"))
    content = models.TextField(_("content"), blank=True)
    payload = models.JSONField(_("all fields"), default=dict, blank=True)
    # As received, but for the sender's openid (its digest instead, also in ``payload``).
    raw = models.TextField(_("plaintext XML as received"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255)
    reply_state = models.CharField(
        _("reply state"), max_length=10, choices=ReplyState.choices, default=ReplyState.PENDING
    )
    reply_text = models.TextField(_("reply"), blank=True)
    # A news reply's articles (title, description, url, picurl), so that a retry is answered alike.
    reply_articles = models.JSONField(_("reply articles"), default=list, blank=True)
    auto_rule = models.ForeignKey(
        "AutoReplyRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by rule"),
    )
    consultation = models.ForeignKey(
        "Consultation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("consultation"),
    )
    flood = models.BooleanField(
        _("part of a flood"),
        default=False,
        help_text=_(
            "More messages than the limit per minute from this sender: kept, not answered."
        ),
    )
    truncated = models.BooleanField(_("truncated"), default=False)
    original_length = models.PositiveIntegerField(_("original length"), null=True, blank=True)
    replied_via = models.CharField(
        _("replied via"), max_length=20, choices=RepliedVia.choices, blank=True
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    # When a worker claimed the customer-service send (state ``sending``): one that stays
    # claimed long after this lost its worker mid-send.
    reply_claimed_at = models.DateTimeField(_("reply claimed"), null=True, blank=True)
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
            # The flood check counts one sender's messages of the last minute.
            models.Index(
                fields=["channel", "sender", "archive", "received_at"],
                name="inbound_sender_received",
            ),
            models.Index(fields=["reply_state", "received_at"], name="inbound_reply_state"),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        kind = f"{self.msg_type}/{self.event}" if self.event else self.msg_type
        return f"{self.archive_id} · {self.channel} · {kind} from {self.sender}"

    @property
    def msg_type_label(self) -> str:
        """The kind of message in the reader's words (the platform's code when unknown)."""
        return str(MESSAGE_TYPE_LABELS.get(self.msg_type, self.msg_type))

    @property
    def sent_at(self) -> datetime.datetime:
        """When the platform says the user sent it."""
        return datetime.datetime.fromtimestamp(self.create_time, tz=datetime.UTC)

    @property
    def is_answered(self) -> bool:
        return self.reply_state not in {self.ReplyState.PENDING, self.ReplyState.DEFERRED}


# ── the consultation inbox ────────────────────────────────────────────────────────────────────


class InboxSettings(models.Model):
    """An archive's promise to the public and its inbox vocabulary (defaults when absent)."""

    archive = models.OneToOneField(
        Archive, on_delete=models.CASCADE, related_name="inbox_settings", verbose_name=_("archive")
    )
    promise_working_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"), default=1
    )
    flood_per_minute = models.PositiveSmallIntegerField(
        _("messages a minute from one sender before they count as a flood"), default=10
    )
    tags = models.JSONField(_("tags offered"), default=list, blank=True)

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return f"inbox settings of {self.archive_id}"


class Consultation(models.Model):
    """Everything one person asked an archive on one channel, from first message to close."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        WAITING = "waiting", _("waiting for the person")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    archive = models.ForeignKey(
        Archive, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("archive")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=InboundMessage.Channel.choices)
    account = models.ForeignKey(
        PlatformAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("platform account"),
    )
    # Who the person is on the channel: the keyed digest of a follower's openid or a Weibo
    # uid (``people.sender_key``, as the messages' ``sender``), else the email address.
    person = models.CharField(_("person on the channel"), max_length=254)
    person_name = models.CharField(_("name"), max_length=200, blank=True)
    person_email = models.EmailField(_("email address"), blank=True)
    # The WeChat follower behind it: who wrote to the account (where a customer-service answer
    # goes), or who asked on the portal inside WeChat's browser (learned silently by the
    # service hall; answers reach them there too). Encrypted, never shown; purged with the rest.
    person_openid = EncryptedTextField(_("WeChat follower"), blank=True)
    subject = models.CharField(pgettext_lazy("model field", "subject"), max_length=200, blank=True)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.NEW,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_consultations",
        verbose_name=_("assignee"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_inbound_at = models.DateTimeField(_("last message from the person"), default=timezone.now)
    # Since when the person waits for us, and when the archive's promise runs out.
    awaiting_since = models.DateTimeField(_("awaiting an answer since"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("last answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    flood = models.BooleanField(_("flooding"), default=False)
    token = models.CharField(_("private link token"), max_length=64, unique=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)

    class Meta:
        ordering = ["-last_inbound_at", "-id"]
        indexes = [
            models.Index(fields=["archive", "status", "-last_inbound_at"], name="consult_status"),
            models.Index(fields=["archive", "channel", "person"], name="consult_person"),
            models.Index(fields=["status", "due_at"], name="consult_due"),
            models.Index(fields=["archive", "opened_at"], name="consult_opened"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="consultation_rating_1_to_5",
            ),
            # One person on one channel has at most one open consultation: new messages join it.
            models.UniqueConstraint(
                fields=["archive", "channel", "person"],
                condition=~models.Q(status="closed"),
                name="consultation_one_open_per_person",
            ),
        ]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or self.person_label}"

    @property
    def person_label(self) -> str:
        """Who asked, as staff may see it: a name, an e-mail address or a follower's
        pseudonym; never an openid."""
        return person_label(self.channel, self.person, self.person_name)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def first_response_seconds(self) -> float | None:
        if self.first_response_at is None:
            return None
        return (self.first_response_at - self.opened_at).total_seconds()

    @property
    def resolution_seconds(self) -> float | None:
        if self.closed_at is None:
            return None
        return (self.closed_at - self.opened_at).total_seconds()


class ConsultationTag(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="tags", verbose_name=_("consultation")
    )
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name"], name="consultation_tag_once")
        ]
        indexes = [models.Index(fields=["name"], name="consult_tag_name")]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class ConsultationNote(models.Model):
    """An internal note between staff; never shown to the person."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="notes", verbose_name=_("consultation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.text[:60]


class ConsultationAnswer(models.Model):
    """An answer from staff, and how (and whether) it reached the person."""

    class Via(models.TextChoices):
        WECHAT = "wechat", _("WeChat customer-service message")
        WEIBO = "weibo", _("Weibo comment reply")
        EMAIL = "email", _("email")

    class State(models.TextChoices):
        SENDING = "sending", _("being sent")
        SENT = "sent", _("delivered")
        FAILED = "failed", _("failed")
        WINDOW_CLOSED = "window", _("not sent: the 48-hour window closed")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("consultation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("answer"), max_length=5000)
    via = models.CharField(_("sent via"), max_length=10, choices=Via.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The platform's id of what we sent (Weibo comment id, email Message-ID).
    external_id = models.CharField(_("platform id"), max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"answer to #{self.consultation_id} via {self.via}: {self.state}"


class CannedAnswer(models.Model):
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="canned_answers", verbose_name=_("archive")
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=5000)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "title"], name="canned_answer_title_once")
        ]
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")

    def __str__(self) -> str:
        return self.title


class AutoReplyRule(models.Model):
    """One automatic answer on WeChat: what it matches, and what it answers."""

    class Match(models.TextChoices):
        EXACT = "exact", _("the whole message is the keyword")
        CONTAINS = "contains", _("the message contains the keyword")
        REGEX = "regex", _("regular expression")
        CLICK = "click", _("menu click (event key)")
        ANY = "any", _("any text message (fallback)")

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        LINK = "link", _("link")
        NEWS = "news", _("news card")
        CATALOG = "catalog", _("catalog search hits")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="autoreply_rules", verbose_name=_("archive")
    )
    name = models.CharField(_("name"), max_length=100)
    match = models.CharField(_("match"), max_length=10, choices=Match.choices)
    pattern = models.CharField(_("keyword, pattern or event key"), max_length=200, blank=True)
    priority = models.IntegerField(_("priority (lower first)"), default=100)
    kind = models.CharField(_("reply kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=64, blank=True)
    description = models.CharField(
        pgettext_lazy("model field", "description"), max_length=120, blank=True
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    picurl = models.URLField(_("picture"), max_length=500, blank=True)
    max_hits = models.PositiveSmallIntegerField(_("catalog hits (at most 8)"), default=3)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["archive", "is_active", "priority"], name="rule_order")]
        verbose_name = _("auto-reply rule")
        verbose_name_plural = _("auto-reply rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from archivox.consultations.rules import rule_check

        rule_check(self)


class WeiboCursor(models.Model):
    """How far the inbox has read one Weibo stream of one account (``since_id``)."""

    account = models.ForeignKey(
        PlatformAccount, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    stream = models.CharField(_("stream"), max_length=20)
    since_id = models.BigIntegerField(_("since id"), default=0)
    polled_at = models.DateTimeField(_("polled"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "stream"], name="weibo_cursor_once")
        ]
        verbose_name = _("Weibo cursor")
        verbose_name_plural = _("Weibo cursors")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.stream}@{self.since_id}"


class KeptAnswer(models.Model):
    """What a catalog rule found for the same words in an archive (the items' ids, best first),
    kept until ``expires_at`` for every web process (``replies.ANSWERS_CACHE_SECONDS``): a
    question one process searched is answered by the others with a read by key instead of a
    search of the catalog. Only ids: every answer reads its items again through the access
    gateway."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    # The normalised words and the number of items asked for (``KeptAnswer.digest_of``).
    digest = models.CharField(_("digest"), max_length=64)
    description_ids = models.JSONField(_("catalog items"), default=list)
    expires_at = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["archive", "digest"], name="kept_answer_once")
        ]
        verbose_name = _("kept catalog answer")
        verbose_name_plural = _("kept catalog answers")

    def __str__(self) -> str:
        return f"{self.archive_id}:{self.digest[:12]}"

    @staticmethod
    def digest_of(words: str, limit: int) -> str:
        return hashlib.sha256(f"{limit}\n{words}".encode()).hexdigest()
