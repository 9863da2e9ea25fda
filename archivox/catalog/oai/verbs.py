"""The six verbs, each answering into the response's body, and the view at /oai that
parses a request, runs its verb and wraps the answer (or the error) in the envelope."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archivox.catalog import selectors
from archivox.catalog.models import DeletedRecord, Description
from archivox.catalog.oai.arguments import parse_arguments, parse_window
from archivox.catalog.oai.exposure import (
    _deleted_records,
    _in_set,
    _public_descriptions,
    collection_set_specs,
    deleted_set_specs,
)
from archivox.catalog.oai.protocol import (
    DC_NS,
    DOMAIN_NAME,
    EMPTY_EARLIEST,
    GRANULARITY,
    METADATA_PREFIX,
    OAI_DC_NS,
    OAI_DC_SCHEMA,
    OAI_IDENTIFIER_NS,
    OAI_IDENTIFIER_SCHEMA,
    OAIError,
    admin_email,
    base_url,
    format_datestamp,
    identifier_for,
    page_size,
    parse_identifier,
    repository_host,
)
from archivox.catalog.oai.rendering import (
    _deleted_record,
    _envelope,
    _record,
    _serialise,
    _text,
)
from archivox.catalog.oai.resumption import Position, _resumption_token, _take, _token_load
from archivox.core.selectors import archive_list


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
