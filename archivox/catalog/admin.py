from django.contrib import admin

from archivox.catalog.models import (
    CollectionEntry,
    DeletedRecord,
    Description,
    DigitalObject,
    FeaturedCollection,
    PublicDemand,
    SearchText,
)
from archivox.core.admin import AuditedAdmin

# Descriptions carry derived tree and access fields and a search index entry, so they are
# changed through catalog.services (console, API, import), never edited raw here.
from archivox.core.admin import RecordAdmin as ReadOnlyAdmin


@admin.register(Description)
class DescriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "reference_code",
        "title",
        "level",
        "archive",
        "access_level",
        "effective_access",
    ]
    list_filter = ["archive", "level", "effective_access"]
    search_fields = ["reference_code", "title", "title_en"]


@admin.register(DigitalObject)
class DigitalObjectAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "media_type", "size", "description"]
    list_filter = ["kind"]


@admin.register(SearchText)
class SearchTextAdmin(ReadOnlyAdmin):
    list_display = ["description", "title"]


@admin.register(DeletedRecord)
class DeletedRecordAdmin(ReadOnlyAdmin):
    list_display = ["reference_code", "archive", "deleted_at"]


# Counted by the portal, read by the demand dashboard: nothing here to edit by hand.
@admin.register(PublicDemand)
class PublicDemandAdmin(ReadOnlyAdmin):
    list_display = ["day", "archive", "kind", "key", "count"]
    list_filter = ["kind", "archive"]


class CollectionEntryInline(admin.TabularInline):
    model = CollectionEntry
    extra = 0
    raw_id_fields = ["description"]


@admin.register(FeaturedCollection)
class FeaturedCollectionAdmin(AuditedAdmin):
    list_display = ["title", "archive", "region", "position", "is_published"]
    list_filter = ["archive", "is_published"]
    raw_id_fields = ["cover"]
    inlines = [CollectionEntryInline]


@admin.register(CollectionEntry)
class CollectionEntryAdmin(AuditedAdmin):
    list_display = ["collection", "description", "position"]
    raw_id_fields = ["description"]
