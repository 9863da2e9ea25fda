"""What the collecting services share: the error the person or the archivist reads, limits,
and checking a file by its content."""

from __future__ import annotations

import dataclasses
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from archivox.catalog.services import CatalogError, sniff_digital_object
from archivox.collecting.models import OfferFile
from archivox.core.models import Archive, User
from archivox.core.selectors import archive_check_capability

FILES_PER_OFFER = 10
NAME_MAX = 100
CONTACT_MAX = 200


class CollectingError(ValidationError):
    """An offer or a review that cannot be made; the messages are for the person who tried."""


def file_size_limit() -> int:
    """Bytes one offered file may have (``ARCHIVOX_COLLECTING_MAX_FILE_MB``, default 20 MB, never
    above the catalog's upload limit, since accepted files become catalog objects)."""
    megabytes = int(getattr(settings, "ARCHIVOX_COLLECTING_MAX_FILE_MB", 20))
    return min(megabytes * 1024 * 1024, settings.MAX_UPLOAD_BYTES)


@dataclasses.dataclass(frozen=True)
class CheckedFile:
    kind: str
    media_type: str
    extension: str


# Audio by its first bytes: what phones record (AMR is WeChat's voice format) and what people
# keep (MP3, M4A, WAV, Ogg).
def _audio(content: bytes) -> CheckedFile | None:
    head = content[:16]
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return CheckedFile(OfferFile.Kind.AUDIO, "audio/mpeg", "mp3")
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso", b"mp4"):
        return CheckedFile(OfferFile.Kind.AUDIO, "audio/mp4", "m4a")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return CheckedFile(OfferFile.Kind.AUDIO, "audio/wav", "wav")
    if head.startswith(b"OggS"):
        return CheckedFile(OfferFile.Kind.AUDIO, "audio/ogg", "ogg")
    if head.startswith(b"#!AMR"):
        return CheckedFile(OfferFile.Kind.AUDIO, "audio/amr", "amr")
    return None


def file_check(content: bytes, name: str = "") -> CheckedFile:
    """What an offered file is, by its bytes (never its name or the browser's word), or a
    CollectingError naming the file."""
    label = name or _("the file")
    if not content:
        raise CollectingError(_("%(name)s is empty.") % {"name": label})
    limit = file_size_limit()
    if len(content) > limit:
        raise CollectingError(
            _("%(name)s is %(size)s MB; one file may have at most %(limit)s MB.")
            % {
                "name": label,
                "size": f"{len(content) / (1024 * 1024):.1f}",
                "limit": limit // (1024 * 1024),
            }
        )
    audio = _audio(content)
    if audio is not None:
        return audio
    try:
        sniffed = sniff_digital_object(content)
    except CatalogError as exc:
        raise CollectingError(
            _(
                "%(name)s is not a picture (JPEG, PNG, GIF, WebP), a PDF or a sound recording "
                "(MP3, M4A, WAV, Ogg, AMR)."
            )
            % {"name": label}
        ) from exc
    kind = OfferFile.Kind.PDF if sniffed.media_type == "application/pdf" else OfferFile.Kind.IMAGE
    return CheckedFile(kind, sniffed.media_type, sniffed.extension)


def contact_validate(contact: str) -> str:
    contact = (contact or "").strip()
    if not contact:
        raise CollectingError({"contact": _("Please give an e-mail address or a phone number.")})
    if len(contact) > CONTACT_MAX:
        raise CollectingError({"contact": _("The contact is too long.")})
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError as exc:
            raise CollectingError({"contact": _("This e-mail address is not valid.")}) from exc
        return contact
    if not re.fullmatch(r"\+?[\d\s\-()]{5,30}", contact):
        raise CollectingError(
            {"contact": _("Please give an e-mail address or a phone number (digits only).")}
        )
    return contact


def person_key_for(contact: str) -> str:
    contact = contact.strip()
    return contact.lower() if "@" in contact else re.sub(r"\D", "", contact)


def check_capability(actor: User | None, archive: Archive, capability: str) -> None:
    """Staff need ``capability`` in the archive; ``None`` is the system (demo data, commands)."""
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=capability)
