"""Read-only admin views: changes go through the console and the services (audited)."""

from django.contrib import admin

from archivox.core.admin import RecordAdmin as ReadOnlyAdmin
from archivox.core.admin import register_the_rest_read_only
from archivox.reservations.models import Booking, Resource, Slot


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "archive", "kind", "capacity", "slot_minutes", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "archive", "resource", "label", "booked", "capacity", "is_open"]
    list_select_related = ["archive", "resource"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "archive", "slot", "channel", "status", "reminder", "rating"]
    list_filter = ["status", "channel", "reminder"]
    search_fields = ["code", "name"]
    list_select_related = ["archive", "slot__resource"]
    # Who the follower is stays out of sight (encrypted openid, keyed digest).
    exclude = ["openid", "person_key"]


register_the_rest_read_only("engagement_reservations")
