"""Archives (institutions), the regions they serve, staff and their roles, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from archivox.core.fields import EncryptedTextField


class User(AbstractUser):
    """A staff member or installation administrator; the public does not need an account."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class Region(models.Model):
    """A place an archive serves, as the paper's survey groups them (city tier, level, province)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        MUNICIPALITY = "municipality", _("municipality")
        PREFECTURE = "prefecture", _("prefecture")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        COUNTY = "county", _("county")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    tier = models.PositiveSmallIntegerField(_("city tier"), null=True, blank=True)
    level = models.CharField(_("administrative level"), max_length=20, choices=Level.choices)
    province = models.CharField(_("province"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent region"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["tier", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name_zh or self.name


# A telephone number as an archive prints it: digits, spaces, hyphens, brackets, a leading +,
# and an extension after 转 or "ext" ("025-8480 0000", "(025) 84800000 转 8", "+86 25 8480 0000").
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9(][0-9 ()\-]{4,30}[0-9]( *(转|ext\.?|x) *[0-9]{1,6})?$",
    _("Enter a telephone number: digits, spaces, hyphens and brackets, e.g. 025-8480 0000."),
)
# Links a visitor opens: the web only, never javascript: or a file on someone's disk.
WEB_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


class Archive(models.Model):
    """An archives institution (bureau or repository) that serves the public through Archivox."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        COUNTY = "county", _("county")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    level = models.CharField(_("administrative level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent archive"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="archives",
        verbose_name=_("region"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True, validators=[WEB_URL_VALIDATOR])
    phone = models.CharField(
        _("telephone"), max_length=40, blank=True, validators=[PHONE_VALIDATOR]
    )
    map_url = models.URLField(
        _("map link"),
        max_length=500,
        blank=True,
        validators=[WEB_URL_VALIDATOR],
        help_text=_("The archive on an online map (Amap, Baidu Maps, …)."),
    )
    transport = models.TextField(
        _("how to get there"),
        max_length=1000,
        blank=True,
        help_text=_("Bus, metro and parking, as a visitor needs them."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("archive")
        verbose_name_plural = _("archives")

    def __str__(self) -> str:
        return self.name_zh or self.name


# What a visitor needs to find and reach the archive, edited on the console's profile page.
ARCHIVE_PROFILE_FIELDS = ("address", "opening_hours", "phone", "website", "map_url", "transport")


class Role(models.TextChoices):
    ARCHIVIST = "archivist", _("archivist")
    REVIEWER = "reviewer", _("reviewer")
    ADMINISTRATOR = "administrator", _("administrator")


class Membership(models.Model):
    """A role a user holds in one archive; a user may hold several roles in several archives."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("archive")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "archive", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["archive", "role"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.archive} · {self.get_role_display()}"


class AuditEntry(models.Model):
    """One change of state made by staff, or by the system on their behalf. Never edited."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("actor"),
    )
    # Kept as text too, so the entry still says who acted after the account is deleted.
    actor_label = models.CharField(_("actor"), max_length=150)
    archive = models.ForeignKey(
        Archive,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("archive"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["archive", "-created_at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class PlatformAccount(models.Model):
    """An archive's account on a self-media platform, with its credentials encrypted at rest.

    Publishing sends through it; the WeChat callback verifies and decrypts with it."""

    class Platform(models.TextChoices):
        WECHAT = "wechat", _("WeChat official account")
        WEIBO = "weibo", _("Weibo")

    class WeChatType(models.TextChoices):
        SUBSCRIPTION = "subscription", _("subscription account")
        SERVICE = "service", _("service account")

    class MessageMode(models.TextChoices):
        """WeChat's message encryption setting (消息加解密方式), as chosen in its console."""

        PLAINTEXT = "plaintext", _("plaintext")
        COMPATIBLE = "compatible", _("compatible")
        SAFE = "safe", _("safe (encrypted)")

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="platform_accounts",
        verbose_name=_("archive"),
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    name = models.CharField(_("account name"), max_length=100, blank=True)
    # WeChat: AppID (public), AppSecret, server token and EncodingAESKey (secret).
    appid = models.CharField(_("AppID"), max_length=64, blank=True)
    app_secret = EncryptedTextField(_("AppSecret"), blank=True)
    token = EncryptedTextField(_("server token"), blank=True)
    encoding_aes_key = EncryptedTextField(_("EncodingAESKey"), blank=True)
    original_id = models.CharField(_("original id (gh_…)"), max_length=64, blank=True)
    wechat_type = models.CharField(
        _("account type"),
        max_length=12,
        choices=WeChatType.choices,
        default=WeChatType.SUBSCRIPTION,
        blank=True,
    )
    # The callback takes from a safe- or compatible-mode account only messages encrypted and
    # signed with msg_signature: the query signature alone covers no body (issue 17).
    message_mode = models.CharField(
        _("message encryption mode"),
        max_length=10,
        choices=MessageMode.choices,
        default=MessageMode.SAFE,
        help_text=_(
            "As set in WeChat's console. Safe and compatible mode accept only encrypted "
            "messages; plaintext mode also accepts unencrypted ones."
        ),
    )
    # Weibo: the account's uid and OAuth2 access token; the app's registered safe domain.
    weibo_uid = models.CharField(_("Weibo uid"), max_length=32, blank=True)
    weibo_access_token = EncryptedTextField(_("Weibo access token"), blank=True)
    safe_domain = models.CharField(_("safe domain"), max_length=200, blank=True)
    welcome_text = models.TextField(_("welcome message"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "platform"], name="platform_account_one_per_archive"
            ),
        ]
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")

    def __str__(self) -> str:
        return f"{self.archive.slug} · {self.platform}"


class WorkerHeartbeat(models.Model):
    """When a background worker last ran a task, so /healthz can tell whether one is alive."""

    name = models.CharField(_("worker name"), max_length=100, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class RateLimitWindow(models.Model):
    """How often one key (a sender, an IP, a person) did one thing in one fixed time window.

    In the database rather than a per-process cache, so the limit holds across many web
    processes; old windows are deleted by ``ratelimit.ratelimit_prune``."""

    key = models.CharField(_("limited key"), max_length=200)
    # Unix seconds, a multiple of the window length.
    window_start = models.BigIntegerField(_("window start (Unix seconds)"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_once"),
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window")]
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"


class SensitiveWord(models.Model):
    """A word a post must not carry (``block``) or that a reviewer must look at (``warn``).

    ``archive`` empty: the installation-wide default list, applied to every archive."""

    class Severity(models.TextChoices):
        BLOCK = "block", _("block")
        WARN = "warn", _("warn")

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sensitive_words",
        verbose_name=_("archive"),
        help_text=_("Empty: the default list that applies to every archive."),
    )
    word = models.CharField(_("word"), max_length=100)
    severity = models.CharField(
        _("severity"), max_length=5, choices=Severity.choices, default=Severity.BLOCK
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["archive_id", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "word"], name="sensitive_word_once_per_archive"
            ),
            # NULL archive ids never collide in a unique index, so the default list needs its own.
            models.UniqueConstraint(
                fields=["word"],
                condition=models.Q(archive__isnull=True),
                name="sensitive_word_once_by_default",
            ),
        ]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self) -> str:
        where = self.archive.slug if self.archive_id else "*"
        return f"{where} · {self.word} ({self.severity})"
