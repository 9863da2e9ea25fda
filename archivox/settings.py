"""Archivox settings, configured only by environment variables (see DESIGN.md, "Configuration").

Every variable is read here once; a bad value raises ``ConfigurationError`` with a message that
says which variable to fix, and ``manage.py`` turns it into a one-line error.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(ImproperlyConfigured):
    """A setting from the environment is missing or malformed."""


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a yes/no value; use 1 or 0")


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name, "").strip()
    path = Path(raw) if raw else default
    return path if path.is_absolute() else BASE_DIR / path


VAR_DIR = env_path("ARCHIVOX_VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    from_env = os.environ.get("ARCHIVOX_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # Written once with owner-only permissions, so every process of the installation shares it.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _database(url: str) -> dict:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigurationError(
            f"DATABASE_URL={url!r} is not supported; use sqlite:///path/to/file.sqlite3 "
            "or postgres://user@host:5432/dbname"
        )
    try:
        # Connections are kept for a minute: opening one per request costs more than the request.
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigurationError(f"DATABASE_URL={url!r} is malformed: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(config["NAME"] or "")
        if not config["NAME"] or str(name) == ":memory:":
            raise ConfigurationError(
                f"DATABASE_URL={url!r} names no database file; use sqlite:///var/archivox.sqlite3"
            )
        if not name.is_absolute():
            name = BASE_DIR / name
        name.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(name)
        config["OPTIONS"] = {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at the
            # start of a transaction so that concurrent writers queue instead of failing.
            # Memory-mapped reads (up to 2 GiB of the file, shared with the OS page cache, no
            # memory of the process's own): a search at a million descriptions reads a few
            # thousand scattered pages, about 40 % less CPU than copying each (issue 24).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=2147483648;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test_archivox.sqlite3")}
    else:
        if not config.get("NAME"):
            raise ConfigurationError(
                f"DATABASE_URL={url!r} names no database; use postgres://user@host:5432/dbname"
            )
        # Django's backend with a cheaper health check (archivox/core/backends/postgresql).
        config["ENGINE"] = "archivox.core.backends.postgresql"
        config["OPTIONS"] = {
            "connect_timeout": 5,
            # No JIT: it compiled a one-archive search's plan for 10 ms of a 54 ms statement
            # (its cost passed jit_above_cost); every statement here is short.
            "options": "-c jit=off",
        }
    return config


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "").strip()
    if url and urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(
            f"REDIS_URL={url!r} is not a Redis URL; use redis://127.0.0.1:6379/0 or leave it empty"
        )
    return url


def _field_key() -> str:
    """The key that encrypts platform secrets at rest (AppSecret, tokens, EncodingAESKey).

    Separate from SECRET_KEY so that rotating sessions does not lose the stored secrets."""
    from_env = os.environ.get("ARCHIVOX_FIELD_KEY", "").strip()
    if from_env:
        return from_env
    key_file = VAR_DIR / "field_key"
    if not key_file.exists():
        import base64

        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
FIELD_ENCRYPTION_KEY = _field_key()
DEBUG = env_flag("ARCHIVOX_DEBUG", False)
SANDBOX = env_flag("ARCHIVOX_SANDBOX", False)
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ARCHIVOX_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]


def _base_url() -> str:
    """The public address in links: ``ARCHIVOX_BASE_URL``, else where ``make run`` / ``manage.py
    serve`` listen (``HOST``, ``PORT``), so that links, feeds and the sandboxes' addresses follow
    a server started on another port."""
    explicit = os.environ.get("ARCHIVOX_BASE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = os.environ.get("HOST", "").strip()
    # A server listening on every interface is reached on this machine by the loopback address.
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - an address compared, not bound
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    port = os.environ.get("PORT", "").strip() or "8000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigurationError(f"PORT={port!r} is not a port number; use e.g. 8000")
    return f"http://{host}:{int(port)}"


BASE_URL = _base_url()
CSRF_TRUSTED_ORIGINS = [BASE_URL]
if not any(
    os.environ.get(name, "").strip() for name in ("ARCHIVOX_ALLOWED_HOSTS", "ARCHIVOX_BASE_URL")
):
    # A server started on another address answers its own links (``make run HOST=192.0.2.7``).
    _link_host = urlsplit(BASE_URL).hostname
    if _link_host and _link_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_link_host)

# The platforms' API hosts; with the sandbox on, our own /sandbox/ stands in for both.
# WeChat's JS-SDK script, loaded only by portal pages opened in WeChat's browser in production
# (under the sandbox its stand-in is served instead; in development nothing loads).
WECHAT_JSSDK_SCRIPT = os.environ.get("ARCHIVOX_WECHAT_JSSDK_SCRIPT", "").strip() or (
    "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
)
# Where WeChat's browser asks a follower's web authorisation (open.weixin.qq.com).
WECHAT_OPEN = os.environ.get("ARCHIVOX_WECHAT_OPEN", "").strip().rstrip("/") or (
    f"{BASE_URL}/sandbox/wechat" if SANDBOX else "https://open.weixin.qq.com"
)
# Where WeChat's browser asks a follower's consent to a subscription message (mp.weixin.qq.com).
WECHAT_MP = os.environ.get("ARCHIVOX_WECHAT_MP", "").strip().rstrip("/") or (
    f"{BASE_URL}/sandbox/wechat" if SANDBOX else "https://mp.weixin.qq.com"
)
WECHAT_API = os.environ.get("ARCHIVOX_WECHAT_API", "").strip().rstrip("/") or (
    f"{BASE_URL}/sandbox/wechat" if SANDBOX else "https://api.weixin.qq.com"
)
WEIBO_API = os.environ.get("ARCHIVOX_WEIBO_API", "").strip().rstrip("/") or (
    f"{BASE_URL}/sandbox/weibo" if SANDBOX else "https://api.weibo.com"
)

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or (
    f"sqlite:///{VAR_DIR / 'archivox.sqlite3'}"
)
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _redis_url()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "huey.contrib.djhuey",
    "ninja",
    "archivox.core.apps.AxesConfig",  # django-axes, named in Chinese in the admin
    "django_otp",
    "archivox.core.apps.TOTPConfig",  # django_otp.plugins.otp_totp, likewise
    "archivox.core",
    "archivox.catalog",
    "archivox.notifications",
    "archivox.survey",
    "archivox.consultations",
    "archivox.reservations",
    "archivox.records_requests",
    "archivox.exhibitions",
    "archivox.current_documents",
    "archivox.polls",
    "archivox.collecting",
    "archivox.topics",
    "archivox.harvesting",
    "archivox.publishing",
    "archivox.promotion",
    "archivox.service_hall",
    "archivox.platforms.tokens",
    "archivox.sandbox",
    "archivox.sandbox.wechat",
    "archivox.sandbox.weibo",
    "archivox.portal",
    "archivox.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "archivox.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After django-csp: lets WeChat's jweixin.js run on the pages that load it, and only there.
    "archivox.service_hall.middleware.WeChatScriptCsp",
    # A service page opened in WeChat first learns who the follower is (silent authorisation).
    "archivox.service_hall.middleware.WeChatFollowerAuth",
    # Last, as django-axes asks: it turns a locked-out login into a clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archivox.urls"
WSGI_APPLICATION = "archivox.wsgi.application"
ASGI_APPLICATION = "archivox.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "archivox.core.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after 5 failures for one user name from one address, 15 minutes' pause.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Archivox"
# Behind N reverse proxies (deploy/nginx), the client's address is the Nth from the right in
# X-Forwarded-For; without this every visitor would seem to come from the proxy. Login
# throttling reads it through the same function as every other rate limit.
PROXY_COUNT = int(os.environ.get("ARCHIVOX_PROXY_COUNT", "0") or 0)
AXES_CLIENT_IP_CALLABLE = "archivox.core.access.client_ip_for_login_throttle"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:dashboard"
LOGOUT_REDIRECT_URL = "console:login"

# Chinese is the public site's default; the browser's Accept-Language may choose English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "archivox" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_S3_BUCKET = os.environ.get("ARCHIVOX_MEDIA_S3_BUCKET", "").strip()
if MEDIA_S3_BUCKET:
    # Several web nodes share the digital objects on S3-compatible storage (django-storages,
    # `pip install 'archivox[s3]'`); files stay private and are served through the access check.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("ARCHIVOX_MEDIA_S3_ENDPOINT") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Serve straight from the apps' folders when nobody ran collectstatic (tests, development).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env_path("ARCHIVOX_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "media/"
# Uploaded digital objects larger than this are refused (megabytes).
try:
    MAX_UPLOAD_BYTES = int(os.environ.get("ARCHIVOX_MAX_UPLOAD_MB", "50")) * 1024 * 1024
except ValueError as exc:
    raise ConfigurationError("ARCHIVOX_MAX_UPLOAD_MB must be a whole number of megabytes") from exc
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# IIIF (archivox/catalog/iiif/): derivatives cached on disk within a bound (the least recently
# used go first), and the largest width or height the Image API hands out.
IIIF_CACHE_DIR = env_path("ARCHIVOX_IIIF_CACHE_DIR", VAR_DIR / "iiif-cache")
try:
    IIIF_CACHE_MAX_BYTES = int(os.environ.get("ARCHIVOX_IIIF_CACHE_MB", "1024")) * 1024 * 1024
    IIIF_MAX_DIMENSION = int(os.environ.get("ARCHIVOX_IIIF_MAX_SIZE", "4096"))
except ValueError as exc:
    raise ConfigurationError(
        "ARCHIVOX_IIIF_CACHE_MB and ARCHIVOX_IIIF_MAX_SIZE must be whole numbers"
    ) from exc
if IIIF_CACHE_MAX_BYTES < 0 or IIIF_MAX_DIMENSION < 64:
    raise ConfigurationError(
        "ARCHIVOX_IIIF_CACHE_MB must be 0 or more and ARCHIVOX_IIIF_MAX_SIZE at least 64"
    )
# Certified copies of records-use requests are signed with the archive's official certificate
# (PEM files) when given, else with the installation's own key, made on first use under
# var/records_signing/ (docs/records-requests.md).
RECORDS_SIGNING_KEY = os.environ.get("ARCHIVOX_RECORDS_SIGNING_KEY", "")
RECORDS_SIGNING_CERT = os.environ.get("ARCHIVOX_RECORDS_SIGNING_CERT", "")
RECORDS_SIGNING_CHAIN = [
    p for p in os.environ.get("ARCHIVOX_RECORDS_SIGNING_CHAIN", "").split(os.pathsep) if p
]
# The province's rule for forwarded requests: "direct" (the holding archive answers the person)
# or "via_receiving" (the answer goes back through the archive the person applied at).
ARCHIVOX_RECORDS_RETURN_MODE = os.environ.get("ARCHIVOX_RECORDS_RETURN_MODE", "direct")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SESSION_COOKIE_SECURE:
    # Served over HTTPS (behind the reverse proxy of deploy/): HSTS, and trust the proxy's
    # X-Forwarded-Proto so Django knows the request was secure.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("ARCHIVOX_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ARCHIVOX_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("ARCHIVOX_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_flag("ARCHIVOX_HSTS_PRELOAD", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if not SECURE_HSTS_PRELOAD:
        # Submitting a domain to the browsers' preload list is the domain owner's decision
        # (ARCHIVOX_HSTS_PRELOAD=1), not a default we can take for every archive.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline scripts and nothing from another host: many government networks are closed, and a
# script injected into a comment or a description can never run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit from the environment as "HITS/SECONDS", e.g. 20/60."""
    value = os.environ.get(name, default).strip()
    try:
        hits, seconds = (int(part) for part in value.split("/", 1))
    except ValueError as exc:
        raise ConfigurationError(f"{name}={value!r}: give hits/seconds, e.g. {default}") from exc
    if hits < 1 or seconds < 1:
        raise ConfigurationError(f"{name}={value!r}: both numbers must be at least 1")
    return hits, seconds


# Public endpoints' rate limits per person or address (hits per seconds).
ARCHIVOX_RESERVATION_RATE_LIMIT = env_rate("ARCHIVOX_RESERVATION_RATE_LIMIT", "20/60")
POLLS_SUBMIT_RATE = env_rate("ARCHIVOX_POLLS_SUBMIT_RATE", "20/60")
TOPICS_COMMENT_RATE = env_rate("ARCHIVOX_TOPICS_COMMENT_RATE", "5/300")
TOPICS_COMMENT_CLIENT_RATE = env_rate("ARCHIVOX_TOPICS_COMMENT_CLIENT_RATE", "30/300")
# Pictures the IIIF Image API cuts anew (cache misses) for one address: a viewer asks for a few
# dozen tiles a view; a script asking for endless new sizes is slowed down, not the archive.
IIIF_RENDER_RATE = env_rate("ARCHIVOX_IIIF_RENDER_RATE", "600/60")
# The inbox's promise: a consultation is overdue after this many working days.
ARCHIVOX_INBOX_PROMISE_DAYS = int(os.environ.get("ARCHIVOX_INBOX_PROMISE_DAYS", "1"))
# The publishing desk warns when an account had no original post for this many days.
ARCHIVOX_FRESHNESS_DAYS = int(os.environ.get("ARCHIVOX_FRESHNESS_DAYS", "7"))
# Collecting from the public: the largest file one offer may carry (megabytes; never above
# ARCHIVOX_MAX_UPLOAD_MB, since accepted files become catalog objects).
ARCHIVOX_COLLECTING_MAX_FILE_MB = int(os.environ.get("ARCHIVOX_COLLECTING_MAX_FILE_MB", "20"))
# The demand dashboard shows only counts of at least this many (no one person picked out).
ARCHIVOX_DEMAND_MIN_COUNT = int(os.environ.get("ARCHIVOX_DEMAND_MIN_COUNT", "5"))
# The portal counts searches and views in memory and writes them once this many are pending or
# the oldest is this many seconds old (catalog/demand.py); 1 writes each as it happens.
ARCHIVOX_DEMAND_FLUSH_HITS = int(os.environ.get("ARCHIVOX_DEMAND_FLUSH_HITS", "200"))
ARCHIVOX_DEMAND_FLUSH_SECONDS = float(os.environ.get("ARCHIVOX_DEMAND_FLUSH_SECONDS", "10"))
# A CJK TrueType font for posters; empty: WenQuanYi Micro Hei from fonts-wqy-microhei.
ARCHIVOX_POSTER_FONT = os.environ.get("ARCHIVOX_POSTER_FONT", "")
# A CJK font file for pictures drawn here (the demo's placeholders); empty: the machine's Noto
# CJK or WenQuanYi; "none": draw them without text.
ARCHIVOX_CJK_FONT = os.environ.get("ARCHIVOX_CJK_FONT", "")
# How long a WeChat publish waits for the platform's publish job before reconciling later.
ARCHIVOX_WECHAT_PUBLISH_WAIT = float(os.environ.get("ARCHIVOX_WECHAT_PUBLISH_WAIT", "4"))
# Seconds the WeChat callback may spend on a passive reply before deferring it to a
# customer-service message (0 defers every reply; fault tests use it).
ARCHIVOX_WECHAT_REPLY_BUDGET = float(os.environ.get("ARCHIVOX_WECHAT_REPLY_BUDGET", "3"))
# Weibo's share API wants the poster's public IP address (the office's, behind its NAT).
ARCHIVOX_WEIBO_RIP = os.environ.get("ARCHIVOX_WEIBO_RIP", "").strip()

# Background work: SQLite storage in var/ when embedded, Redis in production.
# Threads per worker process: deliveries wait on the platforms (a WeChat publish job takes
# seconds), so a worker runs many at once.
WORKER_THREADS = int(os.environ.get("ARCHIVOX_WORKER_THREADS", "8"))
# No task's return value is ever read: storing each one was a write to the queue's storage per
# task (on SQLite a write transaction) and a row kept for good (issue 24).
TASK_RESULTS = False
if REDIS_URL:
    HUEY = {
        # Priorities: a delivery waiting on a platform goes before archiving (WARC) work.
        "huey_class": "huey.PriorityRedisHuey",
        "name": "archivox",
        "url": REDIS_URL,
        "results": TASK_RESULTS,
        "immediate": False,
        "consumer": {"workers": WORKER_THREADS, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "archivox.core.queue.EmbeddedHuey",  # synchronous=NORMAL, like the app
        "name": "archivox",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "results": TASK_RESULTS,
        "immediate": False,
        "consumer": {"workers": WORKER_THREADS, "worker_type": "thread"},
    }

EMAIL_BACKEND = os.environ.get(
    "ARCHIVOX_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("ARCHIVOX_FROM_EMAIL", "archivox@localhost")

# OAI-PMH Identify: who runs this repository (must be a real-looking e-mail address).
ARCHIVOX_OAI_ADMIN_EMAIL = os.environ.get("ARCHIVOX_OAI_ADMIN_EMAIL", "oai-admin@archivox.invalid")
ARCHIVOX_OAI_REPOSITORY_NAME = os.environ.get("ARCHIVOX_OAI_REPOSITORY_NAME", "Archivox")

# Harvesting other repositories over OAI-PMH (archivox/harvesting): every response is read within
# these bounds (bytes, nesting, elements), a request gives up after the timeout, and a 503 or a
# failed request is retried a few times, waiting what Retry-After asks up to the cap.
ARCHIVOX_HARVEST_TIMEOUT = float(os.environ.get("ARCHIVOX_HARVEST_TIMEOUT", "30"))
ARCHIVOX_HARVEST_MAX_BYTES = int(
    os.environ.get("ARCHIVOX_HARVEST_MAX_BYTES", str(32 * 1024 * 1024))
)
ARCHIVOX_HARVEST_MAX_DEPTH = int(os.environ.get("ARCHIVOX_HARVEST_MAX_DEPTH", "64"))
ARCHIVOX_HARVEST_MAX_ELEMENTS = int(os.environ.get("ARCHIVOX_HARVEST_MAX_ELEMENTS", "500000"))
ARCHIVOX_HARVEST_RETRIES = int(os.environ.get("ARCHIVOX_HARVEST_RETRIES", "4"))
ARCHIVOX_HARVEST_MAX_RETRY_AFTER = float(os.environ.get("ARCHIVOX_HARVEST_MAX_RETRY_AFTER", "120"))

# Where the paper's survey data lives: ../shared beside the checkout, else the copy in data/.
SHARED_DIR = env_path("ARCHIVOX_SHARED_DIR", BASE_DIR.parent / "shared")
PAPER_SURVEY_PATHS = [
    SHARED_DIR / "data" / "survey-2016-paper-v2.yaml",
    BASE_DIR / "data" / "survey-2016-paper-v2.yaml",
]
# The demo content (catalog, posts) that the load_demo_* commands load, read from the checkout.
DEMO_DATA_DIR = env_path("ARCHIVOX_DEMO_DATA_DIR", BASE_DIR / "data" / "demo")

LOG_LEVEL = os.environ.get("ARCHIVOX_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # Django's request on a record (every 4xx/5xx) is written without query strings and
    # openids (a WeChat callback's query signs it for five minutes).
    "filters": {"redact_request": {"()": "archivox.core.access_log.RedactRequest"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["redact_request"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs whole URLs, and WeChat puts access_token and secret in the query string.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "huey": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
    },
}
