"""The WeChat official account: a post becomes an article, published (draft, then freepublish)
or mass-sent to all followers (draft, then mass send; once a day for a subscription account).

Render is pure and cheap (no network, no image conversion): it rewrites the article's HTML to
what WeChat keeps, checks the platform's limits and flags what will be cut or refused. Send
uploads the pictures (the body may only show images on WeChat's own servers), the cover as a
permanent thumb, adds the draft and publishes or mass-sends it.

At most once:

- ``publish``: the article's "read the original" link (``content_source_url``) carries the
  delivery's idempotency key as a query parameter (``ax_delivery``; harmless to readers), and
  ``find_sent`` looks for it among the account's published articles (``freepublish/batchget``).
  ``send`` waits briefly for the publish job (``freepublish/get``; ``PUBLISH_WAIT_SECONDS``,
  setting ``ARCHIVOX_WECHAT_PUBLISH_WAIT``) and returns the article's id and URL; if the job has
  not finished by then it returns ``publish:<publish_id>`` without a URL, and ``find_sent`` called
  later finds the article with its id and URL (``withdraw`` also takes ``publish:<id>``). A job
  still running when a worker died is not listed by batchget yet; that window is seconds long.
- ``mass_send``: the mass send carries the idempotency key as ``clientmsgid``; the platform
  refuses a second send with it for 24 hours and names the first (45065), which ``send`` takes as
  "already sent". There is no read call to look a mass send up by clientmsgid, so ``find_sent``
  answers None and a re-run's ``send`` is refused by the platform instead of sending twice.

Withdraw: a published article is deleted (``freepublish/delete``; 40007, an article WeChat no
longer has, raises AlreadyGone); a mass send cannot be taken back from followers' chats (the
platform allows deleting the article only within 30 minutes, and not the message), so
withdrawing one raises WithdrawRefused saying so, and ``withdrawal`` says so beforehand.

One module per stage: ``render``, ``send``, ``reconcile`` (find_sent) and ``withdraw`` hold the
methods ``channel.WeChatChannel`` combines; ``limits`` the platform's limits and the delivery's
marker; ``article_html`` what WeChat keeps of an article's HTML; ``api`` the account's client and
its errors turned into the channel contract's. This package re-exports the names of the former
module, so ``from archivox.publishing.channels.wechat import MARKER, with_marker`` keeps working.
Code inside the app imports from the stage module. The tunables (``limits.PUBLISH_POLL_SECONDS``
…) live in ``limits``: patch them there, not on this package.
"""

from archivox.publishing.channels.wechat.article_html import (
    ATTRIBUTES,
    DROP_WITH_CONTENT,
    MP_HOSTS,
    TAGS,
    VOID,
    is_mp_link,
    media_prefixes,
)
from archivox.publishing.channels.wechat.channel import WeChatChannel
from archivox.publishing.channels.wechat.limits import (
    ARTICLE_IMAGE_FORMATS,
    AUTHOR_MAX_CHARS,
    CONTENT_MAX_BYTES,
    CONTENT_MAX_CHARS,
    DIGEST_MAX_CHARS,
    FIND_PAGES,
    IMAGE_URL_ALLOWANCE,
    MARKER,
    PLACEHOLDER,
    PUBLISH_POLL_SECONDS,
    PUBLISH_WAIT_SECONDS,
    SOURCE_URL_MAX_BYTES,
    THUMB_FORMATS,
    THUMB_MAX_BYTES,
    TITLE_MAX_CHARS,
    UPLOADIMG_MAX_BYTES,
    with_marker,
)

__all__ = [
    "ARTICLE_IMAGE_FORMATS",
    "ATTRIBUTES",
    "AUTHOR_MAX_CHARS",
    "CONTENT_MAX_BYTES",
    "CONTENT_MAX_CHARS",
    "DIGEST_MAX_CHARS",
    "DROP_WITH_CONTENT",
    "FIND_PAGES",
    "IMAGE_URL_ALLOWANCE",
    "MARKER",
    "MP_HOSTS",
    "PLACEHOLDER",
    "PUBLISH_POLL_SECONDS",
    "PUBLISH_WAIT_SECONDS",
    "SOURCE_URL_MAX_BYTES",
    "TAGS",
    "THUMB_FORMATS",
    "THUMB_MAX_BYTES",
    "TITLE_MAX_CHARS",
    "UPLOADIMG_MAX_BYTES",
    "VOID",
    "WeChatChannel",
    "is_mp_link",
    "media_prefixes",
    "with_marker",
]
