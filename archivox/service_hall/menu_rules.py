"""The custom menu's rules as the platform states them (menu/create), checked before anything is
sent, with the platform's own error codes so the console can say which rule a button breaks.

A menu is kept as *items*: ``[{"name": …, "action": …, "subs": [{"name": …, "action": …}]}]``,
where an action is one of the choices the editor offers (``view:reservations``,
``click:CATALOG``, ``article:<article_id>``); ``menu_payload`` turns items into the platform's
JSON once every action is resolved. Pure functions: no database, no network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

MENU_BUTTONS = 3
MENU_SUB_BUTTONS = 5
MENU_NAME_BYTES = 16  # a top-level name: 16 bytes, about 5 Chinese characters
MENU_SUB_NAME_BYTES = 60
MENU_KEY_BYTES = 128
MENU_URL_BYTES = 1024

# The platform's errcodes for a refused menu, as the console explains them.
ERRCODE_TEXT: dict[int, Any] = {
    40016: _("The menu needs 1 to 3 top-level buttons"),
    40017: _("A top-level button needs an action or sub-buttons"),
    40018: _("A top-level button name is 1 to 16 bytes (at most 5 Chinese characters)"),
    40019: _("A click key is at most 128 bytes"),
    40020: _("A link is at most 1024 bytes"),
    40023: _("A top-level button has at most 5 sub-buttons"),
    40024: _("A sub-button needs an action"),
    40025: _("A sub-button name is 1 to 60 bytes (at most 20 Chinese characters)"),
    40026: _("A sub-button's click key is at most 128 bytes"),
    40027: _("A sub-button's link is at most 1024 bytes"),
    40035: _("The platform finds a field of the menu invalid"),
    45009: _("The account's daily quota of menu changes is used up; try again tomorrow"),
    46003: _("The account has no custom menu"),
    47001: _("The platform could not read the menu"),
    48001: _("The account is not allowed to set a custom menu (not verified?)"),
}


def errcode_text(errcode: int) -> str:
    """The console's sentence for a platform errcode, with the code itself."""
    text = ERRCODE_TEXT.get(errcode)
    if text is None:
        return str(_("WeChat refused the menu")) + f" ({errcode})"
    return f"{text} ({errcode})"


@dataclass(frozen=True)
class Problem:
    errcode: int
    where: str  # "按钮 1" / "按钮 1 · 子按钮 2", for the editor to point at

    def __str__(self) -> str:
        return f"{self.where}: {errcode_text(self.errcode)}"


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _where(index: int, sub: int | None = None) -> str:
    top = str(_("Button %(number)s")) % {"number": index + 1}
    if sub is None:
        return top
    return f"{top} · " + str(_("sub-button %(number)s")) % {"number": sub + 1}


def items_clean(items: Any) -> list[dict[str, Any]]:
    """Items with blank rows dropped and names trimmed (what the editor sends has empty rows)."""
    cleaned = []
    for item in items if isinstance(items, list) else []:
        subs = [
            {"name": str(s.get("name", "")).strip(), "action": str(s.get("action", "")).strip()}
            for s in item.get("subs", []) or []
            if str(s.get("name", "")).strip() or str(s.get("action", "")).strip()
        ]
        name = str(item.get("name", "")).strip()
        action = "" if subs else str(item.get("action", "")).strip()
        if name or action or subs:
            cleaned.append({"name": name, "action": action, "subs": subs})
    return cleaned


def menu_payload(items: list[dict[str, Any]], resolve: Callable[[str], dict[str, Any]]) -> dict:
    """The platform's ``{"button": [...]}`` for ``items``; ``resolve`` turns an action into the
    button's fields (``{"type": "view", "url": …}``) or ``{}`` when it is not (or no longer) on
    offer."""
    buttons = []
    for item in items:
        button: dict[str, Any] = {"name": item["name"]}
        if item["subs"]:
            button["sub_button"] = [
                {"name": s["name"], **resolve(s["action"])} for s in item["subs"]
            ]
        else:
            button.update(resolve(item["action"]))
        buttons.append(button)
    return {"button": buttons}


def menu_problems(payload: dict[str, Any]) -> list[Problem]:
    """Every rule of menu/create the payload breaks (empty: the platform will take it)."""
    buttons = payload.get("button") or []
    problems: list[Problem] = []
    if not 1 <= len(buttons) <= MENU_BUTTONS:
        problems.append(Problem(40016, str(_("Menu"))))
    for index, button in enumerate(buttons[:MENU_BUTTONS]):
        name = button.get("name", "")
        if not name or _bytes(name) > MENU_NAME_BYTES:
            problems.append(Problem(40018, _where(index)))
        subs = button.get("sub_button")
        if subs:
            if len(subs) > MENU_SUB_BUTTONS:
                problems.append(Problem(40023, _where(index)))
            for sub_index, sub in enumerate(subs):
                sub_name = sub.get("name", "")
                if not sub_name or _bytes(sub_name) > MENU_SUB_NAME_BYTES:
                    problems.append(Problem(40025, _where(index, sub_index)))
                problems.extend(_action_problems(sub, _where(index, sub_index), sub_level=True))
        else:
            problems.extend(_action_problems(button, _where(index), sub_level=False))
    return problems


def _action_problems(button: dict[str, Any], where: str, *, sub_level: bool) -> list[Problem]:
    kind = button.get("type")
    if kind == "view":
        url = button.get("url", "")
        if not url or _bytes(url) > MENU_URL_BYTES:
            return [Problem(40027 if sub_level else 40020, where)]
    elif kind == "click":
        key = button.get("key", "")
        if not key or _bytes(key) > MENU_KEY_BYTES:
            return [Problem(40026 if sub_level else 40019, where)]
    elif kind == "article_id":
        if not button.get("article_id"):
            return [Problem(40024 if sub_level else 40017, where)]
    else:
        return [Problem(40024 if sub_level else 40017, where)]
    return []


def menus_equal(sent: dict[str, Any], live: dict[str, Any]) -> bool:
    """Whether the menu menu/get returns is the one sent (the platform adds ``sub_button: []``
    to a button without sub-buttons and may drop fields it does not keep)."""

    def shape(buttons: list[dict[str, Any]]) -> list[tuple]:
        out = []
        for b in buttons or []:
            subs = shape(b.get("sub_button") or [])
            out.append(
                (
                    b.get("name", ""),
                    "" if subs else b.get("type", ""),
                    "" if subs else b.get("url") or b.get("key") or b.get("article_id") or "",
                    tuple(subs),
                )
            )
        return out

    return shape(sent.get("button", [])) == shape(live.get("button", []))
