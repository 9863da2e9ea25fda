"""What the Weibo sandbox does: issue accounts, accept statuses and comments under the platform's
rules, count requests against the hourly limits, inject faults, and let simulated users comment
and mention.

The rules here are the sandbox's own reading of the platform's documentation
(docs/sandbox-weibo.md), written apart from the client's checks in
``archivox.platforms.weibo.rules`` so that each can catch the other's mistakes.

One module per stage: ``text`` (the text rules), ``ids``, ``accounts`` (and authentication),
``ratelimits`` (and the request log), ``faults``, ``statuses``, ``comments``, ``simulated``
(members of the public). This package re-exports their public names, so
``from archivox.sandbox.weibo.services import sandbox_weibo_fault_set`` keeps working. Code
inside the app imports from the stage module.
"""

from archivox.sandbox.weibo.services.accounts import (
    SANDBOX_APPKEY,
    TOKEN_LIFETIME,
    sandbox_weibo_account_ensure,
    sandbox_weibo_authenticate,
    sandbox_weibo_limits_set,
    sandbox_weibo_token_expire,
)
from archivox.sandbox.weibo.services.comments import (
    sandbox_weibo_comment_create,
    sandbox_weibo_comment_reply,
)
from archivox.sandbox.weibo.services.faults import (
    FAULT_DEFAULT_SECONDS,
    Fault,
    parse_fault_header,
    sandbox_weibo_fault_set,
    sandbox_weibo_fault_take,
)
from archivox.sandbox.weibo.services.ids import next_id
from archivox.sandbox.weibo.services.ratelimits import (
    sandbox_weibo_rate_limit_hit,
    sandbox_weibo_rate_limit_status,
    sandbox_weibo_request_record,
)
from archivox.sandbox.weibo.services.simulated import (
    sandbox_weibo_comment_from_user,
    sandbox_weibo_mention,
)
from archivox.sandbox.weibo.services.statuses import (
    sandbox_weibo_short_url_expand,
    sandbox_weibo_status_destroy,
    sandbox_weibo_status_share,
)
from archivox.sandbox.weibo.services.text import (
    LINK_RE,
    MAX_PIC_BYTES,
    MAX_TEXT,
    MENTION_RE,
    PIC_FORMATS,
    SHORT_ALPHABET,
    TOPIC_RE,
    display_text,
    short_link,
    weibo_text_length,
)

__all__ = [
    "FAULT_DEFAULT_SECONDS",
    "LINK_RE",
    "MAX_PIC_BYTES",
    "MAX_TEXT",
    "MENTION_RE",
    "PIC_FORMATS",
    "SANDBOX_APPKEY",
    "SHORT_ALPHABET",
    "TOKEN_LIFETIME",
    "TOPIC_RE",
    "Fault",
    "display_text",
    "next_id",
    "parse_fault_header",
    "sandbox_weibo_account_ensure",
    "sandbox_weibo_authenticate",
    "sandbox_weibo_comment_create",
    "sandbox_weibo_comment_from_user",
    "sandbox_weibo_comment_reply",
    "sandbox_weibo_fault_set",
    "sandbox_weibo_fault_take",
    "sandbox_weibo_limits_set",
    "sandbox_weibo_mention",
    "sandbox_weibo_rate_limit_hit",
    "sandbox_weibo_rate_limit_status",
    "sandbox_weibo_request_record",
    "sandbox_weibo_short_url_expand",
    "sandbox_weibo_status_destroy",
    "sandbox_weibo_status_share",
    "sandbox_weibo_token_expire",
    "short_link",
    "weibo_text_length",
]
