"""The WeChat sandbox's own state: what the platform's servers would hold about an account.

Times that rules depend on are *sandbox times*: real time plus the account's ``clock_offset``,
so tests can let hours pass (tokens expire, the 48-hour window closes, a new day begins)."""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    class Type(models.TextChoices):
        SUBSCRIPTION = "subscription", "subscription account"
        SERVICE = "service", "service account"

    class MessageMode(models.TextChoices):
        PLAINTEXT = "plaintext", "plaintext"
        COMPATIBLE = "compatible", "compatible"
        SAFE = "safe", "safe (AES)"

    appid = models.CharField(max_length=32, unique=True)
    app_secret = models.CharField(max_length=64)
    token = models.CharField(max_length=64)
    encoding_aes_key = models.CharField(max_length=43)
    original_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100, blank=True)
    account_type = models.CharField(max_length=12, choices=Type.choices, default=Type.SUBSCRIPTION)
    callback_url = models.CharField(max_length=500, blank=True)
    message_mode = models.CharField(
        max_length=10, choices=MessageMode.choices, default=MessageMode.SAFE
    )
    archive_slug = models.CharField(max_length=60, blank=True, db_index=True)
    clock_offset = models.IntegerField(default=0, help_text="seconds added to real time")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.appid} ({self.name or self.archive_slug})"


class AccessToken(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    value = models.CharField(max_length=200, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # A newer token replaces this one; it keeps working for 5 minutes after that.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "issued_at"])]

    def __str__(self) -> str:
        return f"token of {self.account_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class JsapiTicket(models.Model):
    """A ``jsapi_ticket`` from ``ticket/getticket``: signs JS-SDK page configs for 7200 s."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="jsapi_tickets")
    value = models.CharField(max_length=120, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "issued_at"])]

    def __str__(self) -> str:
        return f"jsapi_ticket of {self.account_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class OAuthCode(models.Model):
    """A web-authorisation ``code`` handed to a page (``connect/oauth2/authorize``): valid for
    5 minutes, exchanged once for the follower's openid (``sns/oauth2/access_token``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="oauth_codes")
    code = models.CharField(max_length=64, unique=True)
    openid = models.CharField(max_length=64)
    scope = models.CharField(max_length=20)
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.openid}"


class Follower(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="followers")
    openid = models.CharField(max_length=64)
    subscribed = models.BooleanField(default=True)
    subscribed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="zh_CN")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="sandbox_wx_follower_once")
        ]

    def __str__(self) -> str:
        return self.openid


class Media(models.Model):
    class Kind(models.TextChoices):
        ARTICLE_IMAGE = "uploadimg", "image inside an article"
        THUMB = "thumb", "permanent thumb"
        IMAGE = "image", "permanent image"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    media_id = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.media_id}"


class Draft(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="drafts")
    media_id = models.CharField(max_length=80, unique=True)
    articles = models.JSONField()
    created_at = models.DateTimeField()
    # Published or mass-sent drafts leave the draft box (the platform's rule).
    used_at = models.DateTimeField(null=True, blank=True)

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

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="publishes")
    publish_id = models.CharField(max_length=20, unique=True)
    draft_media_id = models.CharField(max_length=80)
    articles = models.JSONField()
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.PUBLISHING)
    article_id = models.CharField(max_length=64, blank=True)
    fail_idx = models.JSONField(default=list)
    site = models.CharField(max_length=200, help_text="scheme and host the article URLs use")
    submitted_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"publish {self.publish_id} ({self.get_status_display()})"


class Article(models.Model):
    publish = models.ForeignKey(Publish, on_delete=models.CASCADE, related_name="published")
    idx = models.PositiveSmallIntegerField()
    slug = models.CharField(max_length=40, unique=True)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=500, blank=True)
    content = models.TextField()
    content_source_url = models.CharField(max_length=1000, blank=True)
    thumb_media_id = models.CharField(max_length=80, blank=True)
    published_at = models.DateTimeField()
    page_views = models.PositiveIntegerField(default=0)
    # How many reads the article gathers from the simulated public over its first days.
    audience = models.PositiveIntegerField()
    # freepublish/delete: the article is gone from its page and from batchget's list.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publish_id", "idx"]

    def __str__(self) -> str:
        return self.title


class MassMessage(models.Model):
    class Kind(models.TextChoices):
        SENDALL = "sendall", "mass send"
        PREVIEW = "preview", "preview"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mass_messages")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    msg_id = models.BigIntegerField(unique=True)
    msg_data_id = models.BigIntegerField(null=True, blank=True)
    msgtype = models.CharField(max_length=20)
    payload = models.JSONField()
    clientmsgid = models.CharField(max_length=64, blank=True)
    touser = models.CharField(max_length=64, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()
    day = models.DateField(help_text="Beijing date of the send, for the daily quota")

    class Meta:
        indexes = [models.Index(fields=["account", "kind", "day"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.msg_id}"


class CustomMessage(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="cs_messages")
    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="cs_messages")
    msgtype = models.CharField(max_length=20)
    payload = models.JSONField()
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.msgtype} to {self.follower_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class Menu(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="menu")
    menuid = models.BigIntegerField()
    button = models.JSONField()
    updated_at = models.DateTimeField()

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

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="faults")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    seconds = models.FloatField(null=True, blank=True)
    api = models.CharField(max_length=60, blank=True, help_text="e.g. freepublish/submit")
    remaining = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.mode} ×{self.remaining} {self.api or 'any API'}"


class QuotaUsage(models.Model):
    """Calls of one API by one account in one day or minute (sandbox time)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="quota_usage")
    api = models.CharField(max_length=60)
    period = models.CharField(max_length=6)  # "day" or "minute"
    period_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "api", "period", "period_start"], name="sandbox_wx_quota_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.api} {self.period} {self.period_start:%Y-%m-%d %H:%M}: {self.count}"


class EventDelivery(models.Model):
    """An event pushed to the account's callback URL, as the platform's server does."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    plaintext = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"


class MessageTemplate(models.Model):
    """A template the account added in WeChat's console: its id and the keys of its fields."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="templates")
    template_id = models.CharField(max_length=64)
    keys = models.JSONField(default=list)
    title = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "template_id"], name="sandbox_wx_template_once"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.template_id


class TemplateMessage(models.Model):
    """A template message sent to a follower (the sandbox's message log, with CustomMessage)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="template_messages")
    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="templates")
    template_id = models.CharField(max_length=64)
    msgid = models.BigIntegerField()
    data = models.JSONField(default=dict)
    url = models.CharField(max_length=1024, blank=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"template {self.template_id} to {self.follower_id}"


class SubscribeConsent(models.Model):
    """A follower's consent to one one-time subscription message (一次性订阅消息) of a
    template and scene, given on the platform's confirm page; used by the one message sent."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="consents")
    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="consents")
    template_id = models.CharField(max_length=64)
    scene = models.PositiveIntegerField()
    granted_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"consent {self.template_id}/{self.scene} of {self.follower_id}"
