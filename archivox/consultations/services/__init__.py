"""The consultations app's service layer (writes, audited), one module per stage:

- ``callback``: the WeChat callback's reply pipeline (verify, store, answer within the budget);
- ``deferred``: answers sent later as customer-service messages, and the resume sweep.

The consultation inbox is re-exported from ``archivox.consultations.inbox``. Callers outside the
app import from here; the stage modules hold the code (and the tunables a test may patch).
"""

from archivox.consultations.inbox import (
    AnswerRefused,
    AskRateLimited,
    AskReceipt,
    FeedbackRateLimited,
    InboxError,
    answer_routes,
    autoreply_rule_create,
    autoreply_rule_delete,
    autoreply_rule_update,
    canned_answer_create,
    canned_answer_delete,
    consultation_answer,
    consultation_ask,
    consultation_assign,
    consultation_close,
    consultation_email_set,
    consultation_feedback,
    consultation_feedback_rate_check,
    consultation_ingest,
    consultation_ingest_sweep,
    consultation_note_add,
    consultation_tag,
    email_receive,
    imap_poll,
    inbox_settings_update,
    weibo_poll,
    weibo_poll_all,
)
from archivox.consultations.services.callback import (
    CallbackAnswer,
    inbound_message_reply_decide,
    inbound_message_thread,
    reply_pool_close,
    wechat_callback_receive,
    wechat_url_verify,
)
from archivox.consultations.services.deferred import (
    STRANDED_SENDING,
    inbound_message_replies_resume,
    inbound_message_reply_send,
)

__all__ = [
    "STRANDED_SENDING",
    "AnswerRefused",
    "AskRateLimited",
    "AskReceipt",
    "CallbackAnswer",
    "FeedbackRateLimited",
    "InboxError",
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
    "email_receive",
    "imap_poll",
    "inbound_message_replies_resume",
    "inbound_message_reply_decide",
    "inbound_message_reply_send",
    "inbound_message_thread",
    "inbox_settings_update",
    "reply_pool_close",
    "wechat_callback_receive",
    "wechat_url_verify",
    "weibo_poll",
    "weibo_poll_all",
]
