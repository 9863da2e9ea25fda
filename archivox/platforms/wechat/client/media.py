"""Media: pictures inside an article, and the permanent cover (thumb) material."""

from __future__ import annotations

from archivox.platforms.wechat.client.transport import WeChatTransport


class MediaCalls(WeChatTransport):
    """``media/uploadimg`` and ``material/add_material``."""

    def upload_article_image(self, data: bytes, *, filename: str = "image.jpg") -> str:
        """``media/uploadimg``: an image for use inside an article (JPG/PNG, ≤ 1 MB) → its URL.

        Not idempotent (each call stores a new image); a lost answer raises
        ``WeChatUncertainError`` — uploading again is harmless, only wasteful."""
        result = self._call(
            "POST",
            "/cgi-bin/media/uploadimg",
            api="media/uploadimg",
            idempotent=False,
            files={"media": (filename, data, _image_type(data))},
            timeout=self.upload_timeout,
        )
        return str(result["url"])

    def add_thumb_material(self, data: bytes, *, filename: str = "thumb.jpg") -> dict[str, str]:
        """``material/add_material?type=thumb``: a permanent cover image (JPG, ≤ 64 KB)
        → ``{"media_id": …, "url": …}``; the media_id goes into an article's thumb_media_id."""
        result = self._call(
            "POST",
            "/cgi-bin/material/add_material",
            api="material/add_material",
            idempotent=False,
            params={"type": "thumb"},
            files={"media": (filename, data, _image_type(data))},
            timeout=self.upload_timeout,
        )
        return {"media_id": str(result["media_id"]), "url": str(result.get("url", ""))}


def _image_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"
