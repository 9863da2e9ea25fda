"""The custom menu: ``menu/create`` (checked against the platform's limits) and ``menu/get``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import Account, Menu
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services.common import SandboxApiError, _number


def _menu_check(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= rules.MENU_BUTTONS:
        raise SandboxApiError(40016)
    for button in buttons:
        if not isinstance(button, dict):
            raise SandboxApiError(47001)
        name = str(button.get("name") or "")
        if not name or len(name.encode()) > rules.MENU_NAME_BYTES:
            raise SandboxApiError(40018)
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > rules.MENU_SUB_BUTTONS:
                raise SandboxApiError(40023)
            for sub in subs:
                if not isinstance(sub, dict):
                    raise SandboxApiError(47001)
                sub_name = str(sub.get("name") or "")
                if not sub_name or len(sub_name.encode()) > rules.MENU_SUB_NAME_BYTES:
                    raise SandboxApiError(40025)
                _button_action_check(sub, sub_level=True)
        else:
            _button_action_check(button, sub_level=False)


def _button_action_check(button: dict[str, Any], *, sub_level: bool) -> None:
    kind = button.get("type")
    if kind not in rules.MENU_TYPES:
        raise SandboxApiError(40024 if sub_level else 40017)
    if kind == "view":
        url = str(button.get("url") or "")
        if not url or len(url.encode()) > rules.MENU_URL_BYTES:
            raise SandboxApiError(40027 if sub_level else 40020)
    elif kind not in ("media_id", "article_id", "article_view_limited", "miniprogram"):
        key = str(button.get("key") or "")
        if not key or len(key.encode()) > rules.MENU_KEY_BYTES:
            raise SandboxApiError(40026 if sub_level else 40019)


@transaction.atomic
def menu_create(*, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    """``menu/create``: up to 3 buttons of up to 5 sub-buttons, names and keys within limits."""
    _menu_check(body.get("button"))
    Menu.objects.update_or_create(
        account=account,
        defaults={
            "menuid": _number(9),
            "button": body["button"],
            "updated_at": account_now(account),
        },
    )
    return {"errcode": 0, "errmsg": "ok"}


def menu_get_or_none(*, account: Account) -> Menu | None:
    """The account's menu, for the sandbox's own page."""
    return Menu.objects.filter(account=account).first()


def menu_get(*, account: Account) -> dict[str, Any]:
    menu = Menu.objects.filter(account=account).first()
    if menu is None:
        raise SandboxApiError(46003)
    return {"menu": {"button": menu.button, "menuid": menu.menuid}}


@transaction.atomic
def menu_delete(*, account: Account) -> dict[str, Any]:
    """``menu/delete``: the custom menu is removed (answers ok also when there was none)."""
    Menu.objects.filter(account=account).delete()
    return {"errcode": 0, "errmsg": "ok"}
