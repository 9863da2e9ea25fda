"""What the catalog announces to the apps built on it.

The catalog (layer 2) may not import the apps above it (docs/architecture.md), yet publishing
must learn at once when an item it has published is reclassified, so that the copies out there
can be recalled. So the catalog says that access changed, after the commit, and an app that
cares listens; a listener only queues its own work (the rules stay in that app's services, and
that app also sweeps for what a lost signal would miss).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

#: Sent after the commit of a change that may have changed who may see descriptions: an access
#: level or closure date changed, or a subtree moved under other ancestors (console, API or an
#: import). Keyword arguments: ``archive_id`` and ``description_ids``, the roots of the changed
#: subtrees (everything below them may have changed too).
access_changed = Signal()

logger = logging.getLogger(__name__)


def access_changed_on_commit(*, archive_id: int, description_ids: Iterable[int]) -> None:
    """Announce the change once it is committed: a listener that reads the catalog then sees
    the new access, and a rolled-back change is never announced."""
    from archivox.catalog.models import Description

    ids = sorted(set(description_ids))
    if not ids:
        return

    def send() -> None:
        # The change is committed whatever a listener does: a listener's failure (its queue
        # down, say) is logged, never turned into an error of the catalog change; the
        # listener's own sweep catches up.
        for receiver, result in access_changed.send_robust(
            sender=Description, archive_id=archive_id, description_ids=ids
        ):
            if isinstance(result, Exception):
                logger.error("access_changed: %r failed: %r", receiver, result, exc_info=result)

    transaction.on_commit(send)
