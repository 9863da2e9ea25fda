from django.contrib import admin
from django.http import HttpRequest

from archivox.platforms.tokens.models import PlatformToken


@admin.register(PlatformToken)
class PlatformTokenAdmin(admin.ModelAdmin):
    """Read-only: when each token expires and how many fetches the day has used; never the token."""

    list_display = ["platform", "key", "expires_at", "fetch_day", "fetches_today", "lease_until"]
    list_filter = ["platform"]
    search_fields = ["key"]
    exclude = ["value"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PlatformToken | None = None) -> bool:
        return False
