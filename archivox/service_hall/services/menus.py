"""The custom menu's stages: an editor saves a draft and submits it; a reviewer (never its
author) publishes it — checked against the platform's rules before anything is sent, sent with
menu/create, fetched back with menu/get and compared — or returns it with a note. Each step is
audited (``wechat_menu.save``/``submit``/``return``/``publish``/``check``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.platforms.wechat.client import WeChatApiError, WeChatError, client_for_account
from archivox.service_hall import menu_rules
from archivox.service_hall.models import WeChatMenu
from archivox.service_hall.selectors import menu_current, menu_resolver, wechat_account_of_archive


def _account(archive: Archive) -> PlatformAccount:
    account = wechat_account_of_archive(archive)
    if account is None:
        raise ValidationError(_("This archive has no WeChat account with an AppID."))
    return account


def menu_check(*, archive: Archive, items: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Clean ``items``, resolve every action against what is on offer now, and check the
    platform's rules; ValidationError lists each problem with its errcode."""
    cleaned = menu_rules.items_clean(items)
    resolver = menu_resolver(archive=archive)
    unknown = [
        action
        for item in cleaned
        for action in [item["action"], *(s["action"] for s in item["subs"])]
        if action and action not in resolver
    ]
    if unknown:
        raise ValidationError(
            _("Pick each button's action from the list; this one is not on offer: %(action)s")
            % {"action": unknown[0]}
        )
    payload = menu_rules.menu_payload(cleaned, lambda action: dict(resolver.get(action, {})))
    problems = menu_rules.menu_problems(payload)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    return cleaned, payload


@transaction.atomic
def menu_draft_save(*, actor: User, archive: Archive, items: Any) -> WeChatMenu:
    """Save the account's draft (a menu in review goes back to draft when edited)."""
    archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)
    account = _account(archive)
    cleaned, _payload = menu_check(archive=archive, items=items)
    menu, _published = menu_current(account=account)
    if menu is None:
        menu = WeChatMenu(archive=archive, account=account, author=actor)
    menu.items = cleaned
    menu.status = WeChatMenu.Status.DRAFT
    menu.error = ""
    menu.save()
    audit_record(
        actor=actor, action="wechat_menu.save", obj=menu, archive=archive, after={"items": cleaned}
    )
    return menu


@transaction.atomic
def menu_submit(*, actor: User, menu: WeChatMenu) -> WeChatMenu:
    archive_check_capability(user=actor, archive=menu.archive, capability=Capability.POST_COMPOSE)
    if menu.status != WeChatMenu.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    menu_check(archive=menu.archive, items=menu.items)
    menu.status = WeChatMenu.Status.IN_REVIEW
    menu.submitted_at = timezone.now()
    menu.review_note = ""
    menu.save()
    audit_record(actor=actor, action="wechat_menu.submit", obj=menu, archive=menu.archive)
    return menu


def _check_reviewer(actor: User, menu: WeChatMenu) -> None:
    archive_check_capability(user=actor, archive=menu.archive, capability=Capability.POST_REVIEW)
    if menu.status != WeChatMenu.Status.IN_REVIEW:
        raise ValidationError(_("This menu is not waiting for review."))
    if menu.author_id == actor.pk:
        raise ValidationError(_("The author of a menu cannot review it."))


@transaction.atomic
def menu_return(*, actor: User, menu: WeChatMenu, note: str) -> WeChatMenu:
    _check_reviewer(actor, menu)
    menu.status = WeChatMenu.Status.DRAFT
    menu.reviewer = actor
    menu.review_note = note.strip()[:500]
    menu.save()
    audit_record(
        actor=actor,
        action="wechat_menu.return",
        obj=menu,
        archive=menu.archive,
        after={"note": menu.review_note},
    )
    return menu


def menu_publish(*, actor: User, menu: WeChatMenu) -> WeChatMenu:
    """Send the menu (menu/create), fetch it back (menu/get) and record whether they match.
    A refusal keeps the menu in review with the platform's errcode explained."""
    _check_reviewer(actor, menu)
    _cleaned, payload = menu_check(archive=menu.archive, items=menu.items)
    try:
        with client_for_account(menu.account) as api:
            api.menu_create(payload)
            live = api.menu_get().get("menu", {})
    except WeChatApiError as exc:
        message = menu_rules.errcode_text(exc.errcode)
        _record_refusal(actor, menu, message)
        raise ValidationError(message) from exc
    except WeChatError as exc:
        message = _("WeChat could not be reached; nothing changed. Try again later.")
        _record_refusal(actor, menu, f"{message} ({type(exc).__name__})")
        raise ValidationError(message) from exc
    with transaction.atomic():
        now = timezone.now()
        WeChatMenu.objects.filter(account=menu.account, status=WeChatMenu.Status.PUBLISHED).update(
            status=WeChatMenu.Status.SUPERSEDED
        )
        menu.status = WeChatMenu.Status.PUBLISHED
        menu.reviewer = actor
        menu.sent = payload
        menu.live = live
        menu.live_matches = menu_rules.menus_equal(payload, live)
        menu.live_checked_at = now
        menu.published_at = now
        menu.error = ""
        menu.save()
        audit_record(
            actor=actor,
            action="wechat_menu.publish",
            obj=menu,
            archive=menu.archive,
            after={"menu": payload, "matches": menu.live_matches},
        )
    return menu


def _record_refusal(actor: User, menu: WeChatMenu, message: str) -> None:
    with transaction.atomic():
        WeChatMenu.objects.filter(pk=menu.pk).update(error=message[:500], updated_at=timezone.now())
        menu.error = message[:500]
        audit_record(
            actor=actor,
            action="wechat_menu.refuse",
            obj=menu,
            archive=menu.archive,
            after={"error": message},
        )


def menu_live_check(*, actor: User, archive: Archive) -> WeChatMenu | None:
    """Fetch the menu WeChat shows now and compare it with the one published here."""
    archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)
    account = _account(archive)
    _open, published = menu_current(account=account)
    try:
        with client_for_account(account) as api:
            live = api.menu_get().get("menu", {})
    except WeChatApiError as exc:
        if exc.errcode != 46003:
            raise ValidationError(menu_rules.errcode_text(exc.errcode)) from exc
        live = {}
    except WeChatError as exc:
        raise ValidationError(_("WeChat could not be reached; try again later.")) from exc
    if published is None:
        return None
    published.live = live
    published.live_matches = menu_rules.menus_equal(published.sent, live)
    published.live_checked_at = timezone.now()
    published.save(update_fields=["live", "live_matches", "live_checked_at", "updated_at"])
    audit_record(
        actor=actor,
        action="wechat_menu.check",
        obj=published,
        archive=archive,
        after={"matches": published.live_matches},
    )
    return published
