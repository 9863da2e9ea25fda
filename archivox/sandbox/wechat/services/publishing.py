"""Drafts and publishing: ``draft/add`` and ``draft/get``, ``freepublish/submit`` and the publish
job that finishes in the background, ``freepublish/get``, ``batchget`` and ``delete``."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.urls import reverse

from archivox.core.queries import found
from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Article, Draft, Fault, Media, Publish
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, _media_id, _number
from archivox.sandbox.wechat.services.events import _enqueue_delivery, _event_create
from archivox.sandbox.wechat.services.faults import sandbox_fault_take

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
    "pic_crop_235_1",
    "pic_crop_1_1",
)


def _crop_clean(value: Any) -> str:
    """A cover crop as WeChat takes it: "x1_y1_x2_y2", fractions of the thumb (47001 else)."""
    if value in (None, ""):
        return ""
    try:
        x1, y1, x2, y2 = (float(part) for part in str(value).split("_"))
    except ValueError as exc:
        raise SandboxApiError(47001) from exc
    if not (0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1):
        raise SandboxApiError(47001)
    return str(value)


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
        pic_crop_235_1=_crop_clean(article.get("pic_crop_235_1")),
        pic_crop_1_1=_crop_clean(article.get("pic_crop_1_1")),
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
    publish = found(
        Publish.objects.filter(account=account, publish_id=str(body.get("publish_id") or ""))
    )
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
