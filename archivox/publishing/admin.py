"""Read-mostly admin views of the desk; changes go through the console and the services."""

from django.contrib import admin

from archivox.core.admin import register_the_rest_read_only
from archivox.publishing.models import Delivery, EmailSubscriber, Post, WarcFile


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "archive", "kind", "status", "scheduled_for", "published_at")
    list_filter = ("status", "kind", "origin")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Post._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("post", "channel", "status", "attempts", "remote_id", "sent_at")
    list_filter = ("channel", "status")
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(EmailSubscriber)
class EmailSubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "archive", "confirmed", "unsubscribed_at")
    list_filter = ("confirmed",)


@admin.register(WarcFile)
class WarcFileAdmin(admin.ModelAdmin):
    list_display = ("archive", "month", "record_count", "size", "sha256")
    readonly_fields = [f.name for f in WarcFile._meta.fields]


register_the_rest_read_only("publishing")
