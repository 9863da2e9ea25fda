"""What the Weibo sandbox does: issue accounts, accept statuses and comments under the platform's
rules, count requests against the hourly limits, inject faults, and let simulated users comment
and mention.

The rules here are the sandbox's own reading of the platform's documentation
(docs/sandbox-weibo.md), written apart from the client's checks in
``archivox.platforms.weibo.rules`` so that each can catch the other's mistakes.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import ipaddress
import re
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.errors import invalid_parameter as _invalid
from archivox.sandbox.weibo.errors import missing_parameter as _missing
from archivox.sandbox.weibo.models import (
    WeiboApp,
    WeiboAuthorization,
    WeiboComment,
    WeiboFault,
    WeiboIdSequence,
    WeiboRateCounter,
    WeiboRequestLog,
    WeiboStatus,
    WeiboUser,
)
from archivox.sandbox.weibo.selectors import status_get

if TYPE_CHECKING:
    from archivox.core.models import Archive

SANDBOX_APPKEY = "archivox-sandbox"
TOKEN_LIFETIME = datetime.timedelta(days=30)
MAX_TEXT = 140  # "Chinese characters": 2 half-width units each
MAX_PIC_BYTES = 5 * 1024 * 1024  # "上传图片大小限制为<5M"
PIC_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}
LINK_RE = re.compile(r"https?://[\w\-.~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE | re.ASCII)
TOPIC_RE = re.compile(r"[#＃][^#＃\r\n]*\S[^#＃\r\n]*[#＃]")
MENTION_RE = re.compile(r"@([\w\-]{1,30})")
SHORT_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


# Text rules ------------------------------------------------------------------------------


def weibo_text_length(text: str) -> int:
    """Length as the platform counts it: half-width units halved, rounded up.

    Each UTF-16 code unit outside ASCII is 2 units (so an emoji outside the BMP is 4), ASCII is
    1, and each link becomes a t.cn link worth 20 units (longer than 140 units: length - 120)."""

    def units(part: str) -> int:
        encoded = part.encode("utf-16-le")
        code_units = [encoded[i : i + 2] for i in range(0, len(encoded), 2)]
        return sum(1 if unit[1] == 0 and unit[0] < 0x80 else 2 for unit in code_units)

    total = 0
    for link in LINK_RE.findall(text):
        link_units = units(link)
        total += 20 if link_units <= 140 else link_units - 120
    total += units(LINK_RE.sub("", text))
    return -(-total // 2)


def short_link(url: str) -> str:
    """The t.cn link the platform shows in place of ``url`` (deterministic here)."""
    number = int.from_bytes(hashlib.sha1(url.encode()).digest()[:8], "big")  # noqa: S324
    code = ""
    for _ in range(7):
        number, digit = divmod(number, 62)
        code += SHORT_ALPHABET[digit]
    return f"http://t.cn/{code}"


def display_text(text: str) -> str:
    """The text as the API returns it: links replaced by t.cn short links."""
    return LINK_RE.sub(lambda match: short_link(match.group()), text)


def _check_text(text: str) -> None:
    if not text.strip():
        raise SandboxWeiboError(20008, "Content is null!")
    if weibo_text_length(text) > MAX_TEXT:
        raise SandboxWeiboError(20012, "Text too long, please input text less than 140 characters!")


def _check_rip(rip: str) -> str:
    try:
        address = ipaddress.ip_address(rip.strip())
    except ValueError as exc:
        raise _invalid("rip", "the operating user's real IP, like 211.156.0.1", rip) from exc
    if address.is_unspecified or address.is_loopback or address.is_multicast:
        raise _invalid("rip", "the operating user's real IP, like 211.156.0.1", rip)
    return str(address)


def _check_pic(pic: bytes) -> str:
    if len(pic) >= MAX_PIC_BYTES:
        raise SandboxWeiboError(20006, "Image size too large!")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(pic)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise SandboxWeiboError(
            20005, "Unsupported image type, only suport JPG, GIF, PNG!"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise SandboxWeiboError(20006, "Image size too large!") from exc
    if image_format not in PIC_FORMATS:
        raise SandboxWeiboError(20005, "Unsupported image type, only suport JPG, GIF, PNG!")
    return PIC_FORMATS[image_format]


def _under_domain(url: str, domain: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    domain = domain.lower().strip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


# Ids -------------------------------------------------------------------------------------


def next_id() -> int:
    """A new status or comment id, larger than every id handed out before.

    Call it inside the transaction that inserts the row: the sequence row stays locked until
    that transaction commits, so rows become visible in id order and a client polling with
    ``since_id`` never skips one. Ids grow with time (milliseconds × 1000), like the platform's,
    and stay below 2**53."""
    floor = int(time.time() * 1000) * 1000
    for _ in range(3):
        updated = WeiboIdSequence.objects.filter(name="weibo").update(
            value=Greatest(F("value") + 1, Value(floor, output_field=models.BigIntegerField()))
        )
        if updated:
            return WeiboIdSequence.objects.values_list("value", flat=True).get(name="weibo")
        try:
            with transaction.atomic():
                WeiboIdSequence.objects.create(name="weibo", value=floor)
        except IntegrityError:
            continue
        return floor
    raise RuntimeError("could not allocate a Weibo sandbox id")


# Accounts --------------------------------------------------------------------------------


def _new_uid() -> str:
    while True:
        uid = str(5_000_000_000 + secrets.randbelow(2_000_000_000))
        if not WeiboUser.objects.filter(uid=uid).exists():
            return uid


def _new_token() -> str:
    return "2.00" + secrets.token_hex(14)


def _free_screen_name(wanted: str) -> str:
    base = re.sub(r"[^\w\-]", "", wanted)[:24] or "archive"
    name, n = base, 1
    while WeiboUser.objects.filter(screen_name=name).exists():
        n += 1
        name = f"{base}_{n}"
    return name


def _sandbox_app() -> WeiboApp:
    domain = (urlsplit(settings.BASE_URL).hostname or "localhost").lower()
    app, created = WeiboApp.objects.get_or_create(
        appkey=SANDBOX_APPKEY, defaults={"name": "Archivox", "safe_domain": domain}
    )
    if not created and app.safe_domain != domain:
        app.safe_domain = domain
        app.save(update_fields=["safe_domain"])
    return app


@transaction.atomic
def sandbox_weibo_account_ensure(archive: Archive) -> dict[str, str]:
    """A Weibo account on the sandbox for ``archive``, and the archive's PlatformAccount for it.

    Idempotent: an existing grant is kept (its token renewed if expired or revoked). The app's
    safe domain is the host of ``settings.BASE_URL``. Writes ``core.PlatformAccount`` directly
    (provisioning of the sandbox only; the token is encrypted at rest by the field)."""
    from archivox.core.models import PlatformAccount

    app = _sandbox_app()
    now = timezone.now()
    grant = (
        WeiboAuthorization.objects.select_for_update()
        .select_related("user")
        .filter(archive=archive)
        .first()
    )
    if grant is None:
        user = WeiboUser.objects.create(
            uid=_new_uid(),
            screen_name=_free_screen_name(archive.name_zh or archive.name or archive.slug),
        )
        grant = WeiboAuthorization.objects.create(
            app=app,
            user=user,
            archive=archive,
            access_token=_new_token(),
            expires_at=now + TOKEN_LIFETIME,
        )
    elif grant.revoked or grant.expires_at <= now or grant.app_id != app.pk:
        grant.app = app
        grant.access_token = _new_token()
        grant.expires_at = now + TOKEN_LIFETIME
        grant.revoked = False
        grant.save(update_fields=["app", "access_token", "expires_at", "revoked"])

    account = PlatformAccount.objects.filter(
        archive=archive, platform=PlatformAccount.Platform.WEIBO
    ).first() or PlatformAccount(archive=archive, platform=PlatformAccount.Platform.WEIBO)
    account.weibo_uid = grant.user.uid
    account.weibo_access_token = grant.access_token
    account.safe_domain = app.safe_domain
    account.name = account.name or grant.user.screen_name
    account.full_clean()
    account.save()
    return {
        "weibo_uid": grant.user.uid,
        "access_token": grant.access_token,
        "safe_domain": app.safe_domain,
    }


def _grant_for(uid: str) -> WeiboAuthorization:
    grant = WeiboAuthorization.objects.select_related("user").filter(user__uid=str(uid)).first()
    if grant is None:
        raise SandboxWeiboError(20003, "User does not exists!")
    return grant


def sandbox_weibo_token_expire(uid: str) -> None:
    """Make the account's access token expired (the platform then answers 21327)."""
    grant = _grant_for(uid)
    grant.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])


def sandbox_weibo_limits_set(
    uid: str,
    *,
    hourly_limit: int | None = None,
    hourly_post_limit: int | None = None,
    hourly_comment_limit: int | None = None,
) -> WeiboAuthorization:
    """Lower (or raise) the account's hourly request limits."""
    grant = _grant_for(uid)
    for field, value in (
        ("hourly_limit", hourly_limit),
        ("hourly_post_limit", hourly_post_limit),
        ("hourly_comment_limit", hourly_comment_limit),
    ):
        if value is not None:
            setattr(grant, field, max(0, int(value)))
    grant.save()
    return grant


def sandbox_weibo_authenticate(access_token: str) -> WeiboAuthorization:
    """The grant behind an access token, or the platform's OAuth2 error."""
    if not access_token:
        raise SandboxWeiboError(21301, "auth faild!", 401)
    grant = (
        WeiboAuthorization.objects.select_related("user", "app")
        .filter(access_token=access_token)
        .first()
    )
    if grant is None or grant.revoked:
        raise SandboxWeiboError(21332, "invalid_access_token", 401)
    if grant.expires_at <= timezone.now():
        raise SandboxWeiboError(21327, "expired_token", 401)
    return grant


# Request log, rate limits, faults ----------------------------------------------------------


def sandbox_weibo_request_record(
    *, authorization: WeiboAuthorization | None, method: str, path: str, fault: str = ""
) -> WeiboRequestLog:
    return WeiboRequestLog.objects.create(
        authorization=authorization, method=method, path=path[:100], fault=fault
    )


def _window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).replace(minute=0, second=0, microsecond=0)


def _counter_hit(grant: WeiboAuthorization, bucket: str, window: datetime.datetime) -> int:
    lookup = {"authorization": grant, "bucket": bucket, "window_start": window}
    if not WeiboRateCounter.objects.filter(**lookup).update(count=F("count") + 1):
        try:
            with transaction.atomic():
                WeiboRateCounter.objects.create(**lookup, count=1)
        except IntegrityError:
            WeiboRateCounter.objects.filter(**lookup).update(count=F("count") + 1)
    return WeiboRateCounter.objects.values_list("count", flat=True).get(**lookup)


@transaction.atomic
def sandbox_weibo_rate_limit_hit(
    *, authorization: WeiboAuthorization, path: str, bucket: str | None = None
) -> None:
    """Count one request in this clock hour; over the limit → HTTP 403, 10023 or 10024."""
    window = _window_start()
    if _counter_hit(authorization, "all", window) > authorization.hourly_limit:
        raise SandboxWeiboError(10023, "User requests out of rate limit!", 403)
    limits = {
        "post": authorization.hourly_post_limit,
        "comment": authorization.hourly_comment_limit,
    }
    if bucket and _counter_hit(authorization, bucket, window) > limits[bucket]:
        raise SandboxWeiboError(10024, f"User requests for ({path}) out of rate limit!", 403)


def sandbox_weibo_rate_limit_status(authorization: WeiboAuthorization) -> dict[str, Any]:
    """``account/rate_limit_status``: the user's remaining hits in this hour and the reset."""
    now = timezone.now()
    window = _window_start(now)
    used = (
        WeiboRateCounter.objects.filter(
            authorization=authorization, bucket="all", window_start=window
        )
        .values_list("count", flat=True)
        .first()
        or 0
    )
    reset = window + datetime.timedelta(hours=1)
    return {
        "ip_limit": 10000,
        "limit_time_unit": "HOURS",
        "remaining_ip_hits": 10000,
        "remaining_user_hits": max(0, authorization.hourly_limit - used),
        "reset_time": timezone.localtime(reset).strftime("%Y-%m-%d %H:%M:%S"),
        "reset_time_in_seconds": int((reset - now).total_seconds()),
        "user_limit": authorization.hourly_limit,
    }


@dataclasses.dataclass(frozen=True)
class Fault:
    mode: str
    seconds: float = 0.0


FAULT_DEFAULT_SECONDS = {"delay": 2.0, "timeout": 5.0}


def parse_fault_header(value: str) -> Fault | None:
    """``X-Sandbox-Fault: delay=2 | timeout[=seconds] | http500 | http502 | http503 |
    drop_after_commit``."""
    value = (value or "").strip().lower()
    if not value:
        return None
    mode, _, argument = value.partition("=")
    if mode not in WeiboFault.Mode.values:
        raise SandboxWeiboError(
            10008, f"Param error: unknown X-Sandbox-Fault {value!r}, see doc for more info."
        )
    try:
        seconds = float(argument) if argument else FAULT_DEFAULT_SECONDS.get(mode, 0.0)
    except ValueError as exc:
        raise SandboxWeiboError(
            10008, f"Param error: X-Sandbox-Fault {value!r} needs seconds"
        ) from exc
    return Fault(mode, max(0.0, min(seconds, 120.0)))


def sandbox_weibo_fault_take(
    *, authorization: WeiboAuthorization, header: str, path: str
) -> Fault | None:
    """The fault for this request: the header's, else one of the account's remaining ones."""
    fault = parse_fault_header(header)
    if fault is not None:
        return fault
    row = WeiboFault.objects.filter(authorization=authorization, remaining__gt=0).first()
    if row is None or (row.path and row.path != path):
        return None
    if not WeiboFault.objects.filter(pk=row.pk, remaining__gt=0).update(
        remaining=F("remaining") - 1
    ):
        return None
    return Fault(row.mode, row.seconds)


def sandbox_weibo_fault_set(
    uid: str,
    *,
    mode: str,
    count: int = 1,
    seconds: float | None = None,
    path: str = "",
) -> WeiboFault | None:
    """Inject ``mode`` into the account's next ``count`` API requests (``mode="none"`` clears).

    ``path`` limits it to one call, e.g. ``/2/statuses/share.json``."""
    grant = _grant_for(uid)
    if mode in ("", "none") or count <= 0:
        WeiboFault.objects.filter(authorization=grant).delete()
        return None
    if mode not in WeiboFault.Mode.values:
        raise SandboxWeiboError(10008, f"Param error: unknown fault mode {mode!r}")
    fault, _ = WeiboFault.objects.update_or_create(
        authorization=grant,
        defaults={
            "mode": mode,
            "remaining": int(count),
            "seconds": seconds if seconds is not None else FAULT_DEFAULT_SECONDS.get(mode, 0.0),
            "path": path,
        },
    )
    return fault


# Statuses and comments ---------------------------------------------------------------------


def _mentioned(text: str) -> list[WeiboUser]:
    names = set(MENTION_RE.findall(text))
    return list(WeiboUser.objects.filter(screen_name__in=names)) if names else []


@transaction.atomic
def sandbox_weibo_status_share(
    *,
    authorization: WeiboAuthorization,
    status: str | None,
    rip: str | None,
    pic: bytes | None = None,
) -> WeiboStatus:
    """``statuses/share``: the platform's rules, then the new status."""
    if status is None:
        raise _missing("status")
    if rip is None or not rip.strip():
        raise _missing("rip")
    rip = _check_rip(rip)
    _check_text(status)
    domain = authorization.app.safe_domain
    if not any(_under_domain(link, domain) for link in LINK_RE.findall(status)):
        raise _invalid(
            "status", f"text with at least one link under the app's safe domain {domain}", status
        )
    if TOPIC_RE.search(LINK_RE.sub(" ", status)):
        raise _invalid("status", "text without #topic#", status)
    pic_type = _check_pic(pic) if pic is not None else ""
    previous = (
        WeiboStatus.objects.filter(user=authorization.user)
        .order_by("-id")
        .values_list("text", flat=True)
        .first()
    )
    if previous is not None and previous.strip() == status.strip():
        raise SandboxWeiboError(20019, "repeat content!")
    created = WeiboStatus.objects.create(
        id=next_id(),
        user=authorization.user,
        app=authorization.app,
        text=status,
        pic=pic,
        pic_type=pic_type,
        pic_size=len(pic or b""),
        rip=rip,
    )
    created.mentions.set(_mentioned(status))
    return created


@transaction.atomic
def sandbox_weibo_status_destroy(
    *, authorization: WeiboAuthorization, status_id: str | None
) -> WeiboStatus:
    """``statuses/destroy``: the user deletes one of their own statuses (and its comments).
    Someone else's status: 20102; an unknown or already deleted one: 20101. Returns the status
    as it was, which is what the platform answers with."""
    if status_id in (None, ""):
        raise _missing("id")
    status = status_get(status_id)
    if status.user_id != authorization.user_id:
        raise SandboxWeiboError(20102, "Not your own weibo!")
    gone = WeiboStatus.objects.select_for_update().filter(pk=status.pk).first()
    if gone is None:  # deleted by a concurrent request
        raise SandboxWeiboError(20101, "Target weibo does not exist!")
    gone.n_comments = gone.comments.count()
    WeiboStatus.objects.filter(pk=status.pk).delete()
    return gone


def sandbox_weibo_short_url_expand(short_urls: list[str]) -> list[dict[str, Any]]:
    """``short_url/expand``: the long URL of each t.cn link the sandbox made (from the links of
    the statuses and comments it holds); an unknown one answers ``result: false``."""
    if not short_urls:
        raise _missing("url_short")
    if len(short_urls) > 20:
        raise _invalid("url_short", "at most 20 short urls", str(len(short_urls)))
    wanted = {url.strip() for url in short_urls}
    found: dict[str, str] = {}
    for text in WeiboStatus.objects.values_list("text", flat=True).iterator():
        for link in LINK_RE.findall(text):
            short = short_link(link)
            if short in wanted:
                found[short] = link
        if len(found) == len(wanted):
            break
    return [
        {
            "url_short": url,
            "url_long": found.get(url.strip(), ""),
            "type": 0,
            "result": url.strip() in found,
        }
        for url in short_urls
    ]


def _comment(comment_id: Any, status: WeiboStatus) -> WeiboComment:
    try:
        key = int(comment_id)
    except (TypeError, ValueError) as exc:
        raise _invalid("cid", "a comment id", str(comment_id)) from exc
    comment = WeiboComment.objects.select_related("user").filter(pk=key, status=status).first()
    if comment is None:
        raise SandboxWeiboError(20201, "Target weibo comment does not exist!")
    return comment


def _add_comment(
    *,
    status: WeiboStatus,
    user: WeiboUser,
    text: str,
    app: WeiboApp | None = None,
    reply_to: WeiboComment | None = None,
    rip: str = "",
) -> WeiboComment:
    comment = WeiboComment.objects.create(
        id=next_id(), status=status, user=user, app=app, reply_to=reply_to, text=text, rip=rip
    )
    comment.mentions.set(_mentioned(text))
    return comment


@transaction.atomic
def sandbox_weibo_comment_create(
    *,
    authorization: WeiboAuthorization,
    status_id: Any,
    comment: str | None,
    rip: str | None = None,
) -> WeiboComment:
    """``comments/create``: at most 140 characters on an existing status."""
    if status_id in (None, ""):
        raise _missing("id")
    if comment is None:
        raise _missing("comment")
    _check_text(comment)
    status = status_get(status_id)
    return _add_comment(
        status=status,
        user=authorization.user,
        app=authorization.app,
        text=comment,
        rip=_check_rip(rip) if rip else "",
    )


@transaction.atomic
def sandbox_weibo_comment_reply(
    *,
    authorization: WeiboAuthorization,
    status_id: Any,
    comment_id: Any,
    comment: str | None,
    without_mention: bool = False,
    rip: str | None = None,
) -> WeiboComment:
    """``comments/reply``: at most 140 characters; the text gets "回复@name:" unless
    ``without_mention``."""
    for name, value in (("cid", comment_id), ("id", status_id)):
        if value in (None, ""):
            raise _missing(name)
    if comment is None:
        raise _missing("comment")
    _check_text(comment)
    status = status_get(status_id)
    target = _comment(comment_id, status)
    text = comment if without_mention else f"回复@{target.user.screen_name}:{comment}"
    return _add_comment(
        status=status,
        user=authorization.user,
        app=authorization.app,
        reply_to=target,
        text=text,
        rip=_check_rip(rip) if rip else "",
    )


# Simulated users ---------------------------------------------------------------------------


def _simulated_user(name: str) -> WeiboUser:
    name = (name or "").strip()
    if not re.fullmatch(r"[\w\-]{1,30}", name):
        raise _invalid("user_name", "1-30 letters, digits, Chinese characters, _ or -", name)
    user = WeiboUser.objects.filter(screen_name=name).first()
    if user is None:
        try:
            with transaction.atomic():
                user = WeiboUser.objects.create(uid=_new_uid(), screen_name=name, is_simulated=True)
        except IntegrityError:
            user = WeiboUser.objects.get(screen_name=name)
    return user


@transaction.atomic
def sandbox_weibo_comment_from_user(
    status_id: Any,
    user_name: str,
    text: str,
    *,
    reply_to_comment_id: Any = None,
) -> WeiboComment:
    """A member of the public (``user_name``) comments publicly on a status, or replies to a
    comment on it. It shows in the status owner's ``comments/to_me`` (and the replied-to
    user's)."""
    _check_text(text)
    status = status_get(status_id)
    user = _simulated_user(user_name)
    reply_to = None
    if reply_to_comment_id not in (None, ""):
        reply_to = _comment(reply_to_comment_id, status)
        text = f"回复@{reply_to.user.screen_name}:{text}"
    return _add_comment(status=status, user=user, reply_to=reply_to, text=text)


@transaction.atomic
def sandbox_weibo_mention(
    uid: str,
    user_name: str,
    text: str,
    *,
    status_id: Any = None,
) -> WeiboStatus | WeiboComment:
    """A member of the public @mentions the account ``uid``: in a new status of their own
    (``statuses/mentions``) or, with ``status_id``, in a comment on that status
    (``comments/mentions``). "@name " is put in front unless the text already has it."""
    target = WeiboUser.objects.filter(uid=str(uid)).first()
    if target is None:
        raise SandboxWeiboError(20003, "User does not exists!")
    if f"@{target.screen_name}" not in text:
        text = f"@{target.screen_name} {text}"
    _check_text(text)
    user = _simulated_user(user_name)
    if status_id not in (None, ""):
        return _add_comment(status=status_get(status_id), user=user, text=text)
    status = WeiboStatus.objects.create(id=next_id(), user=user, text=text)
    status.mentions.set(_mentioned(text))
    return status
