"""A simulated WeChat user: sends messages to an archive's server callback the way WeChat does.

Each message is signed (``signature``; ``msg_signature`` over the ciphertext in safe and
compatible mode), encrypted with the account's EncodingAESKey when the mode asks for it, and
POSTed to ``/wechat/<slug>/callback`` with WeChat's query string. WeChat's retry rule is
followed: a try that gets no answer within 5 seconds (or a 5xx) is repeated, 3 tries in all, with
the same MsgId and CreateTime. The answer is checked like WeChat checks it (the reply's
MsgSignature, its AppID, who it is addressed to), decrypted and parsed.

Used by ``manage.py wechat_user``, by tests and by the benchmark; the protocol pieces are
``platforms.wechat``'s (``crypto``, ``xml``), so both sides share one implementation of the
rules, which the platform's published sample vector checks (tests/platforms).
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field

import httpx

from archivox.platforms.wechat.crypto import MessageCrypto, nonce, signature, signature_matches
from archivox.platforms.wechat.xml import XmlError, build_xml, parse_xml

MODES = ("safe", "compat", "plain")
TRY_TIMEOUT_SECONDS = 5.0
TRIES = 3


class WeChatReplyError(Exception):
    """The callback answered something WeChat would not accept (bad signature, wrong AppID,
    plaintext where ciphertext was due, not XML…)."""


def new_openid() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "o" + "".join(secrets.choice(alphabet) for _ in range(27))


def new_msg_id() -> str:
    """A 64-bit message id like WeChat's (time-ordered, random low bits)."""
    return str((int(time.time() * 1000) << 20) | secrets.randbits(20))


@dataclass(frozen=True)
class PreparedCallback:
    """One signed try: the query string and the body."""

    params: dict[str, str]
    body: bytes


@dataclass
class WeChatReply:
    """What the callback answered to one message (after WeChat's retries)."""

    status: int | None  # None: no answer to any try
    body: str
    fields: dict[str, object] = field(default_factory=dict)
    tries: int = 1
    latency: float = 0.0  # seconds from the first try to the final answer
    latencies: list[float] = field(default_factory=list)
    encrypted: bool = False
    msg_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def is_success(self) -> bool:
        """WeChat's "no reply": an empty body or ``success``."""
        return self.ok and self.body.strip() in {"", "success"}

    @property
    def msg_type(self) -> str:
        return str(self.fields.get("MsgType", ""))

    @property
    def content(self) -> str:
        return str(self.fields.get("Content", ""))


class WeChatUser:
    """One follower of one official account, talking to the account's server callback."""

    def __init__(
        self,
        base_url: str,
        slug: str,
        token: str,
        encoding_aes_key: str,
        appid: str,
        openid: str | None = None,
        *,
        mode: str = "safe",
        to: str = "gh_archivox0001",
        timeout: float = TRY_TIMEOUT_SECONDS,
        tries: int = TRIES,
        client: httpx.Client | None = None,
        touch_sandbox: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.url = f"{base_url.rstrip('/')}/wechat/{slug}/callback"
        self.token = token
        self.encoding_aes_key = encoding_aes_key
        self.appid = appid
        self.openid = openid or new_openid()
        self.mode = mode
        self.to = to
        self.timeout = timeout
        self.tries = tries
        self.touch_sandbox = touch_sandbox
        self._client = client
        self._owns_client = False
        self._crypto: MessageCrypto | None = None

    # ── what a user does ──────────────────────────────────────────────────────────────────

    def send_text(self, content: str) -> WeChatReply:
        return self.send_message("text", {"Content": content})

    def send_image(
        self, pic_url: str = "http://mmbiz.qpic.cn/sandbox/image.jpg", media_id: str = ""
    ) -> WeChatReply:
        return self.send_message("image", {"PicUrl": pic_url, "MediaId": media_id or _media_id()})

    def send_voice(
        self, media_id: str = "", audio_format: str = "amr", recognition: str = ""
    ) -> WeChatReply:
        fields = {"MediaId": media_id or _media_id(), "Format": audio_format}
        if recognition:
            fields["Recognition"] = recognition
        return self.send_message("voice", fields)

    def send_video(self, media_id: str = "", thumb_media_id: str = "") -> WeChatReply:
        return self.send_message(
            "video",
            {"MediaId": media_id or _media_id(), "ThumbMediaId": thumb_media_id or _media_id()},
        )

    def send_location(
        self, latitude: float, longitude: float, scale: int = 15, label: str = ""
    ) -> WeChatReply:
        return self.send_message(
            "location",
            {
                "Location_X": f"{latitude:.6f}",
                "Location_Y": f"{longitude:.6f}",
                "Scale": str(scale),
                "Label": label,
            },
        )

    def send_link(self, title: str, description: str, url: str) -> WeChatReply:
        return self.send_message("link", {"Title": title, "Description": description, "Url": url})

    def send_event(self, event: str, key: str | None = None, **extra: object) -> WeChatReply:
        """subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION, PUBLISHJOBFINISH…"""
        fields: dict[str, object] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        fields.update(extra)
        return self.send_message("event", fields)

    def send_message(
        self, msg_type: str, fields: dict[str, object], *, msg_id: str | None = None
    ) -> WeChatReply:
        """Any message; events carry no MsgId (WeChat dedupes them by sender + CreateTime)."""
        return self.deliver(self.message_xml(msg_type, fields, msg_id=msg_id))

    # ── the protocol ──────────────────────────────────────────────────────────────────────

    def message_xml(
        self,
        msg_type: str,
        fields: dict[str, object],
        *,
        msg_id: str | None = None,
        create_time: int | None = None,
    ) -> str:
        """The plaintext XML WeChat would deliver for this message."""
        document: dict[str, object] = {
            "ToUserName": self.to,
            "FromUserName": self.openid,
            "CreateTime": str(create_time or int(time.time())),
            "MsgType": msg_type,
            **fields,
        }
        if msg_type != "event":
            document["MsgId"] = msg_id or new_msg_id()
        return build_xml(document)

    @property
    def crypto(self) -> MessageCrypto:
        if self._crypto is None:
            self._crypto = MessageCrypto(
                token=self.token, encoding_aes_key=self.encoding_aes_key, appid=self.appid
            )
        return self._crypto

    def prepare(
        self,
        plaintext: str,
        *,
        timestamp: str | None = None,
        nonce_value: str | None = None,
        encrypted: str | None = None,
    ) -> PreparedCallback:
        """Sign (and encrypt) one try of ``plaintext``. ``encrypted`` overrides the ciphertext
        (tests use it to send a foreign or garbled one, correctly signed)."""
        timestamp = timestamp or str(int(time.time()))
        nonce_value = nonce_value or nonce()
        params = {
            "signature": signature(self.token, timestamp, nonce_value),
            "timestamp": timestamp,
            "nonce": nonce_value,
            "openid": self.openid,
        }
        if self.mode == "plain":
            return PreparedCallback(params, plaintext.encode())
        ciphertext = encrypted if encrypted is not None else self.crypto.encrypt(plaintext)
        params["encrypt_type"] = "aes"
        params["msg_signature"] = signature(self.token, timestamp, nonce_value, ciphertext)
        envelope: dict[str, object] = {"ToUserName": self.to, "Encrypt": ciphertext}
        if self.mode == "compat":
            # Compatible mode carries the plaintext fields beside the ciphertext.
            # (A plaintext our parser refuses, as tests send on purpose, travels alone.)
            try:
                fields = parse_xml(plaintext)
            except XmlError:
                fields = None
            if isinstance(fields, dict):
                envelope = {**fields, "Encrypt": ciphertext}
        return PreparedCallback(params, build_xml(envelope).encode())

    def post(self, prepared: PreparedCallback, *, timeout: float | None = None) -> httpx.Response:
        """One try, no retry."""
        return self._http().post(
            self.url,
            params=prepared.params,
            content=prepared.body,
            headers={"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0 (WeChat sandbox)"},
            timeout=self.timeout if timeout is None else timeout,
        )

    def deliver(self, plaintext: str) -> WeChatReply:
        """Deliver ``plaintext`` following WeChat's retry rule; each try is signed afresh."""
        try:
            message = parse_xml(plaintext)
        except XmlError:  # tests deliver malformed XML on purpose
            message = {}
        message = message if isinstance(message, dict) else {}
        self._touch_sandbox(message)
        msg_id = str(message.get("MsgId", ""))
        first = time.monotonic()
        latencies: list[float] = []
        response: httpx.Response | None = None
        tries = 0
        while tries < self.tries:
            tries += 1
            prepared = self.prepare(plaintext)
            began = time.monotonic()
            try:
                response = self.post(prepared)
            except httpx.TransportError:  # timeout, refused, reset: WeChat tries again
                response = None
            latencies.append(time.monotonic() - began)
            if response is not None and response.status_code < 500:
                break
        total = time.monotonic() - first
        if response is None:
            return WeChatReply(None, "", tries=tries, latency=total, latencies=latencies)
        reply = self.read_reply(response)
        reply.tries, reply.latency, reply.latencies, reply.msg_id = tries, total, latencies, msg_id
        return reply

    def read_reply(self, response: httpx.Response) -> WeChatReply:
        """Check and open the callback's answer as WeChat would."""
        body = response.text
        reply = WeChatReply(response.status_code, body)
        if response.status_code != 200 or body.strip() in {"", "success"}:
            return reply
        try:
            document = parse_xml(response.content)
        except XmlError as exc:
            raise WeChatReplyError(f"the reply is not WeChat XML: {exc}") from exc
        if not isinstance(document, dict):
            raise WeChatReplyError("the reply has no fields")
        if "Encrypt" in document:
            if self.mode == "plain":
                raise WeChatReplyError("an encrypted reply to a plaintext message")
            document = self._open_envelope(document)
            reply.encrypted = True
        elif self.mode == "safe":
            raise WeChatReplyError("a plaintext reply to a safe-mode message")
        if document.get("ToUserName") != self.openid:
            raise WeChatReplyError("the reply is addressed to someone else")
        if document.get("FromUserName") != self.to:
            raise WeChatReplyError("the reply does not come from the account written to")
        if not document.get("MsgType"):
            raise WeChatReplyError("the reply has no MsgType")
        reply.fields = document
        return reply

    def verify_url(
        self, echostr: str | None = None, *, timestamp: str | None = None
    ) -> httpx.Response:
        """WeChat's GET check of the server address."""
        timestamp = timestamp or str(int(time.time()))
        nonce_value = nonce()
        params = {
            "signature": signature(self.token, timestamp, nonce_value),
            "timestamp": timestamp,
            "nonce": nonce_value,
            "echostr": echostr or secrets.token_hex(8),
        }
        return self._http().get(self.url, params=params, timeout=self.timeout)

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None

    # ── internals ─────────────────────────────────────────────────────────────────────────

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client()
            self._owns_client = True
        return self._client

    def _open_envelope(self, envelope: dict[str, object]) -> dict[str, object]:
        encrypted = str(envelope.get("Encrypt", ""))
        timestamp = str(envelope.get("TimeStamp", ""))
        reply_nonce = str(envelope.get("Nonce", ""))
        expected = signature(self.token, timestamp, reply_nonce, encrypted)
        if not signature_matches(expected, str(envelope.get("MsgSignature", ""))):
            raise WeChatReplyError("the reply's MsgSignature does not match")
        try:
            opened = parse_xml(self.crypto.decrypt(encrypted))
        except Exception as exc:  # CryptoError (foreign AppID, padding) or XmlError
            raise WeChatReplyError(f"the reply does not decrypt: {exc}") from exc
        if not isinstance(opened, dict):
            raise WeChatReplyError("the decrypted reply has no fields")
        return opened

    def _touch_sandbox(self, message: dict[str, object]) -> None:
        """Record on the WeChat sandbox what the platform records when a user writes: the
        message opens the 48-hour customer-service window; a subscription makes a follower.
        Skipped when the sandbox is not installed or does not host this AppID."""
        if not self.touch_sandbox:
            return
        try:
            from django.core.exceptions import ObjectDoesNotExist

            from archivox.sandbox.wechat.services import followers as sandbox
        except ImportError:
            return
        except Exception:  # Django not configured (a standalone script): nothing to record
            return
        event = message.get("Event") if message.get("MsgType") == "event" else None
        record = {
            "subscribe": getattr(sandbox, "sandbox_follower_subscribe", None),
            "unsubscribe": getattr(sandbox, "sandbox_follower_unsubscribe", None),
        }.get(str(event)) or getattr(sandbox, "sandbox_follower_touch", None)
        if record is None:
            return
        try:
            record(self.appid, self.openid)
        except ObjectDoesNotExist:  # an account the sandbox does not host (a real one)
            return


def _media_id() -> str:
    return secrets.token_urlsafe(24)
