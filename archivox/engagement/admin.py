from django.contrib import admin

from archivox.engagement.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
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
    ]
    list_filter = ["channel", "msg_type", "reply_state", "archive"]
    search_fields = ["sender", "content", "msg_id"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
