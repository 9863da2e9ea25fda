"""Import descriptions from CSV or EAD 2002 XML, all or nothing.

The whole file is read and checked before anything is written: a file with one bad row imports
nothing and yields an ``ImportReport`` that names every problem (row number or XML element path,
column or field, what is wrong). A good file is written in one transaction by a bulk path that
computes exactly what ``catalog.services.description_create``/``description_update`` compute
(tree fields through ``catalog.tree``, the search index through ``catalog.search``, OAI-PMH
deletion records), and records one audit entry for the whole import.

The CSV columns and the EAD mapping are documented in docs/catalog-import.md.

One module per stage: ``reading`` (the file and its format), ``csv_records`` and ``ead``
(parsing), ``cleaning``, ``planning`` (matching rows with the catalog), ``writing``,
``indexing``, and ``pipeline``, which runs them as ``catalog_import``; ``report`` holds what
they share. This package re-exports their public names, so
``from archivox.catalog.imports import catalog_import`` keeps working. Code inside the app
imports from the stage module.
"""

from archivox.catalog.imports.cleaning import LIST_FIELDS
from archivox.catalog.imports.csv_records import CSV_COLUMNS, REQUIRED_COLUMNS
from archivox.catalog.imports.ead import EAD_NAMESPACE
from archivox.catalog.imports.pipeline import catalog_import
from archivox.catalog.imports.reading import MAX_IMPORT_BYTES, detect_format
from archivox.catalog.imports.report import (
    MAX_REPORTED_PROBLEMS,
    ImportFormatError,
    ImportProblem,
    ImportReport,
    Progress,
)

__all__ = [
    "CSV_COLUMNS",
    "EAD_NAMESPACE",
    "LIST_FIELDS",
    "MAX_IMPORT_BYTES",
    "MAX_REPORTED_PROBLEMS",
    "REQUIRED_COLUMNS",
    "ImportFormatError",
    "ImportProblem",
    "ImportReport",
    "Progress",
    "catalog_import",
    "detect_format",
]
