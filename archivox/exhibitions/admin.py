"""Read-only admin views: changes go through the console and the services (audited)."""

from django.contrib import admin

from archivox.core.admin import register_the_rest_read_only
from archivox.exhibitions.models import Event, Exhibition
from archivox.reservations.admin import ReadOnlyAdmin


@admin.register(Exhibition)
class ExhibitionAdmin(ReadOnlyAdmin):
    list_display = ["title", "archive", "status", "published_at"]
    list_filter = ["status"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "archive", "speaker", "starts_at", "status"]
    list_filter = ["status"]


register_the_rest_read_only("engagement_exhibitions")
