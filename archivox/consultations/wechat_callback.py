"""The WeChat server callback's protocol: check the query, verify, decrypt, parse and validate a
delivery into a ``WeChatMessage``, and seal a passive reply. No database, no Django models.

Everything here treats its input as hostile (DESIGN.md): query values are checked for shape, the
body is size-limited and parsed with defusedxml (``platforms.wechat.xml``), signatures are
compared in constant time, and every refusal is a ``CallbackRefused`` carrying the HTTP status
and a reason fit for a log line. Crypto and XML are ``platforms.wechat``'s; nothing is rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from archivox.platforms.wechat.crypto import (
    CryptoError,
    MessageCrypto,
    signature,
    signature_matches,
)
from archivox.platforms.wechat.xml import MAX_BODY_BYTES, XmlError, build_xml, parse_xml

# WeChat signs the timestamp; a delivery more than this far from our clock is a replay or a
# forgery (WeChat itself retries within 15 seconds).
MAX_CLOCK_SKEW_SECONDS = 300

MESSAGE_TYPES = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link", "event"}
)
EVENTS = frozenset(
    {"subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "LOCATION", "PUBLISHJOBFINISH"}
)

# The one account message mode (``PlatformAccount.MessageMode``, as in WeChat's console) that
# takes plaintext. In safe and compatible mode WeChat encrypts every message and signs the
# ciphertext with msg_signature; the query's own signature covers only token, timestamp and
# nonce, so a plaintext body beside it is anyone's who has seen one callback URL (issue 17).
PLAINTEXT_MODE = "plaintext"

_SIGNATURE = re.compile(r"[0-9a-f]{40}")
_TIMESTAMP = re.compile(r"\d{1,12}")
_NONCE = re.compile(r"[0-9A-Za-z_-]{1,64}")
_CREATE_TIME = re.compile(r"\d{1,12}")
MAX_ECHOSTR = 256


class CallbackRefused(Exception):
    """A delivery we refuse without storing anything; ``status`` is the HTTP answer."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadRequest(CallbackRefused):
    status = 400


class Forbidden(CallbackRefused):
    status = 403


class TooLarge(CallbackRefused):
    status = 413


class Misconfigured(CallbackRefused):
    """Our side cannot handle a genuine delivery (e.g. no usable EncodingAESKey): WeChat retries."""

    status = 503


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat signs a callback with."""

    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""
    openid: str = ""
    echostr: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> CallbackQuery:
        def value(name: str) -> str:
            raw = query.get(name, "")
            return raw if isinstance(raw, str) else ""

        parsed = cls(
            signature=value("signature").lower(),
            timestamp=value("timestamp"),
            nonce=value("nonce"),
            encrypt_type=value("encrypt_type"),
            msg_signature=value("msg_signature").lower(),
            openid=value("openid")[:128],
            echostr=value("echostr"),
        )
        if not _SIGNATURE.fullmatch(parsed.signature):
            raise BadRequest("signature is missing or not 40 hex digits")
        if not _TIMESTAMP.fullmatch(parsed.timestamp):
            raise BadRequest("timestamp is missing or not a number")
        if not _NONCE.fullmatch(parsed.nonce):
            raise BadRequest("nonce is missing or malformed")
        if parsed.encrypt_type not in {"", "raw", "aes"}:
            raise BadRequest(f"unknown encrypt_type {parsed.encrypt_type[:20]!r}")
        if parsed.encrypted and not _SIGNATURE.fullmatch(parsed.msg_signature):
            raise BadRequest("msg_signature is missing or not 40 hex digits")
        return parsed

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type == "aes"

    def check_fresh(self, now: float) -> None:
        skew = int(now) - int(self.timestamp)
        if skew > MAX_CLOCK_SKEW_SECONDS:
            raise Forbidden(f"timestamp is {skew} s old (stale or replayed)")
        if skew < -MAX_CLOCK_SKEW_SECONDS:
            raise Forbidden(f"timestamp is {-skew} s in the future")

    def check_signature(self, token: str) -> None:
        if not signature_matches(signature(token, self.timestamp, self.nonce), self.signature):
            raise Forbidden("signature does not match the account's token")


def verify_url(query: Mapping[str, str], *, token: str, now: float) -> str:
    """GET: WeChat checks the server address; answer ``echostr`` when the signature is ours."""
    parsed = CallbackQuery.parse(query)
    parsed.check_fresh(now)
    parsed.check_signature(token)
    if not parsed.echostr or len(parsed.echostr) > MAX_ECHOSTR:
        raise BadRequest("echostr is missing or too long")
    return parsed.echostr


@dataclass(frozen=True)
class WeChatMessage:
    """A verified, decrypted and validated delivery."""

    fields: dict[str, object]
    raw: str
    transport: str  # plain | compat | safe
    sender: str
    recipient: str
    msg_type: str
    create_time: int
    event: str = ""
    msg_id: str = ""
    content: str = ""
    extra_key: str = field(default="", repr=False)

    @property
    def is_known(self) -> bool:
        if self.msg_type == "event":
            return self.event in EVENTS
        return self.msg_type in MESSAGE_TYPES

    @property
    def dedupe_key(self) -> str:
        """What a platform retry repeats: the MsgId, else sender + CreateTime (+ Event).

        The event key is keyed (``person_digest``, HMAC from ARCHIVOX_FIELD_KEY) like every
        other trace of an openid at rest: a plain hash of the sender would let anyone holding
        the database and a guessed openid confirm that follower's events. (An event retried
        across the upgrade that introduced this gets a second key: once, within seconds.)"""
        from archivox.core.fields import person_digest

        if self.msg_id:
            return f"msg:{self.msg_id}"
        parts = [self.sender, self.create_time, self.msg_type, self.event, self.extra_key]
        digest = person_digest("wechat-event:" + json.dumps(parts, ensure_ascii=False))
        return f"evt:{digest}"  # unambiguous whatever the parts contain, and bounded


def _text(fields: Mapping[str, object], name: str, max_length: int, *, required: bool) -> str:
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise BadRequest(f"<{name}> must be text")
    if required and not value:
        raise BadRequest(f"<{name}> is missing")
    if len(value) > max_length:
        raise BadRequest(f"<{name}> is longer than {max_length} characters")
    return value


def message_from_xml(plaintext: str, *, transport: str) -> WeChatMessage:
    """Plaintext message XML → ``WeChatMessage``; refuses what WeChat would never send."""
    try:
        fields = parse_xml(plaintext)
    except XmlError as exc:
        raise BadRequest(f"message XML refused: {exc}") from exc
    if not isinstance(fields, dict):
        raise BadRequest("the message has no fields")
    create_time = _text(fields, "CreateTime", 12, required=True)
    if not _CREATE_TIME.fullmatch(create_time):
        raise BadRequest("<CreateTime> is not a number")
    msg_type = _text(fields, "MsgType", 32, required=True)
    event = _text(fields, "Event", 64, required=msg_type == "event")
    msg_id = _text(fields, "MsgId", 64, required=False) or _text(
        fields, "MsgID", 64, required=False
    )
    extra_key = ""
    info = fields.get("PublishEventInfo")
    if event == "PUBLISHJOBFINISH" and isinstance(info, dict):
        # Two publish jobs may finish within the same second; the publish_id tells them apart.
        extra_key = _text(info, "publish_id", 40, required=False)
    return WeChatMessage(
        fields=fields,
        raw=plaintext,
        transport=transport,
        sender=_text(fields, "FromUserName", 128, required=True),
        recipient=_text(fields, "ToUserName", 128, required=False),
        msg_type=msg_type,
        create_time=int(create_time),
        event=event,
        msg_id=msg_id,
        content=_text(fields, "Content", 20_000, required=False) if msg_type == "text" else "",
        extra_key=extra_key,
    )


def open_message(
    query: Mapping[str, str],
    body: bytes,
    *,
    token: str,
    encoding_aes_key: str,
    appid: str,
    message_mode: str,
    now: float,
) -> WeChatMessage:
    """POST: check freshness and signatures, decrypt when encrypted, parse and validate.

    Safe mode's body is only ``<Encrypt>`` (and ``<ToUserName>``); compatible mode's carries the
    plaintext fields too, which are ignored: only the signed ciphertext is trusted. An account
    in either mode takes nothing else; one in plaintext mode takes plaintext, and encrypted
    messages too (they are verified more strictly, and WeChat may switch first)."""
    parsed = CallbackQuery.parse(query)
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    parsed.check_fresh(now)
    parsed.check_signature(token)
    if not parsed.encrypted:
        if message_mode != PLAINTEXT_MODE:
            raise BadRequest(
                f"the account is set to {message_mode} mode: a plaintext delivery (no "
                "encrypt_type=aes and msg_signature) is refused"
            )
        return message_from_xml(_decode(body), transport="plain")
    try:
        envelope = parse_xml(body)
    except XmlError as exc:
        raise BadRequest(f"envelope refused: {exc}") from exc
    if not isinstance(envelope, dict) or not envelope.get("Encrypt"):
        raise BadRequest("encrypt_type=aes but the body has no <Encrypt>")
    encrypted = envelope["Encrypt"]
    if not isinstance(encrypted, str):
        raise BadRequest("<Encrypt> must be text")
    expected = signature(token, parsed.timestamp, parsed.nonce, encrypted)
    if not signature_matches(expected, parsed.msg_signature):
        raise Forbidden("msg_signature does not match the account's token")
    transport = "compat" if "MsgType" in envelope else "safe"
    try:
        crypto = MessageCrypto(token=token, encoding_aes_key=encoding_aes_key, appid=appid)
    except CryptoError as exc:
        raise Misconfigured(f"the account's EncodingAESKey is unusable: {exc}") from exc
    try:
        plaintext = crypto.decrypt(encrypted)
    except CryptoError as exc:
        raise BadRequest(f"ciphertext refused: {exc}") from exc
    return message_from_xml(plaintext, transport=transport)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not UTF-8") from exc


def passive_text_reply(message: WeChatMessage, text: str, *, now: float) -> str:
    """The XML of a passive text reply to ``message``."""
    return build_xml(
        {
            "ToUserName": message.sender,
            "FromUserName": message.recipient,
            "CreateTime": str(int(now)),
            "MsgType": "text",
            "Content": text,
        }
    )


def seal_reply(
    xml: str,
    *,
    message: WeChatMessage,
    token: str,
    encoding_aes_key: str,
    appid: str,
    now: float,
) -> str:
    """Encrypt a passive reply when the delivery was encrypted (safe and compatible mode)."""
    if message.transport == "plain":
        return xml
    crypto = MessageCrypto(token=token, encoding_aes_key=encoding_aes_key, appid=appid)
    return crypto.encrypt_message(xml, timestamp=str(int(now)))


def passive_news_reply(
    message: WeChatMessage, articles: list[dict[str, str]], *, now: float
) -> str:
    """The XML of a passive news reply (cards of title, description, picture and link)."""
    return build_xml(
        {
            "ToUserName": message.sender,
            "FromUserName": message.recipient,
            "CreateTime": str(int(now)),
            "MsgType": "news",
            "ArticleCount": str(len(articles)),
            "Articles": {
                "item": [
                    {
                        "Title": article.get("title", ""),
                        "Description": article.get("description", ""),
                        "PicUrl": article.get("picurl", ""),
                        "Url": article.get("url", ""),
                    }
                    for article in articles
                ]
            },
        }
    )
