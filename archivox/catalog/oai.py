"""OAI-PMH 2.0 data provider at /oai (https://www.openarchives.org/OAI/openarchivesprotocol.html).

Harvesters see exactly what the public portal shows: descriptions come only from the access
gateway (``catalog.selectors``), so confidential material and material under a closure date never
appear, not even as a title. Restricted descriptions are exposed (they carry no digital objects).

- Records are public descriptions in ``oai_dc``; descriptions that left public view are
  ``DeletedRecord`` rows, reported as ``<header status="deleted">`` (deletedRecord: persistent).
- Identifiers are ``oai:<host>:<archive-slug>/<reference code>``, the reference code
  percent-encoded outside the characters the oai-identifier syntax allows (and ``/`` and ``%``).
- Sets: every archive (``<archive-slug>``) and each published featured collection
  (``<archive-slug>:<collection-slug>``).
- Lists are paged by a stable key (the row id, live records first, then deleted ones), so records
  inserted while a harvester pages never make it skip or repeat one. Resumption tokens are
  stateless: the request's arguments and the last key seen, signed with ``django.core.signing``.

See docs/oai-pmh.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core import signing
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archivox.catalog import selectors
from archivox.catalog.models import CollectionEntry, DeletedRecord, Description
from archivox.core.selectors import archive_list

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
RESUMPTION_SIGNING_SALT = "archivox.catalog.oai.resumption-token"

# Characters of the oai-identifier local part that need no escaping, besides letters, digits and
# "_.-~" (which ``quote`` always keeps). "/" separates the archive slug from the reference code
# and "%" starts an escape, so both are escaped inside a reference code.
IDENTIFIER_SAFE = "!*'();?:@&=+$,"
# A namespace-identifier of the oai-identifier scheme is a domain name.
DOMAIN_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
# Characters XML 1.0 cannot carry at all, even escaped.
ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OAIError(Exception):
    """An OAI-PMH error condition, reported as ``<error code="...">`` in an HTTP 200 answer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# verb: (required arguments, optional arguments, whether resumptionToken is accepted)
VERB_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}


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


@dataclass(frozen=True)
class Window:
    """A from/until selection: ``start <= datestamp < end`` (until is inclusive to its
    granularity, so the exclusive end is one second or one day after it)."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    def description_filter(self) -> Q:
        local_zone = timezone.get_current_timezone()
        condition = Q()
        if self.start is not None:
            local = timezone.localtime(self.start, local_zone)
            # The first local day whose midnight is not before start.
            first_day = local.date() + datetime.timedelta(days=local.time() != datetime.time())
            condition &= Q(updated_at__gte=self.start) | Q(
                effective_closed_until__gte=first_day - datetime.timedelta(days=1)
            )
        if self.end is not None:
            local = timezone.localtime(self.end, local_zone)
            # The last local day whose midnight is before end.
            last_day = local.date() - datetime.timedelta(days=local.time() == datetime.time())
            condition &= Q(updated_at__lt=self.end) & (
                Q(effective_closed_until__isnull=True)
                | Q(effective_closed_until__lte=last_day - datetime.timedelta(days=1))
            )
        return condition

    def deleted_filter(self) -> Q:
        condition = Q()
        if self.start is not None:
            condition &= Q(deleted_at__gte=self.start)
        if self.end is not None:
            condition &= Q(deleted_at__lt=self.end)
        return condition


def _parse_datestamp(value: str, name: str) -> tuple[datetime.datetime, str]:
    try:
        if DAY.fullmatch(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC), "day"
        if SECOND.fullmatch(value):
            moment = datetime.datetime.strptime(value, DATESTAMP_FORMAT)
            return moment.replace(tzinfo=datetime.UTC), "second"
    except ValueError:
        pass
    raise OAIError(
        "badArgument", f"{name}={value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"
    )


def parse_window(from_: str | None, until: str | None) -> Window:
    start = end = None
    if from_ is not None:
        start, from_granularity = _parse_datestamp(from_, "from")
    if until is not None:
        until_start, until_granularity = _parse_datestamp(until, "until")
        step = (
            datetime.timedelta(days=1)
            if until_granularity == "day"
            else datetime.timedelta(seconds=1)
        )
        try:
            end = until_start + step
        except OverflowError:
            end = None
        if from_ is not None:
            if from_granularity != until_granularity:
                raise OAIError("badArgument", "from and until must have the same granularity")
            if start > until_start:
                raise OAIError("badArgument", "from is later than until")
    window = Window(start, end)
    try:
        window.description_filter()
    except (OverflowError, ValueError) as exc:
        raise OAIError("badArgument", "from or until is out of range") from exc
    return window


# --- what is exposed: the access gateway, and sets -------------------------------------------


def _public_descriptions() -> QuerySet[Description]:
    return selectors.description_list_public()


def _deleted_records() -> QuerySet[DeletedRecord]:
    # A deletion record is moot while the description is public again (a closure that lapsed
    # by the calendar rather than through an edit leaves its record behind).
    back_in_view = _public_descriptions().filter(
        archive_id=OuterRef("archive_id"), reference_code=OuterRef("reference_code")
    )
    return selectors.deleted_record_list().filter(~Exists(back_in_view))


def _published_collection_ids() -> QuerySet[Any]:
    return selectors.collection_list_public().order_by().values("pk")


def collection_set_specs(descriptions: Sequence[Description]) -> dict[int, list[str]]:
    """setSpecs of many descriptions in one query: the archive, and archive:collection for each
    published featured collection holding it (``selectors.set_specs_for``, in bulk)."""
    specs = {d.pk: [d.archive.slug] for d in descriptions}
    if not specs:
        return specs
    by_pk = {d.pk: d for d in descriptions}
    entries = (
        CollectionEntry.objects.filter(
            description_id__in=list(specs), collection__in=_published_collection_ids()
        )
        .order_by("collection__position", "collection_id")
        .values_list("description_id", "collection__slug")
    )
    for description_id, collection_slug in entries:
        spec = f"{by_pk[description_id].archive.slug}:{collection_slug}"
        if spec not in specs[description_id]:
            specs[description_id].append(spec)
    return specs


def deleted_set_specs(records: Sequence[DeletedRecord]) -> dict[int, list[str]]:
    """setSpecs of deletion records, as recorded when they left public view, less the
    collections that are not (or no longer) published; one query at most."""
    recorded = {record.pk: [str(spec) for spec in record.set_specs or []] for record in records}
    wanted = {spec.split(":", 1)[1] for specs in recorded.values() for spec in specs if ":" in spec}
    published: set[str] = set()
    if wanted:
        published = set(
            selectors.collection_list_public()
            .filter(slug__in=wanted)
            .order_by()
            .values_list("slug", flat=True)
        )
    specs: dict[int, list[str]] = {}
    for record in records:
        slug = record.archive.slug
        kept = [slug]
        for spec in recorded[record.pk]:
            archive_slug, _, collection_slug = spec.partition(":")
            if archive_slug == slug and collection_slug in published and spec not in kept:
                kept.append(spec)
        specs[record.pk] = kept
    return specs


def _in_set(
    descriptions: QuerySet[Description], deleted: QuerySet[DeletedRecord], set_spec: str
) -> tuple[QuerySet[Description], QuerySet[DeletedRecord]]:
    parts = set_spec.split(":")
    if len(parts) == 1 and parts[0]:
        return descriptions.filter(archive__slug=parts[0]), deleted.filter(archive__slug=parts[0])
    if len(parts) == 2 and all(parts):
        archive_slug, collection_slug = parts
        in_collection = CollectionEntry.objects.filter(
            description_id=OuterRef("pk"),
            collection__in=_published_collection_ids().filter(slug=collection_slug),
        )
        # set_specs is a JSON list of slugs; its text holds each spec as a quoted string.
        deleted = (
            deleted.filter(archive__slug=archive_slug)
            .annotate(set_specs_text=Cast("set_specs", TextField()))
            .filter(set_specs_text__contains=f'"{set_spec}"')
            .filter(Exists(_published_collection_ids().filter(slug=collection_slug)))
        )
        return descriptions.filter(archive__slug=archive_slug).filter(
            Exists(in_collection)
        ), deleted
    return descriptions.none(), deleted.none()


# --- paging and resumption tokens ------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a list stands: the source being read (0: live records or archives, 1: deleted
    records or collections), the last id seen in it, and how many items went out before."""

    source: int = 0
    last_id: int = 0
    cursor: int = 0
    complete_size: int | None = None


def _take(
    sources: Sequence[QuerySet[Any]], position: Position, size: int
) -> tuple[list[tuple[int, Any]], Position | None]:
    """Up to ``size`` items after ``position`` in id order, and where the next page starts
    (None on the last page). One query per source touched."""
    taken: list[tuple[int, Any]] = []
    for index in range(position.source, len(sources)):
        after = position.last_id if index == position.source else 0
        wanted = size - len(taken)
        rows = list(sources[index].filter(pk__gt=after).order_by("pk")[: wanted + 1])
        taken.extend((index, row) for row in rows[:wanted])
        if len(rows) > wanted:
            last_source, last_row = taken[-1]
            return taken, Position(
                last_source, last_row.pk, position.cursor + len(taken), position.complete_size
            )
    return taken, None


def _token_dump(verb: str, arguments: dict[str, str], position: Position) -> str:
    payload = {
        "verb": verb,
        "args": arguments,
        "at": [position.source, position.last_id],
        "cursor": position.cursor,
        "size": position.complete_size,
    }
    return signing.dumps(payload, salt=RESUMPTION_SIGNING_SALT, compress=True)


def _token_load(verb: str, token: str) -> tuple[dict[str, str], Position]:
    try:
        payload = signing.loads(token, salt=RESUMPTION_SIGNING_SALT)
        if payload["verb"] != verb:
            raise ValueError("the token belongs to another verb")
        arguments = payload["args"]
        source, last_id = payload["at"]
        position = Position(int(source), int(last_id), int(payload["cursor"]), payload["size"])
        if not isinstance(arguments, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in arguments.items()
        ):
            raise ValueError("malformed arguments")
        if position.source not in (0, 1) or position.last_id < 0 or position.cursor < 0:
            raise ValueError("malformed position")
        if position.complete_size is not None and not isinstance(position.complete_size, int):
            raise ValueError("malformed size")
    except (signing.BadSignature, ValueError, KeyError, TypeError) as exc:
        raise OAIError(
            "badResumptionToken", "the resumptionToken is invalid or has expired"
        ) from exc
    return arguments, position


def _resumption_token(
    parent: ET.Element,
    verb: str,
    arguments: dict[str, str],
    resumed: bool,
    nxt: Position | None,
    current: Position,
) -> None:
    """A token for the next page; an empty one closes a list that took more than one page."""
    if nxt is None and not resumed:
        return
    attributes = {"cursor": str(current.cursor)}
    if current.complete_size is not None:
        attributes = {"completeListSize": str(current.complete_size), **attributes}
    element = ET.SubElement(parent, "resumptionToken", attributes)
    if nxt is not None:
        element.text = _token_dump(verb, arguments, nxt)


# --- XML -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return ILLEGAL_XML_CHARS.sub("", text)


def _text(
    parent: ET.Element, tag: str, text: str, attributes: dict[str, str] | None = None
) -> None:
    element = ET.SubElement(parent, tag, attributes or {})
    element.text = _clean(text)


def _header(
    parent: ET.Element,
    identifier: str,
    datestamp: datetime.datetime,
    set_specs: Sequence[str],
    *,
    deleted: bool = False,
) -> None:
    header = ET.SubElement(parent, "header", {"status": "deleted"} if deleted else {})
    _text(header, "identifier", identifier)
    _text(header, "datestamp", format_datestamp(datestamp))
    for spec in set_specs:
        _text(header, "setSpec", spec)


def portal_url(description: Description) -> str:
    code = quote(description.reference_code, safe="")
    return f"{settings.BASE_URL}/archives/{description.archive.slug}/catalog/{code}/"


def _dates_of(description: Description) -> str:
    if description.date_expression:
        return description.date_expression
    start, end = description.start_year, description.end_year
    if start is not None and end is not None and start != end:
        return f"{start}/{end}"
    year = start if start is not None else end
    return "" if year is None else str(year)


def _oai_dc(parent: ET.Element, description: Description) -> None:
    """Dublin Core from the ISAD(G) fields of a public description."""
    dc = ET.SubElement(
        parent,
        "oai_dc:dc",
        {
            "xmlns:oai_dc": OAI_DC_NS,
            "xmlns:dc": DC_NS,
            "xsi:schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}",
        },
    )
    _text(dc, "dc:title", description.title)
    if description.title_en:
        _text(dc, "dc:title", description.title_en, {"xml:lang": "en"})
    if description.creator:
        _text(dc, "dc:creator", description.creator)
    for subject in description.subjects or []:
        _text(dc, "dc:subject", str(subject))
    if description.scope_content:
        _text(dc, "dc:description", description.scope_content)
    _text(dc, "dc:publisher", str(description.archive))
    dates = _dates_of(description)
    if dates:
        _text(dc, "dc:date", dates)
    _text(dc, "dc:type", description.level)
    if description.extent:
        _text(dc, "dc:format", description.extent)
    _text(dc, "dc:identifier", description.reference_code)
    _text(dc, "dc:identifier", portal_url(description))
    if description.language:
        _text(dc, "dc:language", description.language)
    for place in description.places or []:
        _text(dc, "dc:coverage", str(place))
    if description.access_conditions:
        _text(dc, "dc:rights", description.access_conditions)


def _record(
    parent: ET.Element, description: Description, set_specs: Sequence[str], *, with_metadata: bool
) -> None:
    identifier = identifier_for(description.archive.slug, description.reference_code)
    if not with_metadata:
        _header(parent, identifier, description_datestamp(description), set_specs)
        return
    record = ET.SubElement(parent, "record")
    _header(record, identifier, description_datestamp(description), set_specs)
    _oai_dc(ET.SubElement(record, "metadata"), description)


def _deleted_record(
    parent: ET.Element, deleted: DeletedRecord, set_specs: Sequence[str], *, with_metadata: bool
) -> None:
    identifier = identifier_for(deleted.archive.slug, deleted.reference_code)
    if with_metadata:
        parent = ET.SubElement(parent, "record")
    _header(parent, identifier, deleted.deleted_at, set_specs, deleted=True)


def _envelope(arguments: dict[str, str] | None) -> ET.Element:
    root = ET.Element(
        "OAI-PMH",
        {
            "xmlns": OAI_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{OAI_NS} {OAI_SCHEMA}",
        },
    )
    _text(root, "responseDate", format_datestamp(timezone.now()))
    _text(root, "request", base_url(), {k: _clean(v) for k, v in (arguments or {}).items()})
    return root


def _serialise(root: ET.Element) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


# --- verbs -----------------------------------------------------------------------------------


def _find(identifier: str) -> Description | DeletedRecord:
    """The public description or the deletion record an identifier names."""
    parsed = parse_identifier(identifier)
    if parsed is not None:
        slug, reference_code = parsed
        found = (
            _public_descriptions().filter(archive__slug=slug, reference_code=reference_code).first()
        )
        if found is None:
            found = (
                _deleted_records().filter(archive__slug=slug, reference_code=reference_code).first()
            )
        if found is not None:
            return found
    raise OAIError("idDoesNotExist", f"{identifier!r} is unknown in this repository")


def _check_prefix(prefix: str) -> None:
    if prefix != METADATA_PREFIX:
        raise OAIError(
            "cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not supported; use oai_dc"
        )


def identify(root: ET.Element, arguments: dict[str, str]) -> None:
    earliest = [
        _public_descriptions().aggregate(first=Min("updated_at"))["first"],
        _deleted_records().aggregate(first=Min("deleted_at"))["first"],
    ]
    found = [moment for moment in earliest if moment is not None]
    element = ET.SubElement(root, "Identify")
    _text(element, "repositoryName", getattr(settings, "ARCHIVOX_OAI_REPOSITORY_NAME", "Archivox"))
    _text(element, "baseURL", base_url())
    _text(element, "protocolVersion", "2.0")
    _text(element, "adminEmail", admin_email())
    _text(element, "earliestDatestamp", format_datestamp(min(found, default=EMPTY_EARLIEST)))
    _text(element, "deletedRecord", "persistent")
    _text(element, "granularity", GRANULARITY)
    host = repository_host()
    if DOMAIN_NAME.fullmatch(host):
        description = ET.SubElement(element, "description")
        oai_identifier = ET.SubElement(
            description,
            "oai-identifier",
            {
                "xmlns": OAI_IDENTIFIER_NS,
                "xsi:schemaLocation": f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}",
            },
        )
        _text(oai_identifier, "scheme", "oai")
        _text(oai_identifier, "repositoryIdentifier", host)
        _text(oai_identifier, "delimiter", ":")
        _text(oai_identifier, "sampleIdentifier", identifier_for("nanjing", "J001-001-0001"))


def list_metadata_formats(root: ET.Element, arguments: dict[str, str]) -> None:
    if "identifier" in arguments and isinstance(_find(arguments["identifier"]), DeletedRecord):
        raise OAIError(
            "noMetadataFormats", "the item is deleted; no metadata is disseminated for it"
        )
    element = ET.SubElement(root, "ListMetadataFormats")
    metadata_format = ET.SubElement(element, "metadataFormat")
    _text(metadata_format, "metadataPrefix", METADATA_PREFIX)
    _text(metadata_format, "schema", OAI_DC_SCHEMA)
    _text(metadata_format, "metadataNamespace", OAI_DC_NS)


def get_record(root: ET.Element, arguments: dict[str, str]) -> None:
    found = _find(arguments["identifier"])
    _check_prefix(arguments["metadataPrefix"])
    element = ET.SubElement(root, "GetRecord")
    if isinstance(found, DeletedRecord):
        _deleted_record(element, found, deleted_set_specs([found])[found.pk], with_metadata=True)
    else:
        _record(element, found, collection_set_specs([found])[found.pk], with_metadata=True)


def _list_records(verb: str, root: ET.Element, arguments: dict[str, str]) -> None:
    with_metadata = verb == "ListRecords"
    resumed = "resumptionToken" in arguments
    if resumed:
        arguments, position = _token_load(verb, arguments["resumptionToken"])
    else:
        position = Position()
    _check_prefix(arguments.get("metadataPrefix", ""))
    window = parse_window(arguments.get("from"), arguments.get("until"))
    descriptions = _public_descriptions().filter(window.description_filter())
    deleted = _deleted_records().filter(window.deleted_filter())
    if "set" in arguments:
        descriptions, deleted = _in_set(descriptions, deleted, arguments["set"])
    if not resumed:
        position = Position(complete_size=descriptions.count() + deleted.count())
    items, nxt = _take([descriptions, deleted], position, page_size())
    if not items and not resumed:
        raise OAIError("noRecordsMatch", "no records match the arguments")
    element = ET.SubElement(root, verb)
    live_specs = collection_set_specs([item for source, item in items if source == 0])
    gone_specs = deleted_set_specs([item for source, item in items if source == 1])
    for source, item in items:
        if source == 0:
            _record(element, item, live_specs[item.pk], with_metadata=with_metadata)
        else:
            _deleted_record(element, item, gone_specs[item.pk], with_metadata=with_metadata)
    _resumption_token(element, verb, arguments, resumed, nxt, position)


def list_identifiers(root: ET.Element, arguments: dict[str, str]) -> None:
    _list_records("ListIdentifiers", root, arguments)


def list_records(root: ET.Element, arguments: dict[str, str]) -> None:
    _list_records("ListRecords", root, arguments)


def list_sets(root: ET.Element, arguments: dict[str, str]) -> None:
    resumed = "resumptionToken" in arguments
    if resumed:
        _, position = _token_load("ListSets", arguments["resumptionToken"])
    else:
        position = Position()
    archives = archive_list()
    collections = selectors.collection_list_public()
    if not resumed:
        position = Position(complete_size=archives.count() + collections.count())
    items, nxt = _take([archives, collections], position, page_size())
    if not items and not resumed:
        raise OAIError("noSetHierarchy", "there are no sets in this repository yet")
    element = ET.SubElement(root, "ListSets")
    for source, item in items:
        entry = ET.SubElement(element, "set")
        if source == 0:
            _text(entry, "setSpec", item.slug)
            _text(entry, "setName", str(item))
            continue
        _text(entry, "setSpec", f"{item.archive.slug}:{item.slug}")
        _text(entry, "setName", item.title)
        if item.title_en or item.introduction:
            dc = ET.SubElement(
                ET.SubElement(entry, "setDescription"),
                "oai_dc:dc",
                {
                    "xmlns:oai_dc": OAI_DC_NS,
                    "xmlns:dc": DC_NS,
                    "xsi:schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}",
                },
            )
            if item.title_en:
                _text(dc, "dc:title", item.title_en, {"xml:lang": "en"})
            if item.introduction:
                _text(dc, "dc:description", item.introduction)
    _resumption_token(element, "ListSets", {}, resumed, nxt, position)


VERBS: dict[str, Callable[[ET.Element, dict[str, str]], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


def parse_arguments(params: QueryDict) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked against the protocol (badVerb, badArgument)."""
    verbs = params.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OAIError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERB_ARGUMENTS:
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    repeated = sorted(key for key in params if len(params.getlist(key)) > 1)
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(repeated)}")
    arguments = {key: params[key] for key in params if key != "verb"}
    required, optional, resumable = VERB_ARGUMENTS[verb]
    if resumable and "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return verb, arguments
    illegal = sorted(set(arguments) - required - optional)
    if illegal:
        raise OAIError("badArgument", f"illegal argument for {verb}: {', '.join(illegal)}")
    missing = sorted(required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"missing argument for {verb}: {', '.join(missing)}")
    return verb, arguments


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    """Answer one OAI-PMH request (GET, or POST as application/x-www-form-urlencoded)."""
    params = request.POST if request.method == "POST" else request.GET
    verb = ""
    arguments: dict[str, str] = {}
    try:
        verb, arguments = parse_arguments(params)
        body = ET.Element("body")
        VERBS[verb](body, arguments)
    except OAIError as error:
        # The request is echoed without attributes after badVerb and badArgument (spec 3.2).
        echo = None if error.code in ("badVerb", "badArgument") else {"verb": verb, **arguments}
        root = _envelope(echo)
        _text(root, "error", error.message, {"code": error.code})
        return _serialise(root)
    root = _envelope({"verb": verb, **arguments})
    root.extend(body)
    return _serialise(root)
