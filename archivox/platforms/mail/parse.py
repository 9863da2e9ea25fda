"""Parse one inbound email, treating every byte of it as hostile.

- The raw message is size-limited before parsing (``MAX_MESSAGE_BYTES``); a larger one is cut
  and the cut is reported, never parsed whole.
- The stdlib parser with ``email.policy.default`` (RFC 5322 headers, decoded words), but with
  ``raise_on_defect=False`` so a malformed message yields defects rather than exceptions, and
  every header access guarded: header parsing of hostile input can still raise.
- Only text is taken: the ``text/plain`` body, else the ``text/html`` one reduced to text with
  nh3 (no tags kept). Attachments are listed by name, type and size; never decoded or saved.
- Unknown charsets fall back to UTF-8 with replacement characters.
"""

from __future__ import annotations

import email.utils
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

import nh3

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 20_000
MAX_PARTS = 100
PARSE_POLICY = policy.default.clone(raise_on_defect=False, max_line_length=None)

_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")


class MailError(ValueError):
    """A message we cannot take (no usable sender)."""


@dataclass
class ParsedEmail:
    from_address: str
    from_name: str
    subject: str
    message_id: str
    in_reply_to: str
    references: list[str]
    date: str
    text: str
    attachments: list[dict[str, object]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    truncated: bool = False
    original_length: int = 0

    def as_payload(self) -> dict[str, object]:
        return {
            "from": self.from_address,
            "from_name": self.from_name,
            "subject": self.subject,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": self.references,
            "date": self.date,
            "attachments": self.attachments,
            "defects": self.defects,
        }


def _header(message: Message, name: str, limit: int = 998) -> str:
    """A header's decoded text; its raw text when the modern policy cannot parse it."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:  # hostile header: fall back to the raw value
        raw = [value for key, value in message.raw_items() if key.lower() == name.lower()]
        text = str(raw[0]) if raw else ""
    return " ".join(text.split())[:limit]


def _address(message: Message) -> tuple[str, str]:
    raw = _header(message, "Reply-To") or _header(message, "From")
    name, address = email.utils.parseaddr(raw)
    address = address.strip().lower()
    if (
        not address
        or "@" not in address
        or len(address) > 254
        or any(c in address for c in '<>"\\ ,;')
    ):
        return "", name[:200]
    return address, name.strip()[:200]


def _message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]{1,250}>", value)[:50]


def _decode(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, bytes):
            return content.decode("utf-8", errors="replace")
        return str(content)
    except Exception:  # unknown charset, broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", markup)
    return html.unescape(nh3.clean(markup, tags=set()))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def parse_email(raw: bytes) -> ParsedEmail:
    """Raw RFC 5322 bytes → ``ParsedEmail``; ``MailError`` when there is no sender to answer."""
    cut = len(raw) > MAX_MESSAGE_BYTES
    original_length = len(raw)
    message = BytesParser(policy=PARSE_POLICY).parsebytes(raw[:MAX_MESSAGE_BYTES])
    address, name = _address(message)
    if not address:
        raise MailError("the message has no usable From (or Reply-To) address")
    plain = html_body = None
    attachments: list[dict[str, object]] = []
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        content_type = part.get_content_type()
        if disposition == "attachment" or not content_type.startswith("text/"):
            payload = part.get_payload(decode=True) or b""
            attachments.append(
                {
                    "filename": (part.get_filename() or "")[:200] if _safe_filename(part) else "",
                    "content_type": content_type[:100],
                    "size": len(payload) if isinstance(payload, bytes) else 0,
                }
            )
            continue
        if content_type == "text/plain" and plain is None:
            plain = _decode(part)
        elif content_type == "text/html" and html_body is None:
            html_body = _decode(part)
    text = plain if plain is not None else _html_to_text(html_body or "")
    text = _tidy(text)
    truncated = cut or len(text) > MAX_TEXT_CHARS
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    defects = [type(defect).__name__ for defect in getattr(message, "defects", [])][:20]
    return ParsedEmail(
        from_address=address,
        from_name=name,
        subject=_header(message, "Subject", 300),
        message_id=(_message_ids(_header(message, "Message-ID")) or [""])[0],
        in_reply_to=(_message_ids(_header(message, "In-Reply-To")) or [""])[0],
        references=_message_ids(_header(message, "References", 8000)),
        date=_header(message, "Date", 100),
        text=text,
        attachments=attachments[:MAX_PARTS],
        defects=defects,
        truncated=truncated,
        original_length=original_length,
    )


def _safe_filename(part: Message) -> bool:
    try:
        part.get_filename()
    except Exception:
        return False
    return True


def is_email_message(value: object) -> bool:
    return isinstance(value, EmailMessage)
