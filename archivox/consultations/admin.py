from django.contrib import admin

from archivox.consultations.models import (
    AutoReplyRule,
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    InboundMessage,
)
from archivox.core.admin import RecordAdmin as ReadOnlyAdmin
from archivox.core.admin import register_the_rest_read_only


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """Inbound messages are a record of what the public sent: read, never edited here."""

    list_display = [
        "received_at",
        "archive",
        "channel",
        "msg_type",
        "event",
        "sender",
        "reply_state",
        "replied_via",
        "deliveries",
        "flood",
        "truncated",
    ]
    list_filter = ["channel", "msg_type", "reply_state", "flood", "archive"]
    search_fields = ["sender", "content", "msg_id"]
    date_hierarchy = "received_at"
    # The follower's openid is encrypted at rest and never shown (``sender`` is its digest).
    exclude = ["sender_openid"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["id", "archive", "channel", "person", "subject", "status", "assignee", "due_at"]
    list_filter = ["status", "channel", "flood", "archive"]
    search_fields = ["person", "person_name", "person_email", "subject"]
    list_select_related = ["archive", "assignee"]
    exclude = ["person_openid"]


@admin.register(ConsultationAnswer)
class ConsultationAnswerAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "consultation", "author", "via", "state", "sent_at"]
    list_filter = ["via", "state"]


@admin.register(AutoReplyRule)
class AutoReplyRuleAdmin(ReadOnlyAdmin):
    list_display = ["archive", "priority", "name", "match", "pattern", "kind", "is_active"]
    list_filter = ["archive", "kind", "match", "is_active"]


@admin.register(CannedAnswer)
class CannedAnswerAdmin(ReadOnlyAdmin):
    list_display = ["archive", "title"]


register_the_rest_read_only("engagement")
