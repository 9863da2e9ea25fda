"""Admin: campaigns and offers are worked in the console, so they are read-only here, and an
offer's person (name, contact, tracking token) is never shown."""

from django.contrib import admin

from archivox.collecting.models import Offer
from archivox.core.admin import RecordAdmin as ReadOnlyAdmin
from archivox.core.admin import register_the_rest_read_only


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "campaign", "archive", "status", "created_at"]
    list_filter = ["status", "transfer"]
    list_select_related = ["campaign", "archive"]
    exclude = ["name", "contact", "person_key", "token"]


register_the_rest_read_only("collecting")
