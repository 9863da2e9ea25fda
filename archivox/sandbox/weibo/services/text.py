"""Text rules: the length as the platform counts it, t.cn short links, and the checks of a status's
or comment's text, the operating user's IP, a picture and a link's domain."""

from __future__ import annotations

import hashlib
import io
import ipaddress
import re
from urllib.parse import urlsplit

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.errors import invalid_parameter as _invalid

MAX_TEXT = 140  # "Chinese characters": 2 half-width units each
MAX_PIC_BYTES = 5 * 1024 * 1024  # "上传图片大小限制为<5M"
PIC_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}
LINK_RE = re.compile(r"https?://[\w\-.~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE | re.ASCII)
TOPIC_RE = re.compile(r"[#＃][^#＃\r\n]*\S[^#＃\r\n]*[#＃]")
MENTION_RE = re.compile(r"@([\w\-]{1,30})")
SHORT_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


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
