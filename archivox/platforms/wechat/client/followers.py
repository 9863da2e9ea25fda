"""What concerns the followers: customer-service messages (within the 48-hour window), the custom
menu, a user's information and the statistics."""

from __future__ import annotations

import datetime
from typing import Any

from archivox.platforms.wechat.client.transport import WeChatTransport


class FollowerCalls(WeChatTransport):
    """``message/custom/send``, ``menu``, ``user/info`` and ``datacube``."""

    def custom_send_text(self, openid: str, content: str) -> None:
        """``message/custom/send`` a text to one user; allowed within 48 hours of the user's last
        message, at most 5 times (``WeChatOutOfWindowError``/``WeChatReplyLimitError``)."""
        self._call(
            "POST",
            "/cgi-bin/message/custom/send",
            api="message/custom/send",
            idempotent=False,
            json={"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    def custom_send_news(self, openid: str, articles: list[dict[str, str]]) -> None:
        """``message/custom/send`` news cards (title, description, url, picurl) to one user;
        the same window and limits as ``custom_send_text``."""
        self._call(
            "POST",
            "/cgi-bin/message/custom/send",
            api="message/custom/send",
            idempotent=False,
            json={
                "touser": openid,
                "msgtype": "news",
                "news": {
                    "articles": [
                        {
                            "title": article.get("title", ""),
                            "description": article.get("description", ""),
                            "url": article.get("url", ""),
                            "picurl": article.get("picurl", ""),
                        }
                        for article in articles
                    ]
                },
            },
        )

    def template_send(
        self, openid: str, template_id: str, data: dict[str, str], *, url: str = ""
    ) -> int:
        """``message/template/send``: a template message (service accounts) to one follower;
        values within the template's field limits. The message's msgid."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        answer = self._call(
            "POST",
            "/cgi-bin/message/template/send",
            api="message/template/send",
            idempotent=False,
            json=body,
        )
        return int(answer.get("msgid") or 0)

    def subscribe_send(
        self,
        openid: str,
        template_id: str,
        *,
        scene: int,
        title: str,
        content: str,
        url: str = "",
    ) -> int:
        """``message/template/subscribe``: the one message a follower's consent allows
        (一次性订阅消息; title ≤ 15, content ≤ 200 characters). Without a consent left the
        platform refuses with 43101. The message's msgid."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "scene": str(scene),
            "title": title,
            "data": {"content": {"value": content}},
        }
        if url:
            body["url"] = url
        answer = self._call(
            "POST",
            "/cgi-bin/message/template/subscribe",
            api="message/template/subscribe",
            idempotent=False,
            json=body,
        )
        return int(answer.get("msgid") or 0)

    def menu_create(self, menu: dict[str, Any]) -> None:
        """``menu/create``: replace the custom menu (``{"button": [...]}``); safe to repeat."""
        self._call("POST", "/cgi-bin/menu/create", api="menu/create", idempotent=True, json=menu)

    def menu_get(self) -> dict[str, Any]:
        """``menu/get``: the menu as created (``{"menu": {"button": [...]}}``)."""
        return self._call("GET", "/cgi-bin/menu/get", api="menu/get", idempotent=True)

    def user_info(self, openid: str, *, lang: str = "zh_CN") -> dict[str, Any]:
        """``user/info``: whether the user follows (``subscribe``), since when, language …"""
        return self._call(
            "GET",
            "/cgi-bin/user/info",
            api="user/info",
            idempotent=True,
            params={"openid": openid, "lang": lang},
        )

    def datacube_article_summary(
        self, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        """``datacube/getarticlesummary``: reads and shares per article per day (one day)."""
        return self._datacube("getarticlesummary", begin_date, end_date)

    def datacube_user_summary(
        self, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        """``datacube/getusersummary``: new and lost followers per day (up to 7 days)."""
        return self._datacube("getusersummary", begin_date, end_date)

    def _datacube(
        self, name: str, begin_date: datetime.date | str, end_date: datetime.date | str
    ) -> list[dict[str, Any]]:
        result = self._call(
            "POST",
            f"/datacube/{name}",
            api=f"datacube/{name}",
            idempotent=True,
            json={"begin_date": str(begin_date), "end_date": str(end_date)},
        )
        return list(result.get("list", []))
