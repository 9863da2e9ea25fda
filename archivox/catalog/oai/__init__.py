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

One module per stage of answering a request: ``arguments`` (the verb and its arguments),
``exposure`` (what harvesters may see, and sets), ``resumption`` (paging and tokens),
``rendering`` (the XML and ``oai_dc``), ``verbs`` (the verbs and the view ``oai_endpoint``);
``protocol`` holds what they share. This package re-exports their public names, so
``from archivox.catalog import oai`` and ``oai.oai_endpoint`` keep working. Code inside the app
imports from the stage module.
"""

from archivox.catalog.oai.arguments import VERB_ARGUMENTS, Window, parse_arguments, parse_window
from archivox.catalog.oai.exposure import collection_set_specs, deleted_set_specs
from archivox.catalog.oai.protocol import (
    DATESTAMP_FORMAT,
    GRANULARITY,
    METADATA_PREFIX,
    PAGE_SIZE,
    OAIError,
    admin_email,
    base_url,
    description_datestamp,
    format_datestamp,
    identifier_for,
    page_size,
    parse_identifier,
    repository_host,
)
from archivox.catalog.oai.rendering import portal_url
from archivox.catalog.oai.resumption import RESUMPTION_SIGNING_SALT, Position
from archivox.catalog.oai.verbs import (
    VERBS,
    get_record,
    identify,
    list_identifiers,
    list_metadata_formats,
    list_records,
    list_sets,
    oai_endpoint,
)

__all__ = [
    "DATESTAMP_FORMAT",
    "GRANULARITY",
    "METADATA_PREFIX",
    "PAGE_SIZE",
    "RESUMPTION_SIGNING_SALT",
    "VERBS",
    "VERB_ARGUMENTS",
    "OAIError",
    "Position",
    "Window",
    "admin_email",
    "base_url",
    "collection_set_specs",
    "deleted_set_specs",
    "description_datestamp",
    "format_datestamp",
    "get_record",
    "identifier_for",
    "identify",
    "list_identifiers",
    "list_metadata_formats",
    "list_records",
    "list_sets",
    "oai_endpoint",
    "page_size",
    "parse_arguments",
    "parse_identifier",
    "parse_window",
    "portal_url",
    "repository_host",
]
