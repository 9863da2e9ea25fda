"""What the protocol and this repository's settings fix: namespaces, the error, the base URL
and page size, identifiers and datestamps."""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.utils import timezone

from archivox.catalog.models import Description

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

METADATA_PREFIX = "oai_dc"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Reported as earliestDatestamp while the repository holds no record at all.
EMPTY_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Records per ListIdentifiers/ListRecords/ListSets response; settings.ARCHIVOX_OAI_PAGE_SIZE wins.
PAGE_SIZE = 100

# Characters of the oai-identifier local part that need no escaping, besides letters, digits and
# "_.-~" (which ``quote`` always keeps). "/" separates the archive slug from the reference code
# and "%" starts an escape, so both are escaped inside a reference code.
IDENTIFIER_SAFE = "!*'();?:@&=+$,"
# A namespace-identifier of the oai-identifier scheme is a domain name.
DOMAIN_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


class OAIError(Exception):
    """An OAI-PMH error condition, reported as ``<error code="...">`` in an HTTP 200 answer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- settings ------------------------------------------------------------------------------


def page_size() -> int:
    return max(1, int(getattr(settings, "ARCHIVOX_OAI_PAGE_SIZE", PAGE_SIZE)))


def base_url() -> str:
    return f"{settings.BASE_URL}/oai"


def repository_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "localhost"


def admin_email() -> str:
    configured = getattr(settings, "ARCHIVOX_OAI_ADMIN_EMAIL", "")
    if configured:
        return configured
    admins = getattr(settings, "ADMINS", [])
    if admins:
        return admins[0][1]
    return settings.DEFAULT_FROM_EMAIL


# --- identifiers and datestamps --------------------------------------------------------------


def identifier_for(archive_slug: str, reference_code: str) -> str:
    """``oai:<host>:<archive-slug>/<reference code>``, the code percent-encoded as needed."""
    return f"oai:{repository_host()}:{archive_slug}/{quote(reference_code, safe=IDENTIFIER_SAFE)}"


def parse_identifier(identifier: str) -> tuple[str, str] | None:
    """(archive slug, reference code) of an identifier of this repository, or None."""
    prefix = f"oai:{repository_host()}:"
    if not identifier.startswith(prefix):
        return None
    slug, separator, encoded = identifier[len(prefix) :].partition("/")
    if not slug or not separator or not encoded:
        return None
    try:
        reference_code = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return None
    return slug, reference_code


def format_datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(DATESTAMP_FORMAT)


def _becomes_public_at(closed_until: datetime.date) -> datetime.datetime:
    """When a closure ending on ``closed_until`` lets the public see a description: the start of
    the next local day (``selectors.public_filter`` compares with the local date)."""
    next_day = datetime.datetime.combine(closed_until + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(next_day, timezone.get_current_timezone())


def description_datestamp(description: Description) -> datetime.datetime:
    """Its last change, or the moment its closure lapsed if that came later: a description
    whose closure ends appears to harvesters then, without anyone editing it."""
    stamp = description.updated_at
    if description.effective_closed_until is not None:
        stamp = max(stamp, _becomes_public_at(description.effective_closed_until))
    return stamp
