"""Derived tree fields of a description: materialised path, depth and effective access.

Kept apart from services so that bulk importers compute exactly what single edits compute.
"""

from __future__ import annotations

import datetime

from archivox.catalog.models import Access, Description, stricter_access


def later_closure(
    first: datetime.date | None, second: datetime.date | None
) -> datetime.date | None:
    if first is None:
        return second
    if second is None:
        return first
    return max(first, second)


def inherit_from(description: Description, parent: Description | None) -> None:
    """Set depth and effective access of ``description`` from its own values and its parent's.
    The path needs the row's id, so ``path_for`` is applied after the first save."""
    if parent is None:
        description.depth = 0
        description.effective_access = description.access_level
        description.effective_closed_until = description.closed_until
    else:
        description.depth = parent.depth + 1
        description.effective_access = stricter_access(
            description.access_level, parent.effective_access
        )
        description.effective_closed_until = later_closure(
            description.closed_until, parent.effective_closed_until
        )


def path_for(description_id: int, parent: Description | None) -> str:
    return f"{parent.path if parent else '/'}{description_id}/"


def effective_fields(description: Description) -> tuple[str, datetime.date | None]:
    return description.effective_access, description.effective_closed_until


ACCESS_VALUES = tuple(Access.values)
