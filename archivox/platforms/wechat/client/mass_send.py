"""Mass send: to all followers (``sendall``, deduplicated by ``clientmsgid``), a preview to one,
and a send's state."""

from __future__ import annotations

from typing import Any

from archivox.platforms.wechat.client.transport import WeChatTransport


class MassSendCalls(WeChatTransport):
    """``message/mass``."""

    def mass_send_all(
        self,
        *,
        msgtype: str,
        media_id: str = "",
        content: str = "",
        clientmsgid: str = "",
        send_ignore_reprint: int = 0,
    ) -> dict[str, Any]:
        """``message/mass/sendall`` to all followers: ``msgtype`` "mpnews" (a draft's media_id),
        "text" (content) or "image" (media_id) → ``{"msg_id", "msg_data_id"}``.

        Pass ``clientmsgid`` (≤ 64 bytes, e.g. the delivery's idempotency key): the platform
        refuses a second send with the same one (``WeChatDuplicateMassSendError``)."""
        payload: dict[str, Any] = {
            "filter": {"is_to_all": True},
            "msgtype": msgtype,
            msgtype: _message_body(msgtype, media_id=media_id, content=content),
            "send_ignore_reprint": send_ignore_reprint,
        }
        if clientmsgid:
            payload["clientmsgid"] = clientmsgid
        result = self._call(
            "POST",
            "/cgi-bin/message/mass/sendall",
            api="message/mass/sendall",
            idempotent=False,
            json=payload,
        )
        return {"msg_id": result.get("msg_id"), "msg_data_id": result.get("msg_data_id")}

    def mass_preview(
        self, *, touser: str, msgtype: str, media_id: str = "", content: str = ""
    ) -> dict[str, Any]:
        """``message/mass/preview``: send a mass message to one follower to check it."""
        result = self._call(
            "POST",
            "/cgi-bin/message/mass/preview",
            api="message/mass/preview",
            idempotent=False,
            json={
                "touser": touser,
                "msgtype": msgtype,
                msgtype: _message_body(msgtype, media_id=media_id, content=content),
            },
        )
        return {"msg_id": result.get("msg_id")}

    def mass_get(self, msg_id: int | str) -> dict[str, Any]:
        """``message/mass/get``: the state of a mass send (``msg_status``)."""
        return self._call(
            "POST",
            "/cgi-bin/message/mass/get",
            api="message/mass/get",
            idempotent=True,
            json={"msg_id": str(msg_id)},
        )


def _message_body(msgtype: str, *, media_id: str, content: str) -> dict[str, str]:
    if msgtype == "text":
        return {"content": content}
    return {"media_id": media_id}
