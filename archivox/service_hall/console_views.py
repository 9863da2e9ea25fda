"""Staff pages of the service hall, mounted at /console/service-hall/: the accounts, and per
account the menu editor with its phone-shaped preview, review and publishing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core.access import archive_for_staff, archive_or_404
from archivox.core.selectors import Capability, archive_check_capability, user_can
from archivox.notifications import selectors as notification_selectors
from archivox.notifications.models import PURPOSE_FIELDS, NotificationTemplate, purpose_label
from archivox.notifications.services import (
    SUBSCRIBE_CONTENT_MAX,
    field_limit,
    notification_template_set,
)
from archivox.service_hall import menu_rules, selectors
from archivox.service_hall.services import menus as menu_services
from archivox.service_hall.services.share_defaults import share_defaults_set

ROWS = range(menu_rules.MENU_BUTTONS)
SUB_ROWS = range(menu_rules.MENU_SUB_BUTTONS)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = []
    for archive, account in selectors.service_hall_accounts_for_staff(user=request.user):
        open_menu, published = (None, None)
        if account is not None:
            open_menu, published = selectors.menu_current(account=account)
        rows.append(
            {"archive": archive, "account": account, "open": open_menu, "published": published}
        )
    return render(request, "service_hall/console/index.html", {"rows": rows})


def _items_from_post(data: Any) -> list[dict[str, Any]]:
    """The editor's rows as typed (blank ones included, so a refused form shows them again)."""
    return [
        {
            "name": data.get(f"b{i}_name", ""),
            "action": data.get(f"b{i}_action", ""),
            "subs": [
                {
                    "name": data.get(f"b{i}_s{j}_name", ""),
                    "action": data.get(f"b{i}_s{j}_action", ""),
                }
                for j in SUB_ROWS
            ],
        }
        for i in ROWS
    ]


def _padded(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exactly 3 rows of 5 sub-rows for the form, the menu's own first."""
    rows = []
    for i in ROWS:
        item = items[i] if i < len(items) else {}
        subs = list(item.get("subs", []))[: len(SUB_ROWS)]
        subs += [{"name": "", "action": ""}] * (len(SUB_ROWS) - len(subs))
        rows.append(
            {
                "index": i,
                "name": item.get("name", ""),
                "action": item.get("action", ""),
                "field": f"b{i}",
                "subs": [{"index": j, "field": f"b{i}_s{j}", **sub} for j, sub in enumerate(subs)],
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def menu_editor(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    can_edit = user_can(user=request.user, archive=archive, capability=Capability.POST_COMPOSE)
    can_review = user_can(user=request.user, archive=archive, capability=Capability.POST_REVIEW)
    if not (can_edit or can_review):
        archive_check_capability(
            user=request.user, archive=archive, capability=Capability.POST_COMPOSE
        )
    account = selectors.wechat_account_of_archive(archive)
    open_menu, published = (None, None)
    if account is not None:
        open_menu, published = selectors.menu_current(account=account)
    typed: list[dict[str, Any]] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                typed = _items_from_post(request.POST)
                menu = menu_services.menu_draft_save(
                    actor=request.user, archive=archive, items=typed
                )
                if action == "submit":
                    menu_services.menu_submit(actor=request.user, menu=menu)
                    messages.success(request, _("The menu is waiting for review."))
                else:
                    messages.success(request, _("Draft saved."))
            elif action in ("publish", "return") and open_menu is not None:
                if action == "publish":
                    menu_services.menu_publish(actor=request.user, menu=open_menu)
                    messages.success(request, _("The menu is published on WeChat."))
                else:
                    menu_services.menu_return(
                        actor=request.user, menu=open_menu, note=request.POST.get("note", "")
                    )
                    messages.success(request, _("The menu went back to its author."))
            elif action == "check":
                menu_services.menu_live_check(actor=request.user, archive=archive)
                messages.success(request, _("The menu on WeChat was fetched."))
            else:
                messages.error(request, _("Nothing to do: the menu changed meanwhile."))
            return redirect("console_service_hall:menu", slug=archive.slug)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            if typed is None:
                return redirect("console_service_hall:menu", slug=archive.slug)
    if typed is not None:
        items = typed
    elif open_menu is not None:
        items = open_menu.items
    elif published is not None:
        items = published.items
    else:
        items = []
    choices = selectors.menu_action_choices(archive=archive)
    labels = {choice.value: choice.label for _group, group in choices for choice in group}
    return render(
        request,
        "service_hall/console/menu.html",
        {
            "archive": archive,
            "account": account,
            "open_menu": open_menu,
            "published": published,
            "rows": _padded(items),
            "choices": choices,
            "labels": labels,
            "can_edit": can_edit,
            "can_review": can_review
            and open_menu is not None
            and open_menu.status == open_menu.Status.IN_REVIEW
            and open_menu.author_id != request.user.pk,
            "history": selectors.menu_history(account=account) if account else [],
            "limits": {
                "name": menu_rules.MENU_NAME_BYTES,
                "sub_name": menu_rules.MENU_SUB_NAME_BYTES,
            },
        },
    )


@login_required
def notifications(request: HttpRequest, slug: str) -> HttpResponse:
    """What was sent to whom-it-concerns (never showing to whom): purpose, channel, outcome."""
    archive = archive_for_staff(request.user, slug, Capability.CONSULTATION_ANSWER)
    return render(
        request,
        "service_hall/console/notifications.html",
        {
            "archive": archive,
            "notifications": notification_selectors.notification_list(archive=archive),
            "templates": notification_selectors.notification_templates(archive=archive),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """One account: its health (token and ticket age, last callback, last errors) and the
    share-card defaults of the archive's pages."""
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    account = selectors.wechat_account_of_archive(archive)
    defaults = selectors.share_defaults_of(archive)
    typed = {
        "image_url": defaults.image_url if defaults else "",
        "description": defaults.description if defaults else "",
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed = {
            "image_url": request.POST.get("image_url", "")[:500],
            "description": request.POST.get("description", "")[:500],
        }
        try:
            share_defaults_set(actor=request.user, archive=archive, **typed)
            messages.success(request, _("Share card defaults saved."))
            return redirect("console_service_hall:account", slug=archive.slug)
        except ValidationError as exc:
            errors = exc.message_dict
            for field_errors in errors.values():
                for message in field_errors:
                    messages.error(request, message)
    return render(
        request,
        "service_hall/console/account.html",
        {
            "archive": archive,
            "account": account,
            "health": selectors.account_health(archive=archive, account=account)
            if account
            else None,
            "typed": typed,
            "errors": errors,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_templates(request: HttpRequest, slug: str) -> HttpResponse:
    """The WeChat template (or one-time subscription message) each kind of notification uses,
    with the fields and limits the template must have; saved all at once, or none."""
    archive = archive_for_staff(request.user, slug, Capability.ARCHIVE_MANAGE)
    current = {t.purpose: t for t in notification_selectors.notification_templates(archive=archive)}
    rows = []
    for purpose, fields in PURPOSE_FIELDS.items():
        found = current.get(purpose)
        rows.append(
            {
                "purpose": purpose,
                "label": purpose_label(purpose),
                "fields": [(key, meaning, field_limit(key)) for key, meaning in fields],
                "template_id": found.template_id if found else "",
                "kind": found.kind if found else NotificationTemplate.Kind.TEMPLATE,
                "is_active": found.is_active if found else True,
                "errors": [],
            }
        )
    status = 200
    if request.method == "POST":
        for row in rows:
            row["template_id"] = request.POST.get(f"template_id:{row['purpose']}", "")[:200]
            row["kind"] = request.POST.get(f"kind:{row['purpose']}", "")[:20]
            row["is_active"] = bool(request.POST.get(f"active:{row['purpose']}"))
        try:
            with transaction.atomic():
                failed = False
                for row in rows:
                    try:
                        notification_template_set(
                            actor=request.user,
                            archive=archive,
                            purpose=row["purpose"],
                            template_id=row["template_id"],
                            kind=row["kind"],
                            is_active=row["is_active"],
                        )
                    except ValidationError as exc:
                        row["errors"] = [m for ms in exc.message_dict.values() for m in ms]
                        failed = True
                if failed:
                    raise ValidationError("")
        except ValidationError:
            messages.error(request, _("Nothing was saved: please correct the marked rows."))
            status = 400
        else:
            messages.success(request, _("Notification templates saved."))
            return redirect("console_service_hall:templates", slug=archive.slug)
    return render(
        request,
        "service_hall/console/templates.html",
        {
            "archive": archive,
            "account": selectors.wechat_account_of_archive(archive),
            "rows": rows,
            "kinds": NotificationTemplate.Kind.choices,
            "content_max": SUBSCRIBE_CONTENT_MAX,
        },
        status=status,
    )
