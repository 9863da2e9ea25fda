"""The WeChat sandbox's own state: what the platform's servers would hold about an account.

Times that rules depend on are *sandbox times*: real time plus the account's ``clock_offset``,
so tests can let hours pass (tokens expire, the 48-hour window closes, a new day begins)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Account(models.Model):
    class Type(models.TextChoices):
        SUBSCRIPTION = "subscription", "subscription account"
        SERVICE = "service", "service account"

    class MessageMode(models.TextChoices):
        PLAINTEXT = "plaintext", "plaintext"
        COMPATIBLE = "compatible", "compatible"
        SAFE = "safe", "safe (AES)"

    appid = models.CharField(_("AppID"), max_length=32, unique=True)
    app_secret = models.CharField(_("AppSecret"), max_length=64)
    token = models.CharField(_("server token"), max_length=64)
    encoding_aes_key = models.CharField(_("EncodingAESKey"), max_length=43)
    original_id = models.CharField(_("original id (gh_…)"), max_length=32, unique=True)
    name = models.CharField(_("account name"), max_length=100, blank=True)
    account_type = models.CharField(
        _("account type"), max_length=12, choices=Type.choices, default=Type.SUBSCRIPTION
    )
    callback_url = models.CharField(_("callback URL"), max_length=500, blank=True)
    message_mode = models.CharField(
        _("message encryption mode"),
        max_length=10,
        choices=MessageMode.choices,
        default=MessageMode.SAFE,
    )
    archive_slug = models.CharField(_("archive slug"), max_length=60, blank=True, db_index=True)
    clock_offset = models.IntegerField(
        _("clock offset (seconds)"), default=0, help_text=_("seconds added to real time")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official account")
        verbose_name_plural = _("official accounts")

    def __str__(self) -> str:
        return f"{self.appid} ({self.name or self.archive_slug})"


class AccessToken(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("official account")
    )
    value = models.CharField(_("credential value"), max_length=200, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    # A newer token replaces this one; it keeps working for 5 minutes after that.
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "issued_at"])]
        verbose_name = _("interface access token")
        verbose_name_plural = _("interface access tokens")

    def __str__(self) -> str:
        return f"token of {self.account_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class JsapiTicket(models.Model):
    """A ``jsapi_ticket`` from ``ticket/getticket``: signs JS-SDK page configs for 7200 s."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="jsapi_tickets",
        verbose_name=_("official account"),
    )
    value = models.CharField(_("credential value"), max_length=120, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        indexes = [models.Index(fields=["account", "issued_at"])]
        verbose_name = _("JS-SDK ticket")
        verbose_name_plural = _("JS-SDK tickets")

    def __str__(self) -> str:
        return f"jsapi_ticket of {self.account_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class OAuthCode(models.Model):
    """A web-authorisation ``code`` handed to a page (``connect/oauth2/authorize``): valid for
    5 minutes, exchanged once for the follower's openid (``sns/oauth2/access_token``)."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="oauth_codes",
        verbose_name=_("official account"),
    )
    code = models.CharField(_("authorisation code"), max_length=64, unique=True)
    openid = models.CharField(_("WeChat openid"), max_length=64)
    scope = models.CharField(_("authorisation scope"), max_length=20)
    issued_at = models.DateTimeField(_("issued at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("web authorisation code")
        verbose_name_plural = _("web authorisation codes")

    def __str__(self) -> str:
        return f"code for {self.openid}"


class Follower(models.Model):
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="followers",
        verbose_name=_("official account"),
    )
    openid = models.CharField(_("WeChat openid"), max_length=64)
    subscribed = models.BooleanField(_("subscribed"), default=True)
    subscribed_at = models.DateTimeField(_("subscribed at"))
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    language = models.CharField(_("language code"), max_length=10, default="zh_CN")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="sandbox_wx_follower_once")
        ]
        verbose_name = _("follower")
        verbose_name_plural = _("followers (WeChat)")

    def __str__(self) -> str:
        return self.openid


class Media(models.Model):
    class Kind(models.TextChoices):
        ARTICLE_IMAGE = "uploadimg", "image inside an article"
        THUMB = "thumb", "permanent thumb"
        IMAGE = "image", "permanent image"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="media", verbose_name=_("official account")
    )
    media_id = models.CharField(_("media ID"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("MIME type"), max_length=40)
    size = models.PositiveIntegerField(_("file size (bytes)"))
    data = models.BinaryField(_("file content"))
    url = models.CharField(_("material URL"), max_length=500)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return f"{self.kind} {self.media_id}"


class Draft(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("official account")
    )
    media_id = models.CharField(_("media ID"), max_length=80, unique=True)
    articles = models.JSONField(_("articles"))
    created_at = models.DateTimeField(_("created at"))
    # Published or mass-sent drafts leave the draft box (the platform's rule).
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"draft {self.media_id}"


class Publish(models.Model):
    class Status(models.IntegerChoices):
        SUCCESS = 0, "success"
        PUBLISHING = 1, "publishing"
        ORIGINAL_FAILED = 2, "original-content declaration failed"
        FAILED = 3, "failed"
        AUDIT_FAILED = 4, "refused by the platform's review"
        DELETED = 5, "deleted after success"
        BANNED = 6, "banned after success"

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="publishes",
        verbose_name=_("official account"),
    )
    publish_id = models.CharField(_("publish ID"), max_length=20, unique=True)
    draft_media_id = models.CharField(_("draft media ID"), max_length=80)
    articles = models.JSONField(_("articles"))
    status = models.PositiveSmallIntegerField(
        pgettext_lazy("model field", "status"), choices=Status.choices, default=Status.PUBLISHING
    )
    article_id = models.CharField(_("article ID"), max_length=64, blank=True)
    fail_idx = models.JSONField(_("failed article positions"), default=list)
    site = models.CharField(
        _("site address"), max_length=200, help_text=_("scheme and host the article URLs use")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publish job")
        verbose_name_plural = _("publish jobs")

    def __str__(self) -> str:
        return f"publish {self.publish_id} ({self.get_status_display()})"


class Article(models.Model):
    publish = models.ForeignKey(
        Publish, on_delete=models.CASCADE, related_name="published", verbose_name=_("publish job")
    )
    idx = models.PositiveSmallIntegerField(_("position in the publish job"))
    slug = models.CharField(_("short name"), max_length=40, unique=True)
    url = models.CharField(_("article link"), max_length=500)
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=500, blank=True)
    content = models.TextField(_("content"))
    content_source_url = models.CharField(_("original article link"), max_length=1000, blank=True)
    thumb_media_id = models.CharField(_("cover media ID"), max_length=80, blank=True)
    published_at = models.DateTimeField(_("published at"))
    page_views = models.PositiveIntegerField(_("page views"), default=0)
    # How many reads the article gathers from the simulated public over its first days.
    audience = models.PositiveIntegerField(_("simulated audience"))
    # freepublish/delete: the article is gone from its page and from batchget's list.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["publish_id", "idx"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title


class MassMessage(models.Model):
    class Kind(models.TextChoices):
        SENDALL = "sendall", "mass send"
        PREVIEW = "preview", "preview"

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="mass_messages",
        verbose_name=_("official account"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    msg_id = models.BigIntegerField(_("message ID"), unique=True)
    msg_data_id = models.BigIntegerField(_("message data ID"), null=True, blank=True)
    msgtype = models.CharField(_("message type"), max_length=20)
    payload = models.JSONField(_("request body"))
    clientmsgid = models.CharField(_("client message ID"), max_length=64, blank=True)
    touser = models.CharField(_("preview recipient"), max_length=64, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"))
    day = models.DateField(
        _("Beijing date"), help_text=_("Beijing date of the send, for the daily quota")
    )

    class Meta:
        indexes = [models.Index(fields=["account", "kind", "day"])]
        verbose_name = _("mass message")
        verbose_name_plural = _("mass messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.msg_id}"


class CustomMessage(models.Model):
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="cs_messages",
        verbose_name=_("official account"),
    )
    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, related_name="cs_messages", verbose_name=_("follower")
    )
    msgtype = models.CharField(_("message type"), max_length=20)
    payload = models.JSONField(_("request body"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("customer-service message")
        verbose_name_plural = _("customer-service messages")

    def __str__(self) -> str:
        return f"{self.msgtype} to {self.follower_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class Menu(models.Model):
    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="menu", verbose_name=_("official account")
    )
    menuid = models.BigIntegerField(_("menu ID"))
    button = models.JSONField(_("menu buttons"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("custom menu")
        verbose_name_plural = _("custom menus")

    def __str__(self) -> str:
        return f"menu {self.menuid}"


class Fault(models.Model):
    """A fault injected into the account's next ``remaining`` calls (of ``api``, or of any)."""

    class Mode(models.TextChoices):
        DELAY = "delay", "answer late"
        TIMEOUT = "timeout", "answer after the client gave up"
        HTTP500 = "http500", "HTTP 500, nothing done"
        BUSY = "busy", "errcode -1, nothing done"
        DROP_AFTER_COMMIT = "drop_after_commit", "do it, then drop the connection"
        PUBLISH_FAIL = "publish_fail", "the next publish job fails (status 3)"

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="faults", verbose_name=_("official account")
    )
    mode = models.CharField(_("fault mode"), max_length=20, choices=Mode.choices)
    seconds = models.FloatField(_("seconds of delay"), null=True, blank=True)
    api = models.CharField(
        _("API name"), max_length=60, blank=True, help_text=_("e.g. freepublish/submit")
    )
    remaining = models.PositiveIntegerField(_("calls left"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("injected fault")
        verbose_name_plural = _("injected faults")

    def __str__(self) -> str:
        return f"{self.mode} ×{self.remaining} {self.api or 'any API'}"


class QuotaUsage(models.Model):
    """Calls of one API by one account in one day or minute (sandbox time)."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="quota_usage",
        verbose_name=_("official account"),
    )
    api = models.CharField(_("API name"), max_length=60)
    period = models.CharField(_("quota period"), max_length=6)  # "day" or "minute"
    period_start = models.DateTimeField(_("period start"))
    count = models.PositiveIntegerField(_("calls"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "api", "period", "period_start"], name="sandbox_wx_quota_once"
            )
        ]
        verbose_name = _("quota usage")
        verbose_name_plural = _("quota usages")

    def __str__(self) -> str:
        return f"{self.api} {self.period} {self.period_start:%Y-%m-%d %H:%M}: {self.count}"


class EventDelivery(models.Model):
    """An event pushed to the account's callback URL, as the platform's server does."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("official account"),
    )
    event = models.CharField(_("event"), max_length=40)
    plaintext = models.TextField(_("plaintext XML pushed"))
    url = models.CharField(_("push address"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response = models.TextField(_("response text"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event push")
        verbose_name_plural = _("event pushes")

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"


class MessageTemplate(models.Model):
    """A template the account added in WeChat's console: its id and the keys of its fields."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name=_("official account"),
    )
    template_id = models.CharField(_("template ID"), max_length=64)
    keys = models.JSONField(_("field keys"), default=list)
    title = models.CharField(_("title"), max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "template_id"], name="sandbox_wx_template_once"
            )
        ]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.title or self.template_id


class TemplateMessage(models.Model):
    """A template message sent to a follower (the sandbox's message log, with CustomMessage)."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="template_messages",
        verbose_name=_("official account"),
    )
    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, related_name="templates", verbose_name=_("follower")
    )
    template_id = models.CharField(_("template ID"), max_length=64)
    msgid = models.BigIntegerField(_("message ID"))
    data = models.JSONField(_("template data"), default=dict)
    url = models.CharField(_("link opened"), max_length=1024, blank=True)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("template message")
        verbose_name_plural = _("template messages")

    def __str__(self) -> str:
        return f"template {self.template_id} to {self.follower_id}"


class SubscribeConsent(models.Model):
    """A follower's consent to one one-time subscription message (一次性订阅消息) of a
    template and scene, given on the platform's confirm page; used by the one message sent."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("official account"),
    )
    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, related_name="consents", verbose_name=_("follower")
    )
    template_id = models.CharField(_("template ID"), max_length=64)
    scene = models.PositiveIntegerField(_("scene"))
    granted_at = models.DateTimeField(_("consented at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription consent")
        verbose_name_plural = _("subscription consents")

    def __str__(self) -> str:
        return f"consent {self.template_id}/{self.scene} of {self.follower_id}"
