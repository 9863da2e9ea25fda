"""The catalog listening to its own announcement: when access changes, the cached derivatives
of every image below the changed descriptions go (the gateway already refuses them; this keeps
no copy of what may no longer be shown)."""

from __future__ import annotations

from typing import Any

from archivox.catalog import selectors
from archivox.catalog.iiif import cache


def on_access_changed(sender: Any, *, description_ids: list[int], **kwargs: Any) -> None:
    object_ids = selectors.digital_object_ids_below(description_ids=description_ids)
    cache.derivatives_purge(object_ids=object_ids)
