"""The platform's limits for draft articles, and the marks a send leaves (the delivery's key in
the article's "read the original" link, the pictures' placeholders) and how long it waits."""

from __future__ import annotations

# The platform's limits for draft articles, as the sandbox enforces them
# (archivox/sandbox/wechat/rules.py; tests check the two agree).
TITLE_MAX_CHARS = 32
AUTHOR_MAX_CHARS = 16
DIGEST_MAX_CHARS = 128
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
UPLOADIMG_MAX_BYTES = 1024 * 1024  # pictures inside an article: JPEG or PNG
THUMB_MAX_BYTES = 64 * 1024  # the cover: a JPEG thumb
ARTICLE_IMAGE_FORMATS = frozenset({"jpeg", "png"})
THUMB_FORMATS = frozenset({"jpeg"})
# Room an uploaded picture's URL takes in place of its placeholder, for the length check.
IMAGE_URL_ALLOWANCE = 160

MARKER = "ax_delivery"
PLACEHOLDER = "ax-image:"
# How long send waits for the publish job before returning ``publish:<id>`` without a URL
# (setting ARCHIVOX_WECHAT_PUBLISH_WAIT; 0 checks once and does not wait).
PUBLISH_WAIT_SECONDS = 4.0
PUBLISH_POLL_SECONDS = 0.5
FIND_PAGES = 5  # batchget pages of 20 that find_sent reads (the newest 100 publishes)


def with_marker(url: str, key: str) -> str:
    """``url`` with the delivery's key as a query parameter (before any #fragment)."""
    base, hash_mark, fragment = url.partition("#")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{MARKER}={key}{hash_mark}{fragment}"
