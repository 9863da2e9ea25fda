"""The limits Weibo documents for ``statuses/share`` and comments, checked before sending.

Text length, as Weibo's own composer counts it (140 "Chinese characters"):

- the count is in half-width units: an ASCII character is 1 unit, any other character 2 units
  (a character outside the Basic Multilingual Plane, e.g. most emoji, is two UTF-16 code units
  and so 4 units);
- every ``http://`` or ``https://`` link is shortened to a t.cn link by the platform and counts
  20 units (10 Chinese characters) whatever its length, up to 140 units; a longer link counts
  its length minus 120;
- the length is the units halved, rounded up; at most 140.

So 140 Chinese characters fit, or 280 ASCII characters, and a link costs 10 characters.
``statuses/share`` also requires a link under the app's registered safe domain (安全域名), refuses
``#topic#`` text, takes one JPEG, PNG or GIF picture under 5 MB, and wants the user's real IP
in ``rip`` (see docs/sandbox-weibo.md).
"""

from __future__ import annotations

import io
import ipaddress
import re
from urllib.parse import urlsplit

from archivox.platforms.weibo.errors import WeiboValidationError

MAX_TEXT_LENGTH = 140
URL_UNITS = 20
URL_FREE_UNITS = 140
MAX_PIC_BYTES = 5 * 1024 * 1024

URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
TOPIC_RE = re.compile(r"[#＃][^#＃\r\n]*\S[^#＃\r\n]*[#＃]")
PIC_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)


def _units(text: str) -> int:
    units = 0
    for char in text:
        code = ord(char)
        if code < 0x80:
            units += 1
        elif code > 0xFFFF:
            units += 4
        else:
            units += 2
    return units


def text_length(text: str) -> int:
    """The length Weibo counts for ``text``, in Chinese characters (the limit is 140)."""
    units = 0
    position = 0
    for match in URL_RE.finditer(text):
        units += _units(text[position : match.start()])
        url_units = _units(match.group())
        units += (
            URL_UNITS if url_units <= URL_FREE_UNITS else url_units - URL_FREE_UNITS + URL_UNITS
        )
        position = match.end()
    units += _units(text[position:])
    return (units + 1) // 2


def links(text: str) -> list[str]:
    return URL_RE.findall(text)


def host_is_under(host: str, domain: str) -> bool:
    host = (host or "").lower().rstrip(".")
    domain = (domain or "").lower().strip().lstrip(".").rstrip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def safe_domain_of(value: str) -> str:
    """A safe domain as registered: a bare host, whatever was pasted (URL, host:port)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return (urlsplit(value if "://" in value else "//" + value).hostname or "").lower()
    except ValueError:
        return ""


def has_topic(text: str) -> bool:
    """Whether the text holds a ``#topic#`` (ASCII or full-width ``＃``) outside its links."""
    return bool(TOPIC_RE.search(URL_RE.sub(" ", text)))


def check_text(text: str, *, what: str = "text") -> None:
    if not text or not text.strip():
        raise WeiboValidationError("text_empty", f"the {what} is empty")
    length = text_length(text)
    if length > MAX_TEXT_LENGTH:
        raise WeiboValidationError(
            "text_too_long",
            f"the {what} counts {length} characters; Weibo allows at most {MAX_TEXT_LENGTH} "
            "(a Chinese character counts 1, two ASCII characters count 1, a link counts 10)",
        )


def check_share_text(text: str, *, safe_domain: str) -> None:
    """The rules of ``statuses/share`` for the text: length, a safe-domain link, no topics."""
    check_text(text)
    domain = safe_domain_of(safe_domain)
    if not domain:
        raise WeiboValidationError(
            "account", "the Weibo account has no registered safe domain (安全域名) to link to"
        )
    if not any(host_is_under(urlsplit(url).hostname or "", domain) for url in links(text)):
        raise WeiboValidationError(
            "safe_domain_link",
            f"the text must contain at least one link under the app's safe domain {domain!r}",
        )
    if has_topic(text):
        raise WeiboValidationError(
            "topic", "the text contains a #topic#; statuses/share refuses topics (#话题#)"
        )


def sniff_pic(data: bytes) -> tuple[str, str]:
    """``(extension, media type)`` of a JPEG, PNG or GIF picture, judged by its bytes."""
    found = next((entry for entry in PIC_SIGNATURES if data.startswith(entry[0])), None)
    if found is None:
        raise WeiboValidationError("image_type", "the picture is not a JPEG, PNG or GIF image")
    _, extension, media_type = found
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise WeiboValidationError(
            "image_type", f"the picture is a damaged or truncated {extension.upper()} file"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise WeiboValidationError("image_too_large", f"the picture is too large ({exc})") from exc
    return extension, media_type


def check_pic(data: bytes) -> tuple[str, str]:
    if len(data) >= MAX_PIC_BYTES:
        raise WeiboValidationError(
            "image_too_large",
            f"the picture is {len(data)} bytes; Weibo takes pictures under 5 MB "
            f"({MAX_PIC_BYTES} bytes)",
        )
    return sniff_pic(data)


def check_rip(rip: str) -> str:
    """The operating user's real IP, as ``statuses/share`` requires it in ``rip``."""
    try:
        address = ipaddress.ip_address((rip or "").strip())
    except ValueError as exc:
        raise WeiboValidationError(
            "rip", f"rip must be the user's real IP address, not {rip!r}"
        ) from exc
    if address.is_unspecified or address.is_loopback or address.is_multicast:
        raise WeiboValidationError(
            "rip", f"rip must be the user's real IP address; {address} is not one"
        )
    return str(address)
