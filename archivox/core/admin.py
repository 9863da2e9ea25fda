from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from archivox.core.models import (
    Archive,
    AuditEntry,
    Membership,
    PlatformAccount,
    RateLimitWindow,
    Region,
    SensitiveWord,
    User,
    WorkerHeartbeat,
)
from archivox.core.services import audit_record, snapshot

# The admin's header and tab titles name the platform, not the framework ("Django 管理").
admin.site.site_header = _("Archivox administration")
admin.site.site_title = _("Archivox administration")


class AuditedAdmin(admin.ModelAdmin):
    """Changes made through the admin are audited like changes made through services."""

    def _archive_of(self, obj):
        if isinstance(obj, Archive):
            return obj
        return getattr(obj, "archive", None)

    def save_model(self, request, obj, form, change) -> None:
        fields = [name for name in form.changed_data if name in {f.name for f in obj._meta.fields}]
        before = None
        if change and fields:
            before = snapshot(type(obj).objects.get(pk=obj.pk), fields)
        super().save_model(request, obj, form, change)
        if fields or not change:
            audit_record(
                actor=request.user,
                action=f"admin.{'change' if change else 'add'}",
                obj=obj,
                archive=self._archive_of(obj),
                before=before,
                after=snapshot(obj, fields),
            )

    def delete_model(self, request, obj) -> None:
        audit_record(
            actor=request.user,
            action="admin.delete",
            obj=obj,
            archive=self._archive_of(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["archive"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Archivox", {"fields": ("display_name",)}))
    inlines = [MembershipInline]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_zh", "tier", "level", "province"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(Archive)
class ArchiveAdmin(AuditedAdmin):
    list_display = ["slug", "name", "name_zh", "level", "region", "parent", "is_demo"]
    list_filter = ["level", "region", "is_demo"]
    search_fields = ["slug", "name", "name_zh"]
    autocomplete_fields = ["parent", "region"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "archive", "role", "granted_at"]
    list_filter = ["role", "archive"]
    autocomplete_fields = ["user", "archive"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ["created_at", "actor_label", "archive", "action", "object_repr"]
    list_filter = ["action", "archive"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]


SECRET_FIELDS = ("app_secret", "token", "encoding_aes_key", "weibo_access_token")


class PlatformAccountForm(forms.ModelForm):
    """Secrets are write-only: the form never shows them; leaving one blank keeps it."""

    class Meta:
        model = PlatformAccount
        fields = [
            "archive",
            "platform",
            "name",
            "appid",
            "app_secret",
            "token",
            "encoding_aes_key",
            "original_id",
            "wechat_type",
            "message_mode",
            "weibo_uid",
            "weibo_access_token",
            "safe_domain",
            "welcome_text",
            "is_active",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


@admin.register(PlatformAccount)
class PlatformAccountAdmin(AuditedAdmin):
    form = PlatformAccountForm
    list_display = [
        "archive",
        "platform",
        "name",
        "appid",
        "message_mode",
        "weibo_uid",
        "is_active",
    ]
    list_filter = ["platform", "is_active"]


@admin.register(SensitiveWord)
class SensitiveWordAdmin(AuditedAdmin):
    """The sensitive-word lists; an empty archive is the default list every archive gets."""

    list_display = ["word", "severity", "archive", "note", "created_at"]
    list_filter = ["severity", "archive"]
    search_fields = ["word", "note"]
    autocomplete_fields = ["archive"]


@admin.register(RateLimitWindow)
class RateLimitWindowAdmin(admin.ModelAdmin):
    """Read-only: who hit a limit, for looking into a flood."""

    list_display = ["key", "window_start", "hits"]
    search_fields = ["key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(admin.ModelAdmin):
    """Read-only: changes go through the console's services, which check and audit them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def register_the_rest_read_only(app_label: str) -> None:
    """Give every model of ``app_label`` without an admin page a read-only one, so superusers
    can look at everything while the console stays the only place that changes it."""
    from django.apps import apps

    from archivox.core.fields import EncryptedTextField

    for model in apps.get_app_config(app_label).get_models():
        if not admin.site.is_registered(model):
            # What is encrypted at rest (openids, secrets) is never shown, here either.
            hidden = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            admin.site.register(model, RecordAdmin, exclude=hidden or None)
