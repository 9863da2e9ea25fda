"""The WeChat sandbox's state in the admin, to look at what the "platform" holds."""

from django.contrib import admin

from archivox.sandbox.wechat import models


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["appid", "name", "archive_slug", "account_type", "message_mode", "callback_url"]
    search_fields = ["appid", "name", "archive_slug", "original_id"]


@admin.register(models.AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["account", "issued_at", "expires_at", "superseded_at"]
    exclude = ["value"]


@admin.register(models.Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["openid", "account", "subscribed", "subscribed_at", "last_message_at"]
    search_fields = ["openid"]


@admin.register(models.Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["media_id", "account", "kind", "content_type", "size", "created_at"]
    exclude = ["data"]


@admin.register(models.Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["media_id", "account", "created_at", "used_at"]


class ArticleInline(admin.TabularInline):
    model = models.Article
    extra = 0
    fields = ["idx", "title", "url", "page_views", "audience"]


@admin.register(models.Publish)
class PublishAdmin(admin.ModelAdmin):
    list_display = ["publish_id", "account", "status", "submitted_at", "finished_at"]
    list_filter = ["status"]
    inlines = [ArticleInline]


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "publish", "idx", "published_at", "page_views"]


@admin.register(models.MassMessage)
class MassMessageAdmin(admin.ModelAdmin):
    list_display = ["msg_id", "account", "kind", "msgtype", "day", "recipients"]
    list_filter = ["kind"]


@admin.register(models.CustomMessage)
class CustomMessageAdmin(admin.ModelAdmin):
    list_display = ["follower", "account", "msgtype", "sent_at"]


@admin.register(models.Menu)
class MenuAdmin(admin.ModelAdmin):
    list_display = ["account", "menuid", "updated_at"]


@admin.register(models.Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ["account", "mode", "api", "remaining", "seconds", "created_at"]


@admin.register(models.QuotaUsage)
class QuotaUsageAdmin(admin.ModelAdmin):
    list_display = ["account", "api", "period", "period_start", "count"]


@admin.register(models.EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "account", "url", "attempts", "status_code", "delivered_at"]


@admin.register(models.JsapiTicket)
class JsapiTicketAdmin(admin.ModelAdmin):
    list_display = ["account", "issued_at", "expires_at"]


@admin.register(models.OAuthCode)
class OAuthCodeAdmin(admin.ModelAdmin):
    list_display = ["account", "openid", "scope", "issued_at", "used_at"]


@admin.register(models.MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["account", "template_id", "title"]


@admin.register(models.TemplateMessage)
class TemplateMessageAdmin(admin.ModelAdmin):
    list_display = ["account", "follower", "template_id", "sent_at"]


@admin.register(models.SubscribeConsent)
class SubscribeConsentAdmin(admin.ModelAdmin):
    list_display = ["account", "follower", "template_id", "scene", "granted_at", "used_at"]
