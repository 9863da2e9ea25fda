from django.contrib import admin

from archivox.notifications.models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    # Staff set these in the console (/console/service-hall/<archive>/templates/), audited.
    list_display = ("archive", "purpose", "template_id", "kind", "is_active")
    list_filter = ("archive", "purpose")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    # Who it went to is encrypted and not listed; what was sent, when and how is.
    list_display = ("archive", "purpose", "status", "channel", "created_at", "sent_at")
    list_filter = ("archive", "purpose", "status", "channel")
    readonly_fields = ("archive", "key", "purpose", "subject", "status", "channel", "note")
    exclude = ("openid", "email")
