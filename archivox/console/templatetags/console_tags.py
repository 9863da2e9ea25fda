"""Template helpers of the console."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def audit_changes(entry: Any) -> list[tuple[str, Any, Any]]:
    """An audit entry's before/after as (field, before, after) rows, fields in order of
    appearance; a side that does not name the field shows as None."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    names = list(dict.fromkeys([*before, *after]))
    return [(name, before.get(name), after.get(name)) for name in names]
