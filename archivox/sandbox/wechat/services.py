"""Everything the WeChat sandbox does: issue tokens, keep drafts, publish, mass-send, talk to
followers, push events to callback URLs, inject faults — enforcing the platform's rules.

API services take the caller's account and the decoded request and return the platform's JSON
answer, or raise ``SandboxApiError(errcode)``; views only translate. The functions named
``sandbox_…`` are the sandbox's own controls (provisioning, followers, faults, clock) for the
simulated WeChat user, tests and benchmarks.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import string
import time
from typing import Any

import httpx
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from archivox.platforms.wechat.crypto import MessageCrypto, nonce, signature
from archivox.platforms.wechat.xml import build_xml, parse_xml
from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import (
    AccessToken,
    Account,
    Article,
    CustomMessage,
    Draft,
    EventDelivery,
    Fault,
    Follower,
    MassMessage,
    Media,
    Menu,
    Publish,
    QuotaUsage,
)
from archivox.sandbox.wechat.selectors import (
    account_now,
    article_reads_at,
    beijing_date,
    beijing_midnight,
)

logger = logging.getLogger(__name__)

ALNUM = string.ascii_letters + string.digits


class SandboxApiError(Exception):
    """The platform refuses the call with this errcode (and, for some, extra fields)."""

    def __init__(self, errcode: int, **extra: Any) -> None:
        super().__init__(f"errcode {errcode}")
        self.errcode = errcode
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"errcode": self.errcode, "errmsg": rules.errmsg(self.errcode), **self.extra}


class SandboxError(ValueError):
    """A control call of the sandbox itself (not of the platform API) is malformed."""


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _number(digits: int = 10) -> int:
    return 10 ** (digits - 1) + secrets.randbelow(9 * 10 ** (digits - 1))


def _media_id() -> str:
    return secrets.token_urlsafe(48)[:64]


# -- accounts ---------------------------------------------------------------------------------


@transaction.atomic
def sandbox_account_create(
    *,
    name: str = "",
    account_type: str = Account.Type.SUBSCRIPTION,
    callback_url: str = "",
    message_mode: str = Account.MessageMode.SAFE,
    archive_slug: str = "",
) -> Account:
    """A new official account on the sandbox, with fresh credentials."""
    account = Account(
        appid="wx" + secrets.token_hex(8),
        app_secret=secrets.token_hex(16),
        token=_random(ALNUM, 32),
        encoding_aes_key=_random(ALNUM, 43),
        original_id="gh_" + secrets.token_hex(6),
        name=name,
        account_type=account_type,
        callback_url=callback_url,
        message_mode=message_mode,
        archive_slug=archive_slug,
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def sandbox_account_update(
    *,
    appid: str,
    callback_url: str | None = None,
    message_mode: str | None = None,
    account_type: str | None = None,
) -> Account:
    """Change what the account's owner sets in the platform's console (URL, mode, type)."""
    account = Account.objects.select_for_update().get(appid=appid)
    if callback_url is not None:
        account.callback_url = callback_url
    if message_mode is not None:
        account.message_mode = message_mode
    if account_type is not None:
        account.account_type = account_type
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def sandbox_wechat_account_ensure(archive: Any) -> dict[str, str]:
    """Give ``archive`` a sandbox official account, and point its ``core.PlatformAccount``
    (platform wechat) at it. Idempotent: the same account is kept on later calls.

    This is the sandbox's provisioning path, so it writes the PlatformAccount directly."""
    from archivox.core.models import PlatformAccount
    from archivox.core.services import audit_record, snapshot

    callback_url = f"{settings.BASE_URL}/wechat/{archive.slug}/callback"
    account = Account.objects.select_for_update().filter(archive_slug=archive.slug).first()
    if account is None:
        account = sandbox_account_create(
            name=archive.name_zh or archive.name,
            callback_url=callback_url,
            archive_slug=archive.slug,
        )
    elif account.callback_url != callback_url:
        account.callback_url = callback_url
        account.save(update_fields=["callback_url"])
    values = {
        "name": account.name,
        "appid": account.appid,
        "app_secret": account.app_secret,
        "token": account.token,
        "encoding_aes_key": account.encoding_aes_key,
        "original_id": account.original_id,
        "wechat_type": account.account_type,
        "message_mode": account.message_mode,  # the same three values as WeChat's console
    }
    platform_account = (
        PlatformAccount.objects.select_for_update()
        .filter(archive=archive, platform=PlatformAccount.Platform.WECHAT)
        .first()
    )
    created = platform_account is None
    if created:
        platform_account = PlatformAccount(
            archive=archive, platform=PlatformAccount.Platform.WECHAT
        )
    changed = [name for name, value in values.items() if getattr(platform_account, name) != value]
    if changed:
        for name in changed:
            setattr(platform_account, name, values[name])
        platform_account.full_clean()
        platform_account.save()
        audit_record(
            actor=None,
            action="platform_account.sandbox_provision",
            obj=platform_account,
            archive=archive,
            after=snapshot(platform_account, changed),
            on_behalf_of="WeChat sandbox",
        )
    return {
        "appid": account.appid,
        "app_secret": account.app_secret,
        "token": account.token,
        "encoding_aes_key": account.encoding_aes_key,
        "original_id": account.original_id,
    }


@transaction.atomic
def sandbox_clock_advance(*, appid: str, seconds: int) -> int:
    """Let ``seconds`` pass for the account (tokens age, windows close, days turn)."""
    updated = Account.objects.filter(appid=appid).update(clock_offset=F("clock_offset") + seconds)
    if not updated:
        raise SandboxError(f"no sandbox account {appid}")
    return Account.objects.get(appid=appid).clock_offset


# -- followers --------------------------------------------------------------------------------


@transaction.atomic
def sandbox_follower_touch(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower:
    """The user ``openid`` sent the account a message: the customer-service window opens
    (48 hours, 5 messages). An unknown user becomes a follower. ``at`` is sandbox time."""
    account = Account.objects.get(appid=appid)
    moment = at or account_now(account)
    follower, _ = Follower.objects.select_for_update().get_or_create(
        account=account, openid=openid, defaults={"subscribed_at": moment}
    )
    follower.last_message_at = moment
    follower.save(update_fields=["last_message_at"])
    return follower


@transaction.atomic
def sandbox_follower_subscribe(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower:
    """The user follows the account (again)."""
    account = Account.objects.get(appid=appid)
    moment = at or account_now(account)
    follower, created = Follower.objects.select_for_update().get_or_create(
        account=account, openid=openid, defaults={"subscribed_at": moment}
    )
    if not created and not follower.subscribed:
        follower.subscribed = True
        follower.subscribed_at = moment
        follower.unsubscribed_at = None
        follower.save(update_fields=["subscribed", "subscribed_at", "unsubscribed_at"])
    return follower


@transaction.atomic
def sandbox_follower_unsubscribe(
    appid: str, openid: str, *, at: datetime.datetime | None = None
) -> Follower | None:
    account = Account.objects.get(appid=appid)
    follower = Follower.objects.select_for_update().filter(account=account, openid=openid).first()
    if follower is not None and follower.subscribed:
        follower.subscribed = False
        follower.unsubscribed_at = at or account_now(account)
        follower.save(update_fields=["subscribed", "unsubscribed_at"])
    return follower


# -- faults -----------------------------------------------------------------------------------


@transaction.atomic
def sandbox_fault_set(
    *,
    appid: str,
    mode: str,
    remaining: int = 1,
    api: str = "",
    seconds: float | None = None,
) -> Fault:
    """Make the account's next ``remaining`` calls (of ``api``, or of any API) fail this way."""
    if mode not in Fault.Mode.values:
        raise SandboxError(f"unknown fault mode {mode!r}; use one of {', '.join(Fault.Mode)}")
    if remaining < 1:
        raise SandboxError("remaining must be at least 1")
    account = Account.objects.get(appid=appid)
    return Fault.objects.create(
        account=account, mode=mode, remaining=remaining, api=api.strip("/"), seconds=seconds
    )


@transaction.atomic
def sandbox_faults_clear(*, appid: str) -> int:
    deleted, _ = Fault.objects.filter(account__appid=appid).delete()
    return deleted


def sandbox_fault_take(*, account: Account, api: str, mode: str | None = None) -> Fault | None:
    """Use up one call of the oldest fault matching ``api`` (and ``mode``); None if none."""
    if not Fault.objects.filter(account=account, remaining__gt=0).exists():
        return None  # the usual case, answered without taking a write lock
    with transaction.atomic():
        faults = Fault.objects.select_for_update().filter(account=account, remaining__gt=0)
        if mode is not None:
            faults = faults.filter(mode=mode)
        else:
            faults = faults.exclude(mode=Fault.Mode.PUBLISH_FAIL)
        for fault in faults.order_by("id"):
            if fault.api in ("", api):
                fault.remaining -= 1
                if fault.remaining:
                    fault.save(update_fields=["remaining"])
                else:
                    fault.delete()
                return fault
    return None


# -- tokens and quotas ------------------------------------------------------------------------


@transaction.atomic
def token_issue(*, appid: str, secret: str, grant_type: str) -> dict[str, Any]:
    """``/cgi-bin/token``: a new access_token; the previous one keeps working for 5 minutes."""
    if grant_type != "client_credential":
        raise SandboxApiError(40002)
    if not appid:
        raise SandboxApiError(41002)
    if not secret:
        raise SandboxApiError(41004)
    account = Account.objects.select_for_update().filter(appid=appid).first()
    if account is None:
        raise SandboxApiError(40013)
    if not secrets.compare_digest(secret, account.app_secret):
        raise SandboxApiError(40001)
    now = account_now(account)
    quota_consume(account=account, api="token")
    AccessToken.objects.filter(
        account=account, superseded_at__isnull=True, expires_at__gt=now
    ).update(superseded_at=now)
    token = AccessToken.objects.create(
        account=account,
        value=secrets.token_urlsafe(96),
        issued_at=now,
        expires_at=now + datetime.timedelta(seconds=rules.TOKEN_LIFETIME),
    )
    return {"access_token": token.value, "expires_in": rules.TOKEN_LIFETIME}


def token_account(value: str) -> Account | None:
    """The account an access_token belongs to, valid or not (to pick its faults)."""
    if not value:
        return None
    token = AccessToken.objects.select_related("account").filter(value=value).first()
    return token.account if token else None


def token_check(value: str) -> Account:
    """The account of a valid access_token, or the platform's refusal."""
    if not value:
        raise SandboxApiError(41001)
    token = AccessToken.objects.select_related("account").filter(value=value).first()
    if token is None:
        raise SandboxApiError(40014)
    now = account_now(token.account)
    if now >= token.expires_at:
        raise SandboxApiError(42001)
    overlap = datetime.timedelta(seconds=rules.TOKEN_OVERLAP)
    if token.superseded_at is not None and now >= token.superseded_at + overlap:
        raise SandboxApiError(40001)
    return token.account


@transaction.atomic
def quota_consume(*, account: Account, api: str) -> None:
    """Count one call of ``api``; refuse it over the daily quota (45009) or the per-minute
    frequency limit (45011)."""
    now = account_now(account)
    limits = (
        ("day", rules.DAILY_QUOTA.get(api), beijing_midnight(beijing_date(now)), 45009),
        ("minute", rules.MINUTE_QUOTA.get(api), now.replace(second=0, microsecond=0), 45011),
    )
    for period, limit, start, errcode in limits:
        if limit is None:
            continue
        QuotaUsage.objects.get_or_create(
            account=account, api=api, period=period, period_start=start
        )
        usage = QuotaUsage.objects.select_for_update().get(
            account=account, api=api, period=period, period_start=start
        )
        if usage.count >= limit:
            raise SandboxApiError(errcode)
        usage.count += 1
        usage.save(update_fields=["count"])


@transaction.atomic
def sandbox_quota_use(*, appid: str, api: str, count: int, period: str = "day") -> None:
    """Record that ``count`` calls of ``api`` were made already this day (or this minute),
    to reach a quota without making them."""
    if period not in ("day", "minute"):
        raise SandboxError("period must be day or minute")
    account = Account.objects.get(appid=appid)
    now = account_now(account)
    if period == "day":
        start = beijing_midnight(beijing_date(now))
    else:
        start = now.replace(second=0, microsecond=0)
    QuotaUsage.objects.update_or_create(
        account=account, api=api, period=period, period_start=start, defaults={"count": count}
    )


# -- media ------------------------------------------------------------------------------------


def _sniff_image(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return ""


@transaction.atomic
def media_upload(
    *, account: Account, kind: str, upload: UploadedFile | None, site: str
) -> dict[str, Any]:
    """``media/uploadimg`` (kind uploadimg) and ``material/add_material`` (thumb, image)."""
    if kind not in Media.Kind.values:
        raise SandboxApiError(40004)
    if upload is None:
        raise SandboxApiError(41005)
    limit, allowed, size_errcode = {
        Media.Kind.ARTICLE_IMAGE: (rules.UPLOADIMG_MAX_BYTES, {"jpeg", "png"}, 40009),
        Media.Kind.THUMB: (rules.THUMB_MAX_BYTES, {"jpeg"}, 40012),
        Media.Kind.IMAGE: (rules.IMAGE_MAX_BYTES, {"jpeg", "png", "gif", "bmp"}, 40009),
    }[kind]
    data = upload.read(limit + 1)
    image_type = _sniff_image(data)
    if image_type not in allowed:
        raise SandboxApiError(40005)
    if len(data) > limit:
        raise SandboxApiError(size_errcode)
    media_id = _media_id()
    url = site + reverse("sandbox:wechat:media", args=[media_id])
    Media.objects.create(
        account=account,
        media_id=media_id,
        kind=kind,
        content_type=f"image/{image_type}",
        size=len(data),
        data=data,
        url=url,
        created_at=account_now(account),
    )
    if kind == Media.Kind.ARTICLE_IMAGE:
        return {"url": url}
    return {"media_id": media_id, "url": url}


# -- drafts and publishing --------------------------------------------------------------------

ARTICLE_FIELDS = (
    "article_type",
    "title",
    "author",
    "digest",
    "content",
    "content_source_url",
    "thumb_media_id",
    "need_open_comment",
    "only_fans_can_comment",
)


def _article_clean(account: Account, article: Any) -> dict[str, Any]:
    if not isinstance(article, dict):
        raise SandboxApiError(47001)
    article_type = article.get("article_type") or "news"
    if article_type not in ("news", "newspic"):
        raise SandboxApiError(40035)
    title = article.get("title")
    content = article.get("content")
    if not isinstance(title, str) or not title.strip() or not isinstance(content, str):
        raise SandboxApiError(44003)
    if len(title) > rules.TITLE_MAX_CHARS:
        raise SandboxApiError(45003)
    author = article.get("author") or ""
    if not isinstance(author, str) or len(author) > rules.AUTHOR_MAX_CHARS:
        raise SandboxApiError(45110)
    digest = article.get("digest") or ""
    if not isinstance(digest, str) or len(digest) > rules.DIGEST_MAX_CHARS:
        raise SandboxApiError(45004)
    if len(content) > rules.CONTENT_MAX_CHARS or len(content.encode()) > rules.CONTENT_MAX_BYTES:
        raise SandboxApiError(45002)
    source_url = article.get("content_source_url") or ""
    if not isinstance(source_url, str) or len(source_url.encode()) > rules.SOURCE_URL_MAX_BYTES:
        raise SandboxApiError(45002)
    thumb = article.get("thumb_media_id") or ""
    if article_type == "news" and not (
        isinstance(thumb, str)
        and Media.objects.filter(
            account=account, media_id=thumb, kind__in=[Media.Kind.THUMB, Media.Kind.IMAGE]
        ).exists()
    ):
        raise SandboxApiError(40007)
    cleaned = {name: article.get(name) for name in ARTICLE_FIELDS}
    cleaned.update(
        article_type=article_type,
        author=author,
        digest=digest or _text_start(content, 54),
        content_source_url=source_url,
        thumb_media_id=thumb,
        need_open_comment=int(article.get("need_open_comment") or 0),
        only_fans_can_comment=int(article.get("only_fans_can_comment") or 0),
    )
    return cleaned


def _text_start(html: str, length: int) -> str:
    from django.utils.html import strip_tags

    return strip_tags(html).strip()[:length]


@transaction.atomic
def draft_add(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``draft/add``: checks every article against the platform's limits."""
    articles = body.get("articles")
    if not isinstance(articles, list) or not articles:
        raise SandboxApiError(44003)
    if len(articles) > rules.ARTICLES_PER_DRAFT:
        raise SandboxApiError(45002)
    cleaned = [_article_clean(account, article) for article in articles]
    draft = Draft.objects.create(
        account=account, media_id=_media_id(), articles=cleaned, created_at=account_now(account)
    )
    return {"media_id": draft.media_id}


def draft_get(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``draft/get``: a draft still in the draft box (published ones have left it)."""
    draft = Draft.objects.filter(
        account=account, media_id=str(body.get("media_id") or ""), used_at__isnull=True
    ).first()
    if draft is None:
        raise SandboxApiError(40007)
    return {"news_item": [{**article, "url": ""} for article in draft.articles]}


@transaction.atomic
def publish_submit(*, account: Account, body: dict[str, Any], site: str) -> dict[str, Any]:
    """``freepublish/submit``: take the draft out of the draft box and start a publish job,
    which finishes in the background and then pushes PUBLISHJOBFINISH to the callback URL."""
    draft = (
        Draft.objects.select_for_update()
        .filter(account=account, media_id=str(body.get("media_id") or ""), used_at__isnull=True)
        .first()
    )
    if draft is None:
        raise SandboxApiError(40007)
    now = account_now(account)
    draft.used_at = now
    draft.save(update_fields=["used_at"])
    publish = Publish.objects.create(
        account=account,
        publish_id=str(_number(10)),
        draft_media_id=draft.media_id,
        articles=draft.articles,
        site=site,
        submitted_at=now,
    )
    transaction.on_commit(lambda: _enqueue_publish_finish(publish.pk))
    return {"errcode": 0, "errmsg": "ok", "publish_id": publish.publish_id}


def _enqueue_publish_finish(publish_pk: int) -> None:
    from archivox.sandbox.wechat.tasks import sandbox_publish_finish_task

    sandbox_publish_finish_task(publish_pk)


def _enqueue_delivery(delivery_pk: int) -> None:
    from archivox.sandbox.wechat.tasks import sandbox_event_deliver_task

    sandbox_event_deliver_task(delivery_pk)


def sandbox_publish_finish(*, publish_pk: int) -> Publish:
    """End a publish job: the articles go online with their URLs (or the job fails when a
    ``publish_fail`` fault is set), and the PUBLISHJOBFINISH event is queued for delivery."""
    with transaction.atomic():
        publish = Publish.objects.select_for_update().select_related("account").get(pk=publish_pk)
        if publish.status != Publish.Status.PUBLISHING:
            return publish
        account = publish.account
        now = account_now(account)
        failure = sandbox_fault_take(account=account, api="", mode=Fault.Mode.PUBLISH_FAIL)
        info: dict[str, Any] = {"publish_id": publish.publish_id}
        if failure is not None:
            publish.status = Publish.Status.FAILED
            publish.fail_idx = list(range(1, len(publish.articles) + 1))
            Draft.objects.filter(account=account, media_id=publish.draft_media_id).update(
                used_at=None
            )
            info.update(publish_status=publish.status, fail_idx=publish.fail_idx)
        else:
            publish.status = Publish.Status.SUCCESS
            publish.article_id = secrets.token_urlsafe(32)[:43]
            items = []
            for idx, article in enumerate(publish.articles, start=1):
                slug = secrets.token_urlsafe(16)
                url = publish.site + reverse("sandbox:wechat:article", args=[slug])
                Article.objects.create(
                    publish=publish,
                    idx=idx,
                    slug=slug,
                    url=url,
                    title=article["title"],
                    author=article.get("author") or "",
                    digest=article.get("digest") or "",
                    content=article["content"],
                    content_source_url=article.get("content_source_url") or "",
                    thumb_media_id=article.get("thumb_media_id") or "",
                    published_at=now,
                    audience=200 + secrets.randbelow(1800),
                )
                items.append({"idx": idx, "article_url": url})
            info.update(
                publish_status=publish.status,
                article_id=publish.article_id,
                article_detail={"count": len(items), "item": items},
            )
        publish.finished_at = now
        publish.save()
        delivery = _event_create(account, "PUBLISHJOBFINISH", {"PublishEventInfo": info})
        transaction.on_commit(lambda: _enqueue_delivery(delivery.pk))
    return publish


def publish_settle(*, account: Account, older_than: float = 3.0) -> None:
    """Finish publish jobs the background worker has not got to (no worker running)."""
    cutoff = account_now(account) - datetime.timedelta(seconds=older_than)
    stuck = Publish.objects.filter(
        account=account, status=Publish.Status.PUBLISHING, submitted_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in list(stuck):
        sandbox_publish_finish(publish_pk=pk)


def publish_get(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``freepublish/get``: the job's status, and the article URLs once published."""
    publish_settle(account=account)
    publish = Publish.objects.filter(
        account=account, publish_id=str(body.get("publish_id") or "")
    ).first()
    if publish is None:
        raise SandboxApiError(40007)
    answer: dict[str, Any] = {
        "publish_id": publish.publish_id,
        "publish_status": publish.status,
        "article_id": publish.article_id,
        "article_detail": {"count": 0, "item": []},
        "fail_idx": publish.fail_idx,
    }
    if publish.status == Publish.Status.SUCCESS:
        items = [{"idx": a.idx, "article_url": a.url} for a in publish.published.order_by("idx")]
        answer["article_detail"] = {"count": len(items), "item": items}
    return answer


def publish_batchget(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``freepublish/batchget``: published articles, newest first."""
    publish_settle(account=account)
    try:
        offset = int(body.get("offset", 0))
        count = int(body.get("count", 20))
    except (TypeError, ValueError) as exc:
        raise SandboxApiError(47001) from exc
    if offset < 0 or not 1 <= count <= 20:
        raise SandboxApiError(40035)
    no_content = bool(body.get("no_content"))
    published = Publish.objects.filter(account=account, status=Publish.Status.SUCCESS)
    items = []
    for publish in published.order_by("-finished_at", "-id")[offset : offset + count]:
        news = []
        for article in publish.published.order_by("idx"):
            if article.deleted_at is not None:
                continue
            entry = {
                "title": article.title,
                "author": article.author,
                "digest": article.digest,
                "content_source_url": article.content_source_url,
                "thumb_media_id": article.thumb_media_id,
                "url": article.url,
                "is_deleted": False,
            }
            if not no_content:
                entry["content"] = article.content
            news.append(entry)
        items.append(
            {
                "article_id": publish.article_id,
                "content": {"news_item": news},
                "update_time": int(publish.finished_at.timestamp()) if publish.finished_at else 0,
            }
        )
    return {"total_count": published.count(), "item_count": len(items), "item": items}


@transaction.atomic
def publish_delete(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``freepublish/delete``: take a published article offline. ``index`` 0 (or absent) deletes
    every article of the publish, N the N-th; the page then shows nothing and batchget leaves it
    out. Deleting is final: an unknown or already deleted article answers 40007."""
    article_id = str(body.get("article_id") or "")
    if not article_id:
        raise SandboxApiError(40035)
    try:
        index = int(body.get("index") or 0)
    except (TypeError, ValueError) as exc:
        raise SandboxApiError(47001) from exc
    publish = (
        Publish.objects.select_for_update()
        .filter(account=account, article_id=article_id, status=Publish.Status.SUCCESS)
        .first()
    )
    if publish is None:
        raise SandboxApiError(40007)
    live = publish.published.filter(deleted_at__isnull=True)
    if index:
        live = live.filter(idx=index)
    if not live.exists():
        raise SandboxApiError(40007)
    now = account_now(account)
    live.update(deleted_at=now)
    if not publish.published.filter(deleted_at__isnull=True).exists():
        publish.status = Publish.Status.DELETED
        publish.save(update_fields=["status"])
    return {"errcode": 0, "errmsg": "ok"}


# -- mass send --------------------------------------------------------------------------------


def _message_check(account: Account, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype == "text":
        content = part.get("content") if isinstance(part, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise SandboxApiError(44004)
        return msgtype, {"content": content}
    if msgtype in ("mpnews", "image"):
        media_id = part.get("media_id") if isinstance(part, dict) else None
        if msgtype == "mpnews":
            found = Draft.objects.filter(
                account=account, media_id=str(media_id), used_at__isnull=True
            ).exists()
        else:
            found = Media.objects.filter(
                account=account, media_id=str(media_id), kind=Media.Kind.IMAGE
            ).exists()
        if not media_id or not found:
            raise SandboxApiError(40007)
        return msgtype, {"media_id": media_id}
    raise SandboxApiError(40008)


@transaction.atomic
def mass_sendall(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/mass/sendall`` to all followers: one a day for a subscription account (four a
    month for a service account), and a clientmsgid is never sent twice within 24 hours."""
    account = Account.objects.select_for_update().get(pk=account.pk)  # one send at a time
    target = body.get("filter")
    if not isinstance(target, dict) or target.get("is_to_all") is not True:
        raise SandboxApiError(40035)  # the sandbox keeps no tags: only "to all followers"
    msgtype, part = _message_check(account, body)
    now = account_now(account)
    clientmsgid = body.get("clientmsgid")
    if clientmsgid in (None, ""):
        digest = json.dumps([target, msgtype, part], sort_keys=True, ensure_ascii=False)
        clientmsgid = hashlib.sha1(digest.encode()).hexdigest()  # noqa: S324 - an id, not a MAC
    clientmsgid = str(clientmsgid)
    if len(clientmsgid.encode()) > rules.CLIENTMSGID_MAX_BYTES:
        raise SandboxApiError(45067)
    earlier = (
        MassMessage.objects.filter(
            account=account,
            kind=MassMessage.Kind.SENDALL,
            clientmsgid=clientmsgid,
            sent_at__gt=now - datetime.timedelta(seconds=rules.CLIENTMSGID_MEMORY),
        )
        .order_by("-sent_at")
        .first()
    )
    if earlier is not None:
        if (now - earlier.sent_at).total_seconds() < rules.CLIENTMSGID_RETRY_TOO_FAST:
            raise SandboxApiError(45066)
        raise SandboxApiError(45065, msg_id=earlier.msg_id)
    sends = MassMessage.objects.filter(account=account, kind=MassMessage.Kind.SENDALL)
    today = beijing_date(now)
    if account.account_type == Account.Type.SUBSCRIPTION:
        if sends.filter(day=today).count() >= rules.MASS_SENDS_PER_DAY_SUBSCRIPTION:
            raise SandboxApiError(45028)
    elif (
        sends.filter(day__year=today.year, day__month=today.month).count()
        >= rules.MASS_SENDS_PER_MONTH_SERVICE
    ):
        raise SandboxApiError(45028)
    message = MassMessage.objects.create(
        account=account,
        kind=MassMessage.Kind.SENDALL,
        msg_id=_number(10),
        msg_data_id=_number(10) if msgtype == "mpnews" else None,
        msgtype=msgtype,
        payload=part,
        clientmsgid=clientmsgid,
        recipients=Follower.objects.filter(account=account, subscribed=True).count(),
        sent_at=now,
        day=today,
    )
    if msgtype == "mpnews":
        Draft.objects.filter(account=account, media_id=part["media_id"]).update(used_at=now)
    answer = {"errcode": 0, "errmsg": "send job submission success", "msg_id": message.msg_id}
    if message.msg_data_id:
        answer["msg_data_id"] = message.msg_data_id
    event = {
        "MsgID": message.msg_id,
        "Status": "send success",
        "TotalCount": message.recipients,
        "FilterCount": message.recipients,
        "SentCount": message.recipients,
        "ErrorCount": 0,
    }
    delivery = _event_create(account, "MASSSENDJOBFINISH", event)
    transaction.on_commit(lambda: _enqueue_delivery(delivery.pk))
    return answer


@transaction.atomic
def mass_preview(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/mass/preview`` to one follower; does not use the mass-send quota."""
    openid = str(body.get("touser") or "")
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    if not follower.subscribed:
        raise SandboxApiError(43004)
    msgtype, part = _message_check(account, body)
    now = account_now(account)
    message = MassMessage.objects.create(
        account=account,
        kind=MassMessage.Kind.PREVIEW,
        msg_id=_number(10),
        msgtype=msgtype,
        payload=part,
        touser=openid,
        recipients=1,
        sent_at=now,
        day=beijing_date(now),
    )
    return {"errcode": 0, "errmsg": "preview success", "msg_id": message.msg_id}


def mass_get(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    try:
        msg_id = int(body.get("msg_id"))
    except (TypeError, ValueError) as exc:
        raise SandboxApiError(47001) from exc
    message = MassMessage.objects.filter(
        account=account, kind=MassMessage.Kind.SENDALL, msg_id=msg_id
    ).first()
    if message is None:
        raise SandboxApiError(40035)
    return {"msg_id": message.msg_id, "msg_status": "SEND_SUCCESS"}


# -- customer service -------------------------------------------------------------------------


@transaction.atomic
def custom_send(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``message/custom/send``: only within 48 hours after the user's last message, at most
    5 messages in that window (and 3 within a minute of following)."""
    openid = str(body.get("touser") or "")
    follower = Follower.objects.select_for_update().filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype == "text":
        if not isinstance(part, dict) or not str(part.get("content") or "").strip():
            raise SandboxApiError(44004)
    elif msgtype in ("image", "voice", "video", "mpnews"):
        if not isinstance(part, dict) or not part.get("media_id"):
            raise SandboxApiError(40007)
    elif msgtype in ("news", "mpnewsarticle", "link", "miniprogrampage", "msgmenu"):
        if not isinstance(part, dict):
            raise SandboxApiError(47001)
    else:
        raise SandboxApiError(40008)
    now = account_now(account)
    if not follower.subscribed:
        raise SandboxApiError(45015)
    windows = []
    if follower.last_message_at and now - follower.last_message_at <= datetime.timedelta(
        seconds=rules.CS_WINDOW
    ):
        windows.append((follower.last_message_at, rules.CS_MESSAGES_PER_WINDOW))
    if now - follower.subscribed_at <= datetime.timedelta(minutes=1):
        windows.append((follower.subscribed_at, 3))
    if not windows:
        raise SandboxApiError(45015)
    sent = CustomMessage.objects.filter(follower=follower)
    if all(sent.filter(sent_at__gte=start).count() >= limit for start, limit in windows):
        raise SandboxApiError(45047)
    CustomMessage.objects.create(
        account=account, follower=follower, msgtype=msgtype, payload=part, sent_at=now
    )
    return {"errcode": 0, "errmsg": "ok"}


# -- menu, users, statistics ------------------------------------------------------------------


def _menu_check(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= rules.MENU_BUTTONS:
        raise SandboxApiError(40016)
    for button in buttons:
        if not isinstance(button, dict):
            raise SandboxApiError(47001)
        name = str(button.get("name") or "")
        if not name or len(name.encode()) > rules.MENU_NAME_BYTES:
            raise SandboxApiError(40018)
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > rules.MENU_SUB_BUTTONS:
                raise SandboxApiError(40023)
            for sub in subs:
                if not isinstance(sub, dict):
                    raise SandboxApiError(47001)
                sub_name = str(sub.get("name") or "")
                if not sub_name or len(sub_name.encode()) > rules.MENU_SUB_NAME_BYTES:
                    raise SandboxApiError(40025)
                _button_action_check(sub, sub_level=True)
        else:
            _button_action_check(button, sub_level=False)


def _button_action_check(button: dict[str, Any], *, sub_level: bool) -> None:
    kind = button.get("type")
    if kind not in rules.MENU_TYPES:
        raise SandboxApiError(40024 if sub_level else 40017)
    if kind == "view":
        url = str(button.get("url") or "")
        if not url or len(url.encode()) > rules.MENU_URL_BYTES:
            raise SandboxApiError(40027 if sub_level else 40020)
    elif kind not in ("media_id", "article_id", "article_view_limited", "miniprogram"):
        key = str(button.get("key") or "")
        if not key or len(key.encode()) > rules.MENU_KEY_BYTES:
            raise SandboxApiError(40026 if sub_level else 40019)


@transaction.atomic
def menu_create(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``menu/create``: up to 3 buttons of up to 5 sub-buttons, names and keys within limits."""
    _menu_check(body.get("button"))
    Menu.objects.update_or_create(
        account=account,
        defaults={
            "menuid": _number(9),
            "button": body["button"],
            "updated_at": account_now(account),
        },
    )
    return {"errcode": 0, "errmsg": "ok"}


def menu_get(*, account: Account) -> dict[str, Any]:
    menu = Menu.objects.filter(account=account).first()
    if menu is None:
        raise SandboxApiError(46003)
    return {"menu": {"button": menu.button, "menuid": menu.menuid}}


def user_info(*, account: Account, openid: str, lang: str) -> dict[str, Any]:
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is None:
        raise SandboxApiError(40003)
    if not follower.subscribed:
        return {"subscribe": 0, "openid": openid}
    return {
        "subscribe": 1,
        "openid": openid,
        "language": lang or follower.language,
        "subscribe_time": int(follower.subscribed_at.timestamp()),
        "remark": "",
        "groupid": 0,
        "tagid_list": [],
        "subscribe_scene": "ADD_SCENE_SEARCH",
        "qr_scene": 0,
        "qr_scene_str": "",
    }


def datacube(*, account: Account, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``datacube/getarticlesummary`` and ``getusersummary``: data up to yesterday only."""
    try:
        begin = datetime.date.fromisoformat(str(body.get("begin_date")))
        end = datetime.date.fromisoformat(str(body.get("end_date")))
    except ValueError as exc:
        raise SandboxApiError(61500) from exc
    today = beijing_date(account_now(account))
    span = (end - begin).days + 1
    if span < 1 or end >= today or span > rules.DATACUBE_MAX_DAYS[name]:
        raise SandboxApiError(61501)
    days = [begin + datetime.timedelta(days=n) for n in range(span)]
    rows: list[dict[str, Any]] = []
    if name == "getarticlesummary":
        articles = Article.objects.filter(
            publish__account=account, publish__status=Publish.Status.SUCCESS
        ).select_related("publish")
        for day in days:
            start = beijing_midnight(day)
            stop = start + datetime.timedelta(days=1)
            for article in articles:
                reads = article_reads_at(article, stop) - article_reads_at(article, start)
                if reads <= 0:
                    continue
                rows.append(
                    {
                        "ref_date": day.isoformat(),
                        "msgid": f"{article.publish.publish_id}_{article.idx}",
                        "title": article.title,
                        "int_page_read_user": max(1, reads * 4 // 5),
                        "int_page_read_count": reads,
                        "ori_page_read_user": 0,
                        "ori_page_read_count": 0,
                        "share_user": reads // 50,
                        "share_count": reads // 40,
                        "add_to_fav_user": reads // 60,
                        "add_to_fav_count": reads // 60,
                    }
                )
    else:
        followers = Follower.objects.filter(account=account)
        for day in days:
            start = beijing_midnight(day)
            stop = start + datetime.timedelta(days=1)
            rows.append(
                {
                    "ref_date": day.isoformat(),
                    "user_source": 0,
                    "new_user": followers.filter(
                        subscribed_at__gte=start, subscribed_at__lt=stop
                    ).count(),
                    "cancel_user": followers.filter(
                        unsubscribed_at__gte=start, unsubscribed_at__lt=stop
                    ).count(),
                }
            )
    return {"list": rows}


@transaction.atomic
def article_view(*, article: Article) -> dict[str, int]:
    """Someone opened the article's page: one more read."""
    Article.objects.filter(pk=article.pk).update(page_views=F("page_views") + 1)
    article.refresh_from_db(fields=["page_views"])
    from archivox.sandbox.wechat.selectors import article_stats

    return article_stats(article)


# -- events pushed to the account's server ----------------------------------------------------


def _operator_openid(account: Account) -> str:
    """The openid events about the account's own jobs come from (the operator's)."""
    digest = hashlib.sha256(f"operator:{account.appid}".encode()).hexdigest()
    return "o" + digest[:27]


def _event_create(account: Account, event: str, fields: dict[str, Any]) -> EventDelivery:
    message = {
        "ToUserName": account.original_id,
        "FromUserName": _operator_openid(account),
        "CreateTime": int(time.time()),  # real time: the receiver checks it against its clock
        "MsgType": "event",
        "Event": event,
        **fields,
    }
    return EventDelivery.objects.create(
        account=account, event=event, plaintext=build_xml(message), url=account.callback_url
    )


def event_request(account: Account, plaintext: str) -> tuple[dict[str, str], str]:
    """The query and body the platform POSTs for ``plaintext`` in the account's message mode."""
    timestamp = str(int(time.time()))
    event_nonce = nonce()
    params = {
        "signature": signature(account.token, timestamp, event_nonce),
        "timestamp": timestamp,
        "nonce": event_nonce,
        "openid": str(parse_xml(plaintext).get("FromUserName", "")),
    }
    if account.message_mode == Account.MessageMode.PLAINTEXT:
        return params, plaintext
    crypto = MessageCrypto(
        token=account.token, encoding_aes_key=account.encoding_aes_key, appid=account.appid
    )
    encrypted = crypto.encrypt(plaintext)
    params["encrypt_type"] = "aes"
    params["msg_signature"] = signature(account.token, timestamp, event_nonce, encrypted)
    if account.message_mode == Account.MessageMode.COMPATIBLE:
        return params, build_xml({**parse_xml(plaintext), "Encrypt": encrypted})
    return params, build_xml({"ToUserName": account.original_id, "Encrypt": encrypted})


def sandbox_event_deliver(
    *, delivery_pk: int, tries: int = 3, timeout: float = 5.0
) -> EventDelivery:
    """POST the event to the callback URL like the platform: signed (and encrypted in safe or
    compatible mode), 5 seconds to answer, 3 tries in all; any HTTP 200 counts as received."""
    delivery = EventDelivery.objects.select_related("account").get(pk=delivery_pk)
    if delivery.delivered_at is not None:
        return delivery
    account = delivery.account
    url = account.callback_url or delivery.url
    if not url:
        EventDelivery.objects.filter(pk=delivery.pk).update(error="the account has no callback URL")
        delivery.refresh_from_db()
        return delivery
    status_code = None
    answer = error = ""
    attempts = 0
    with httpx.Client(timeout=timeout, follow_redirects=False) as http:
        for _ in range(tries):
            attempts += 1
            params, body = event_request(account, delivery.plaintext)
            try:
                response = http.post(
                    url,
                    params=params,
                    content=body.encode(),
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            status_code, answer = response.status_code, response.text[:2000]
            if status_code == 200:
                error = ""
                break
            error = f"HTTP {status_code}"
    EventDelivery.objects.filter(pk=delivery.pk).update(
        url=url,
        attempts=F("attempts") + attempts,
        status_code=status_code,
        response=answer,
        error=error,
        delivered_at=timezone.now() if status_code == 200 else None,
    )
    delivery.refresh_from_db()
    if error:
        logger.warning(
            "sandbox event not delivered",
            extra={"appid": account.appid, "event": delivery.event, "error": error},
        )
    return delivery
