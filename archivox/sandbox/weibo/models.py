"""State of the Weibo sandbox: apps, users and their authorisations (access tokens), statuses,
comments, rate-limit counters, injected faults and a log of the API requests it received.

Never used in production; nothing outside ``archivox.sandbox.weibo`` reads these tables except
tests, which may count rows to check what reached the "platform"."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WeiboApp(models.Model):
    """A registered app (AppKey) with its safe domain (安全域名): shared links must be under it."""

    appkey = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    safe_domain = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.appkey})"


class WeiboUser(models.Model):
    """A Weibo user: an archive's account, or a simulated member of the public."""

    uid = models.CharField(max_length=20, unique=True)
    screen_name = models.CharField(max_length=60, unique=True)
    is_simulated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.screen_name} ({self.uid})"


class WeiboAuthorization(models.Model):
    """A user's OAuth2 grant to an app: the access token, its expiry and its request limits.

    The limits are per user per app per clock hour, as the platform counts them: all calls,
    posting statuses, and posting comments (defaults: the documented 150 / 30 / 60)."""

    app = models.ForeignKey(WeiboApp, on_delete=models.CASCADE, related_name="authorizations")
    user = models.ForeignKey(WeiboUser, on_delete=models.CASCADE, related_name="authorizations")
    archive = models.OneToOneField(
        "core.Archive",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    access_token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    hourly_limit = models.PositiveIntegerField(default=150)
    hourly_post_limit = models.PositiveIntegerField(default=30)
    hourly_comment_limit = models.PositiveIntegerField(default=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "user"], name="sandbox_weibo_one_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.app}"


class WeiboIdSequence(models.Model):
    """Hands out status and comment ids, increasing in commit order (see services.next_id)."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class WeiboStatus(models.Model):
    id = models.BigIntegerField(primary_key=True)
    user = models.ForeignKey(WeiboUser, on_delete=models.CASCADE, related_name="statuses")
    app = models.ForeignKey(
        WeiboApp, on_delete=models.SET_NULL, null=True, blank=True, related_name="statuses"
    )
    text = models.TextField()
    pic = models.BinaryField(null=True, blank=True)
    pic_type = models.CharField(max_length=4, blank=True)
    pic_size = models.PositiveIntegerField(default=0)
    rip = models.CharField(max_length=45, blank=True)
    mentions = models.ManyToManyField(WeiboUser, blank=True, related_name="mentioned_in_statuses")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"])]

    def __str__(self) -> str:
        return f"{self.id}: {self.text[:40]}"


class WeiboComment(models.Model):
    id = models.BigIntegerField(primary_key=True)
    status = models.ForeignKey(WeiboStatus, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(WeiboUser, on_delete=models.CASCADE, related_name="comments")
    app = models.ForeignKey(
        WeiboApp, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    text = models.TextField()
    rip = models.CharField(max_length=45, blank=True)
    mentions = models.ManyToManyField(WeiboUser, blank=True, related_name="mentioned_in_comments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "-id"])]

    def __str__(self) -> str:
        return f"{self.id} on {self.status_id}: {self.text[:40]}"


class WeiboRateCounter(models.Model):
    """Requests of one grant in one clock hour, per bucket (``all``, ``post``, ``comment``)."""

    authorization = models.ForeignKey(
        WeiboAuthorization, on_delete=models.CASCADE, related_name="rate_counters"
    )
    bucket = models.CharField(max_length=10)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "bucket", "window_start"],
                name="sandbox_weibo_one_counter",
            ),
        ]

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
        WeiboAuthorization, on_delete=models.CASCADE, related_name="fault"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices)
    remaining = models.PositiveIntegerField(default=1)
    seconds = models.FloatField(default=2.0)
    # Only requests to this API path (e.g. "/2/statuses/share.json"); empty for every path.
    path = models.CharField(max_length=100, blank=True)

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
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=100)
    fault = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["authorization", "path"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
