"""Drafts and publishing: ``draft/add`` and ``draft/get``, ``freepublish`` submit, get, batchget
and delete."""

from __future__ import annotations

from typing import Any

from archivox.platforms.wechat.client.transport import WeChatTransport


class PublishingCalls(WeChatTransport):
    """``draft`` and ``freepublish``."""

    def draft_add(self, articles: list[dict[str, Any]]) -> str:
        """``draft/add``: a draft of one or more articles → its media_id."""
        result = self._call(
            "POST",
            "/cgi-bin/draft/add",
            api="draft/add",
            idempotent=False,
            json={"articles": articles},
        )
        return str(result["media_id"])

    def draft_get(self, media_id: str) -> dict[str, Any]:
        """``draft/get``: the draft's articles (``news_item``). A published or mass-sent draft
        leaves the draft box, so 40007 here also tells a reconciler the draft was used."""
        return self._call(
            "POST",
            "/cgi-bin/draft/get",
            api="draft/get",
            idempotent=True,
            json={"media_id": media_id},
        )

    def freepublish_submit(self, media_id: str) -> str:
        """``freepublish/submit``: publish a draft → the publish_id of the (asynchronous) job.

        Never retried once sent; the outcome arrives as the PUBLISHJOBFINISH event or through
        ``freepublish_get``."""
        result = self._call(
            "POST",
            "/cgi-bin/freepublish/submit",
            api="freepublish/submit",
            idempotent=False,
            json={"media_id": media_id},
        )
        return str(result["publish_id"])

    def freepublish_get(self, publish_id: str) -> dict[str, Any]:
        """``freepublish/get``: status of a publish job (0 success, 1 publishing, 2–6 failed or
        removed), ``article_id`` and ``article_detail.item[].article_url`` when published."""
        return self._call(
            "POST",
            "/cgi-bin/freepublish/get",
            api="freepublish/get",
            idempotent=True,
            json={"publish_id": str(publish_id)},
        )

    def freepublish_batchget(self, *, offset: int = 0, count: int = 20) -> dict[str, Any]:
        """``freepublish/batchget``: the account's published articles, newest first (to
        reconcile a publish whose answer was lost)."""
        return self._call(
            "POST",
            "/cgi-bin/freepublish/batchget",
            api="freepublish/batchget",
            idempotent=True,
            json={"offset": offset, "count": count, "no_content": 1},
        )

    def freepublish_delete(self, article_id: str, index: int = 0) -> None:
        """``freepublish/delete``: take a published article offline (``index`` 0: every article
        of that publish, N: the N-th). Final; an unknown or already deleted article is refused
        (40007). Idempotent in effect, but not retried: a lost answer raises
        ``WeChatUncertainError`` and the caller looks with ``freepublish_batchget``."""
        self._call(
            "POST",
            "/cgi-bin/freepublish/delete",
            api="freepublish/delete",
            idempotent=False,
            json={"article_id": str(article_id), "index": int(index)},
        )
