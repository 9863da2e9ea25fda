"""The consultations app's service layer (writes, audited), one module per stage:

- ``intake``: messages coming in (e-mail, IMAP, Weibo): stored once, flood check, threaded into
  consultations;
- ``asking``: the portal's "ask the archive" form, the private page's link, the person's rating;
- ``lifecycle``: staff assign, tag, annotate and close; due dates in working days; the settings;
- ``answers``: answering on the channel the question came from, and canned answers;
- ``autoreplies``: the auto-reply rules staff keep;
- ``callback``: the WeChat callback's reply pipeline (verify, store, answer within the budget);
- ``deferred``: WeChat answers sent later as customer-service messages, and the resume sweep;
- ``common``: the permission check and ``InboxError``, shared by the stages.

Callers outside the app import from here. The code, its limits and the tunables a test may patch
(``callback.REPLY_BUDGET_SECONDS``, ``deferred.RESUME_AFTER``) live in the stage modules: patch
them there, not on this package. Reads are ``selectors``'s and never import this package
(``tests/consultations/test_layers.py``).
"""

from archivox.consultations.services.answers import (
    AnswerRefused,
    Route,
    answer_routes,
    canned_answer_create,
    canned_answer_delete,
    consultation_answer,
    consultation_email_set,
    window_closes_at,
)
from archivox.consultations.services.asking import (
    AskRateLimited,
    AskReceipt,
    FeedbackRateLimited,
    consultation_ask,
    consultation_feedback,
    consultation_feedback_rate_check,
    private_url,
)
from archivox.consultations.services.autoreplies import (
    autoreply_rule_create,
    autoreply_rule_delete,
    autoreply_rule_update,
)
from archivox.consultations.services.callback import (
    CallbackAnswer,
    inbound_message_reply_decide,
    inbound_message_thread,
    reply_pool_close,
    wechat_callback_receive,
    wechat_url_verify,
)
from archivox.consultations.services.common import InboxError
from archivox.consultations.services.deferred import (
    STRANDED_SENDING,
    inbound_message_replies_resume,
    inbound_message_reply_send,
)
from archivox.consultations.services.intake import (
    consultation_ingest,
    consultation_ingest_sweep,
    email_receive,
    imap_poll,
    inbound_flooding,
    inbound_store,
    weibo_poll,
    weibo_poll_all,
)
from archivox.consultations.services.lifecycle import (
    add_working_days,
    consultation_assign,
    consultation_close,
    consultation_note_add,
    consultation_tag,
    due_for,
    inbox_settings_update,
)

__all__ = [
    "STRANDED_SENDING",
    "AnswerRefused",
    "AskRateLimited",
    "AskReceipt",
    "CallbackAnswer",
    "FeedbackRateLimited",
    "InboxError",
    "Route",
    "add_working_days",
    "answer_routes",
    "autoreply_rule_create",
    "autoreply_rule_delete",
    "autoreply_rule_update",
    "canned_answer_create",
    "canned_answer_delete",
    "consultation_answer",
    "consultation_ask",
    "consultation_assign",
    "consultation_close",
    "consultation_email_set",
    "consultation_feedback",
    "consultation_feedback_rate_check",
    "consultation_ingest",
    "consultation_ingest_sweep",
    "consultation_note_add",
    "consultation_tag",
    "due_for",
    "email_receive",
    "imap_poll",
    "inbound_flooding",
    "inbound_message_replies_resume",
    "inbound_message_reply_decide",
    "inbound_message_reply_send",
    "inbound_message_thread",
    "inbound_store",
    "inbox_settings_update",
    "private_url",
    "reply_pool_close",
    "wechat_callback_receive",
    "wechat_url_verify",
    "weibo_poll",
    "weibo_poll_all",
    "window_closes_at",
]
