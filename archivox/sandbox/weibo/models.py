"""State of the Weibo sandbox: apps, users and their authorisations (access tokens), statuses,
comments, rate-limit counters, injected faults and a log of the API requests it received.

Never used in production; nothing outside ``archivox.sandbox.weibo`` reads these tables except
tests, which may count rows to check what reached the "platform"."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeiboApp(models.Model):
    """A registered app (AppKey) with its safe domain (安全域名): shared links must be under it."""

    appkey = models.CharField(_("AppKey"), max_length=32, unique=True)
    name = models.CharField(_("app name"), max_length=100)
    safe_domain = models.CharField(_("safe domain"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("Weibo app")
        verbose_name_plural = _("Weibo apps")

    def __str__(self) -> str:
        return f"{self.name} ({self.appkey})"


class WeiboUser(models.Model):
    """A Weibo user: an archive's account, or a simulated member of the public."""

    uid = models.CharField(_("Weibo uid"), max_length=20, unique=True)
    screen_name = models.CharField(_("screen name"), max_length=60, unique=True)
    is_simulated = models.BooleanField(_("simulated member of the public"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("Weibo user")
        verbose_name_plural = _("Weibo users")

    def __str__(self) -> str:
        return f"{self.screen_name} ({self.uid})"


class WeiboAuthorization(models.Model):
    """A user's OAuth2 grant to an app: the access token, its expiry and its request limits.

    The limits are per user per app per clock hour, as the platform counts them: all calls,
    posting statuses, and posting comments (defaults: the documented 150 / 30 / 60)."""

    app = models.ForeignKey(
        WeiboApp,
        on_delete=models.CASCADE,
        related_name="authorizations",
        verbose_name=_("Weibo app"),
    )
    user = models.ForeignKey(
        WeiboUser,
        on_delete=models.CASCADE,
        related_name="authorizations",
        verbose_name=_("Weibo user"),
    )
    archive = models.OneToOneField(
        "core.Archive",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("archive"),
    )
    access_token = models.CharField(_("Weibo access token"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked = models.BooleanField(_("revoked"), default=False)
    hourly_limit = models.PositiveIntegerField(_("calls per hour"), default=150)
    hourly_post_limit = models.PositiveIntegerField(_("posts per hour"), default=30)
    hourly_comment_limit = models.PositiveIntegerField(_("comments per hour"), default=60)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "user"], name="sandbox_weibo_one_grant"),
        ]
        verbose_name = _("Weibo authorisation")
        verbose_name_plural = _("Weibo authorisations")

    def __str__(self) -> str:
        return f"{self.user} → {self.app}"


class WeiboIdSequence(models.Model):
    """Hands out status and comment ids, increasing in commit order (see services.next_id)."""

    name = models.CharField(_("sequence name"), max_length=20, primary_key=True)
    value = models.BigIntegerField(_("last value"))

    class Meta:
        verbose_name = _("ID sequence")
        verbose_name_plural = _("ID sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class WeiboStatus(models.Model):
    id = models.BigIntegerField(_("Weibo post ID"), primary_key=True)
    user = models.ForeignKey(
        WeiboUser, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("Weibo user")
    )
    app = models.ForeignKey(
        WeiboApp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statuses",
        verbose_name=_("Weibo app"),
    )
    text = models.TextField(_("Weibo text"))
    pic = models.BinaryField(_("picture data"), null=True, blank=True)
    pic_type = models.CharField(_("picture type"), max_length=4, blank=True)
    pic_size = models.PositiveIntegerField(_("picture size (bytes)"), default=0)
    rip = models.CharField(_("user's real IP (rip)"), max_length=45, blank=True)
    mentions = models.ManyToManyField(
        WeiboUser,
        blank=True,
        related_name="mentioned_in_statuses",
        verbose_name=_("mentioned users"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"])]
        verbose_name = _("Weibo post")
        verbose_name_plural = _("Weibo posts")

    def __str__(self) -> str:
        return f"{self.id}: {self.text[:40]}"


class WeiboComment(models.Model):
    id = models.BigIntegerField(_("comment ID"), primary_key=True)
    status = models.ForeignKey(
        WeiboStatus, on_delete=models.CASCADE, related_name="comments", verbose_name=_("Weibo post")
    )
    user = models.ForeignKey(
        WeiboUser, on_delete=models.CASCADE, related_name="comments", verbose_name=_("Weibo user")
    )
    app = models.ForeignKey(
        WeiboApp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("Weibo app"),
    )
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    text = models.TextField(_("comment text"))
    rip = models.CharField(_("user's real IP (rip)"), max_length=45, blank=True)
    mentions = models.ManyToManyField(
        WeiboUser,
        blank=True,
        related_name="mentioned_in_comments",
        verbose_name=_("mentioned users"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "-id"])]
        verbose_name = _("Weibo comment")
        verbose_name_plural = _("Weibo comments")

    def __str__(self) -> str:
        return f"{self.id} on {self.status_id}: {self.text[:40]}"


class WeiboRateCounter(models.Model):
    """Requests of one grant in one clock hour, per bucket (``all``, ``post``, ``comment``)."""

    authorization = models.ForeignKey(
        WeiboAuthorization,
        on_delete=models.CASCADE,
        related_name="rate_counters",
        verbose_name=_("Weibo authorisation"),
    )
    bucket = models.CharField(_("bucket"), max_length=10)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "bucket", "window_start"],
                name="sandbox_weibo_one_counter",
            ),
        ]
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.authorization_id} {self.bucket} {self.window_start:%H:%M}: {self.count}"


class WeiboFault(models.Model):
    """A fault injected into the next ``remaining`` API requests of one grant."""

    class Mode(models.TextChoices):
        DELAY = "delay", "delay, then answer normally"
        TIMEOUT = "timeout", "hold the request, then 504 without doing anything"
        HTTP500 = "http500", "HTTP 500 without doing anything"
        HTTP502 = "http502", "HTTP 502 without doing anything"
        HTTP503 = "http503", "HTTP 503 without doing anything"
        DROP_AFTER_COMMIT = "drop_after_commit", "commit, then drop the connection mid-answer"

    authorization = models.OneToOneField(
        WeiboAuthorization,
        on_delete=models.CASCADE,
        related_name="fault",
        verbose_name=_("Weibo authorisation"),
    )
    mode = models.CharField(_("fault mode"), max_length=20, choices=Mode.choices)
    remaining = models.PositiveIntegerField(_("calls left"), default=1)
    seconds = models.FloatField(_("seconds of delay"), default=2.0)
    # Only requests to this API path (e.g. "/2/statuses/share.json"); empty for every path.
    path = models.CharField(_("API path"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("injected fault")
        verbose_name_plural = _("injected faults")

    def __str__(self) -> str:
        return f"{self.mode} ×{self.remaining}"


class WeiboRequestLog(models.Model):
    """One API request that reached the sandbox (recorded before limits and faults apply)."""

    authorization = models.ForeignKey(
        WeiboAuthorization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("Weibo authorisation"),
    )
    method = models.CharField(_("HTTP method"), max_length=8)
    path = models.CharField(_("API path"), max_length=100)
    fault = models.CharField(_("fault injected"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["authorization", "path"])]
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
