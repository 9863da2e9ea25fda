"""What the inbox's stages share: the permission check every staff change passes, and the
refusal whose message is fit for the person or the staff member."""

from __future__ import annotations

from typing import Any

from archivox.consultations.models import Consultation
from archivox.core.models import Archive
from archivox.core.selectors import Capability, archive_check_capability


def may(*, user: Any, archive: Archive, capability: str) -> None:
    """Staff changes are checked; ``user=None`` is the system (commands, tasks, tests' setup)."""
    if user is not None:
        archive_check_capability(user=user, archive=archive, capability=capability)


def may_answer(actor: Any, consultation: Consultation) -> None:
    """``actor`` may answer ``consultation`` (its archive's consultations)."""
    may(user=actor, archive=consultation.archive, capability=Capability.CONSULTATION_ANSWER)


class InboxError(Exception):
    """A refusal with a message fit for the person or the staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
