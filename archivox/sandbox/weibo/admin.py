"""Admin pages of the Weibo sandbox: to look at what the "platform" holds during a demo.

Mostly read-only: the sandbox's state changes through its API and services. Limits and faults
may be edited by hand to stage a demo."""

from django.contrib import admin

from archivox.sandbox.weibo.models import (
    WeiboApp,
    WeiboAuthorization,
    WeiboComment,
    WeiboFault,
    WeiboIdSequence,
    WeiboRateCounter,
    WeiboRequestLog,
    WeiboStatus,
    WeiboUser,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WeiboApp)
class WeiboAppAdmin(admin.ModelAdmin):
    list_display = ["appkey", "name", "safe_domain", "created_at"]


@admin.register(WeiboUser)
class WeiboUserAdmin(ReadOnlyAdmin):
    list_display = ["screen_name", "uid", "is_simulated", "created_at"]
    list_filter = ["is_simulated"]
    search_fields = ["screen_name", "uid"]


@admin.register(WeiboAuthorization)
class WeiboAuthorizationAdmin(admin.ModelAdmin):
    list_display = ["user", "app", "archive", "expires_at", "revoked", "hourly_limit"]
    fields = [
        "user",
        "app",
        "archive",
        "expires_at",
        "revoked",
        "hourly_limit",
        "hourly_post_limit",
        "hourly_comment_limit",
    ]
    readonly_fields = ["user", "app", "archive"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WeiboStatus)
class WeiboStatusAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "text", "pic_type", "pic_size", "created_at"]
    exclude = ["pic"]
    search_fields = ["text"]


@admin.register(WeiboComment)
class WeiboCommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "status_id", "user", "text", "created_at"]
    search_fields = ["text"]


@admin.register(WeiboFault)
class WeiboFaultAdmin(admin.ModelAdmin):
    list_display = ["authorization", "mode", "remaining", "seconds", "path"]


@admin.register(WeiboRateCounter)
class WeiboRateCounterAdmin(ReadOnlyAdmin):
    list_display = ["authorization", "bucket", "window_start", "count"]


@admin.register(WeiboRequestLog)
class WeiboRequestLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "method", "path", "authorization", "fault"]
    list_filter = ["path", "fault"]


@admin.register(WeiboIdSequence)
class WeiboIdSequenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "value"]
