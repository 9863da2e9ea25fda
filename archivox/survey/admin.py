from django.contrib import admin
from django.db import transaction

from archivox.core.admin import AuditedAdmin
from archivox.survey.models import (
    Account,
    Finding,
    MetricSnapshot,
    MonitoredInstitution,
    PostMonth,
    PostRecord,
    Strategy,
    Survey,
    SurveyRegion,
    TableEntry,
)
from archivox.survey.services.post_months import post_month_refresh, post_months_refresh


class SurveyRegionInline(admin.TabularInline):
    model = SurveyRegion
    extra = 0


class TableEntryInline(admin.StackedInline):
    model = TableEntry
    extra = 0


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0


class StrategyInline(admin.TabularInline):
    model = Strategy
    extra = 0


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    list_display = ["title", "slug", "cutoff", "observed_until"]
    inlines = [SurveyRegionInline, TableEntryInline, FindingInline, StrategyInline]


@admin.register(MonitoredInstitution)
class MonitoredInstitutionAdmin(AuditedAdmin):
    list_display = ["slug", "name", "name_zh", "level", "region", "archive"]
    list_filter = ["level", "region"]
    search_fields = ["slug", "name", "name_zh"]
    raw_id_fields = ["archive"]


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ["__str__", "platform", "handle", "opened", "followers", "followers_band"]
    list_filter = ["platform", "opened", "followers_band"]
    search_fields = ["handle", "name", "institution__name", "institution__name_zh"]
    raw_id_fields = ["institution"]


class MeasurementAdmin(admin.ModelAdmin):
    """Measurements come from loaders and imports; the admin only shows them."""

    raw_id_fields = ["account"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(MeasurementAdmin):
    list_display = ["account", "date", "followers", "posts_total"]
    date_hierarchy = "date"


@admin.register(PostRecord)
class PostRecordAdmin(MeasurementAdmin):
    list_display = ["account", "published_on", "title", "is_original", "reads", "likes"]
    list_filter = ["is_original", "account__platform"]
    date_hierarchy = "published_on"
    search_fields = ["title", "column"]

    # A deleted post leaves the monthly roll-up its account's indicators read.
    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            post_month_refresh(account_id=obj.account_id, day=obj.published_on)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            accounts = set(queryset.values_list("account_id", flat=True))
            super().delete_queryset(request, queryset)
            post_months_refresh(accounts)


@admin.register(PostMonth)
class PostMonthAdmin(MeasurementAdmin):
    """The monthly roll-up is rebuilt from the posts, never edited: shown only."""

    list_display = ["account", "month", "posts", "originals", "forwards", "reads_sum", "likes_sum"]
    date_hierarchy = "month"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SurveyRegion)
class SurveyRegionAdmin(admin.ModelAdmin):
    list_display = ["survey", "region", "position", "reported"]
    list_filter = ["survey"]


@admin.register(TableEntry)
class TableEntryAdmin(AuditedAdmin):
    list_display = ["survey", "platform", "region", "opened"]
    list_filter = ["survey", "platform"]


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["survey", "code", "section", "text"]
    list_filter = ["survey"]


@admin.register(Strategy)
class StrategyAdmin(AuditedAdmin):
    list_display = ["survey", "code", "section", "text"]
    list_filter = ["survey"]
