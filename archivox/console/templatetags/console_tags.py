"""Template helpers of the console."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.translation import gettext as _

from archivox.core.audit_labels import audit_action_label, audit_change_rows, audit_model_label
from archivox.core.services import SYSTEM_ACTOR

register = template.Library()


@register.filter
def audit_changes(entry: Any) -> list[dict[str, Any]]:
    """An audit entry's before/after as rows (field label, before, after as text), fields in
    order of appearance; a side that does not name the field is empty."""
    return audit_change_rows(entry)


@register.filter
def audit_action(code: str) -> dict[str, Any]:
    """The action's label, and whether the code was known (else the page shows it too)."""
    label, known = audit_action_label(code)
    return {"label": label, "known": known}


@register.filter
def audit_model(object_type: str) -> str:
    return audit_model_label(object_type)


@register.filter
def audit_actor(label: str) -> str:
    """ "system" (or "system (for …)", the system acting on someone's behalf) in words."""
    if label == SYSTEM_ACTOR:
        return _("the system")
    prefix = f"{SYSTEM_ACTOR} (for "
    if label.startswith(prefix) and label.endswith(")"):
        return _("the system, for %(who)s") % {"who": label[len(prefix) : -1]}
    return label


@register.filter
def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
