"""Administrators' pages: an archive's profile for visitors, its platform accounts (secrets
write-only) and its staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.console.forms import (
    ArchiveProfileForm,
    GrantForm,
    PlatformAccountForm,
    StaffCreateForm,
)
from archivox.core import selectors as core_selectors
from archivox.core import services as core_services
from archivox.core.access import archive_for_staff
from archivox.core.forms import errors_to_form
from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    """Address, hours, telephone, links and transport, as the portal's archive home shows them."""
    archive = archive_for_staff(request.user, slug, Capability.ARCHIVE_MANAGE)
    if request.method == "GET":
        form = ArchiveProfileForm(initial=ArchiveProfileForm.initial_from(archive))
    else:
        form = ArchiveProfileForm(request.POST)
        if form.is_valid():
            try:
                core_services.archive_profile_update(
                    actor=request.user, archive=archive, **form.values()
                )
            except (ValidationError, ValueError) as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The archive's profile is saved."))
                return redirect("console:archive_profile", slug=slug)
    return render(request, "console/admin/profile.html", {"archive": archive, "form": form})


def _account_forms(request: HttpRequest, archive: Archive, bound: str = "") -> list:
    accounts = core_selectors.platform_account_list_for_admin(user=request.user, archive=archive)
    forms = []
    for platform, label in PlatformAccount.Platform.choices:
        data = request.POST if platform == bound else None
        form = PlatformAccountForm(data, platform=platform, account=accounts[platform])
        forms.append((platform, label, accounts[platform], form))
    return forms


@login_required
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.ARCHIVE_MANAGE)
    platform = request.POST.get("platform", "") if request.method == "POST" else ""
    if platform and platform not in PlatformAccount.Platform.values:
        platform = ""
    forms = _account_forms(request, archive, bound=platform)
    if platform:
        form = next(form for key, _label, _account, form in forms if key == platform)
        if form.is_valid():
            changes, clear = form.values()
            try:
                core_services.platform_account_update(
                    actor=request.user,
                    archive=archive,
                    platform=platform,
                    clear_secrets=clear,
                    **changes,
                )
            except (ValidationError, ValueError) as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Account settings saved."))
                return redirect("console:accounts", slug=slug)
    return render(request, "console/admin/accounts.html", {"archive": archive, "forms": forms})


def _members_context(request: HttpRequest, archive: Archive, **forms) -> dict:
    members: dict[int, dict] = {}
    for membership in core_selectors.staff_member_list(user=request.user, archive=archive):
        row = members.setdefault(membership.user_id, {"user": membership.user, "roles": []})
        row["roles"].append(membership)
    return {
        "archive": archive,
        "members": list(members.values()),
        "grant_form": forms.get("grant_form") or GrantForm(prefix="grant"),
        "create_form": forms.get("create_form") or StaffCreateForm(prefix="new"),
        "new_password": forms.get("new_password"),
        "new_user": forms.get("new_user"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.STAFF_MANAGE)
    if request.method == "GET":
        return render(request, "console/admin/members.html", _members_context(request, archive))
    action = request.POST.get("action")
    if action == "create":
        form = StaffCreateForm(request.POST, prefix="new")
        if form.is_valid():
            try:
                user, password = core_services.staff_member_create(
                    actor=request.user, archive=archive, **form.cleaned_data
                )
            except (ValidationError, ValueError) as exc:
                errors_to_form(form, exc)
            else:
                # Shown in this response only; it is stored hashed and never shown again.
                context = _members_context(request, archive, new_user=user, new_password=password)
                response = render(request, "console/admin/members.html", context)
                response["Cache-Control"] = "no-store"
                return response
        context = _members_context(request, archive, create_form=form)
        return render(request, "console/admin/members.html", context)
    form = GrantForm(request.POST, prefix="grant")
    if form.is_valid():
        try:
            user = core_selectors.user_get_by_username(username=form.cleaned_data["username"])
        except User.DoesNotExist:
            form.add_error("username", _("There is no user with this name."))
        else:
            core_services.membership_grant(
                actor=request.user, archive=archive, user=user, role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role granted."))
            return redirect("console:members", slug=slug)
    context = _members_context(request, archive, grant_form=form)
    return render(request, "console/admin/members.html", context)


@login_required
@require_POST
def member_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.STAFF_MANAGE)
    user = User.objects.filter(pk=request.POST.get("user") or 0).first()
    role = request.POST.get("role", "")
    if user is not None and core_services.membership_revoke(
        actor=request.user, archive=archive, user=user, role=role
    ):
        messages.success(request, _("Role revoked."))
    else:
        messages.error(request, _("That role was not held; nothing changed."))
    return redirect("console:members", slug=slug)
