"""Admin: an archive's request kinds and holiday calendar are edited here (audited); the
requests themselves are worked in the console, so they are read-only, and the ID number is
never listed (it is shown masked)."""

from django.contrib import admin

from archivox.core.admin import AuditedAdmin, register_the_rest_read_only
from archivox.core.admin import RecordAdmin as ReadOnlyAdmin
from archivox.records_requests.codes import id_number_mask
from archivox.records_requests.models import CertifiedCopy, Holiday, RecordsRequest, RequestKind


@admin.register(RequestKind)
class RequestKindAdmin(AuditedAdmin):
    list_display = ["archive", "category", "years_from", "years_to", "working_days", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["archive"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["day", "archive", "name", "is_working_day"]
    list_filter = ["archive", "is_working_day"]
    date_hierarchy = "day"


@admin.register(RecordsRequest)
class RecordsRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "category", "archive", "holding_archive", "status", "due_on"]
    list_filter = ["status", "category", "channel"]
    list_select_related = ["archive", "holding_archive"]
    exclude = ["id_number", "person_key", "code", "openid"]
    readonly_fields = ["id_number_masked"]

    @admin.display(description="ID number")
    def id_number_masked(self, obj: RecordsRequest) -> str:
        return id_number_mask(obj.id_number)


@admin.register(CertifiedCopy)
class CertifiedCopyAdmin(ReadOnlyAdmin):
    list_display = ["verification_code", "kind", "archive", "issued_at", "revoked_at"]
    list_filter = ["kind"]


register_the_rest_read_only("records_requests")
