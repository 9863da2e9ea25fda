"""Import monitored accounts, metric snapshots and post records from CSV (docs/survey-csv.md).

All or nothing: every file is read and checked; a problem in any row is reported with its file,
line and column, and nothing is saved. Rows are written as they are checked, in one transaction
that is rolled back when any problem was found, so large files are never held in memory whole.
Accounts files are imported first, then snapshots, then posts, whatever the order given.

Speed (issue 8: 25 million rows in under ten minutes): a well-formed row of a known account is
checked by a few lines of local names (``_Importer.fast_rows``, in ``fast``) and any other row by
the checks that word the problems (``checking``); on PostgreSQL the batches are written by a
thread of their own (``_Writer``, in ``writing``), so that the server's work runs beside
Python's.

One module per stage: ``report`` (problems and counts), ``reading`` (the files, their columns
and rows, the cell checks), ``checking`` and ``fast`` (the rows checked and handed over in
batches), ``writing`` (the batches written) and ``entry`` (``survey_import``, the transaction
around them). This package re-exports their public names, so
``from archivox.survey.imports import survey_import`` keeps working; code inside the app imports
from the stage module."""

from archivox.survey.imports.entry import survey_import
from archivox.survey.imports.fast import DOUBT
from archivox.survey.imports.reading import (
    ACCOUNT_COLUMNS,
    BANDS,
    BATCH,
    COLUMN_MAX,
    FALSE,
    HANDLE_MAX,
    KINDS,
    LEVELS,
    PLATFORMS,
    POST_COLUMNS,
    REQUIRED,
    SNAPSHOT_COLUMNS,
    TITLE_MAX,
    TRUE,
    Source,
)
from archivox.survey.imports.report import (
    MAX_PROBLEMS,
    ImportReport,
    Problem,
    SurveyImportError,
)
from archivox.survey.imports.writing import POST_FIELDS, SNAPSHOT_FIELDS

__all__ = [
    "ACCOUNT_COLUMNS",
    "BANDS",
    "BATCH",
    "COLUMN_MAX",
    "DOUBT",
    "FALSE",
    "HANDLE_MAX",
    "KINDS",
    "LEVELS",
    "MAX_PROBLEMS",
    "PLATFORMS",
    "POST_COLUMNS",
    "POST_FIELDS",
    "REQUIRED",
    "SNAPSHOT_COLUMNS",
    "SNAPSHOT_FIELDS",
    "TITLE_MAX",
    "TRUE",
    "ImportReport",
    "Problem",
    "Source",
    "SurveyImportError",
    "survey_import",
]
