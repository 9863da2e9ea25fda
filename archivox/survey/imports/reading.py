"""Reading the CSV files: the columns of each kind of file, the files themselves, their rows
with the header's problems, and the checks of a row cell by cell, each problem worded."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from archivox.survey.imports.report import ImportReport
from archivox.survey.models import Account, FollowersBand, Platform, PostRecord

ACCOUNT_COLUMNS = (
    "institution",
    "institution_name",
    "institution_name_zh",
    "region",
    "level",
    "platform",
    "handle",
    "name",
    "opened",
    "opened_on",
    "verified",
    "followers",
    "followers_band",
    "followers_below",
    "notes",
)
SNAPSHOT_COLUMNS = ("institution", "platform", "handle", "date", "followers", "posts_total")
POST_COLUMNS = (
    "institution",
    "platform",
    "handle",
    "published",
    "title",
    "column",
    "original",
    "reads",
    "likes",
    "comments",
    "shares",
    "measured",
    "flags",
    "text",
)
KINDS = {"accounts": ACCOUNT_COLUMNS, "snapshots": SNAPSHOT_COLUMNS, "posts": POST_COLUMNS}
REQUIRED = {
    "accounts": ("institution", "platform"),
    "snapshots": ("institution", "platform", "date"),
    "posts": ("institution", "platform", "published", "title"),
}
TRUE = {"1", "yes", "true", "y", "是"}
FALSE = {"0", "no", "false", "n", "否"}
PLATFORMS = tuple(Platform.values)
BANDS = tuple(FollowersBand.values)
BATCH = 5000
LEVELS = {"province", "city", "district", "county"}
TITLE_MAX = PostRecord._meta.get_field("title").max_length
COLUMN_MAX = PostRecord._meta.get_field("column").max_length
HANDLE_MAX = Account._meta.get_field("handle").max_length


@dataclasses.dataclass
class Source:
    """One CSV file (a path, or a name and its text)."""

    name: str
    open: Callable[[], IO[str]]

    @classmethod
    def from_path(cls, path: Path | str) -> Source:
        path = Path(path)
        return cls(name=path.name, open=lambda: path.open(encoding="utf-8-sig", newline=""))

    @classmethod
    def from_text(cls, name: str, text: str) -> Source:
        return cls(name=name, open=lambda: io.StringIO(text.lstrip("\ufeff"), newline=""))


class _Row:
    """One CSV row being checked; problems go to the report with the row's line."""

    def __init__(
        self,
        report: ImportReport,
        file: str,
        line: int,
        values: dict[str, str],
        zone: datetime.tzinfo,
    ) -> None:
        self.report, self.file, self.line = report, file, line
        self.values = {key: (value or "").strip() for key, value in values.items() if key}
        self.failed = False
        self.zone = zone

    def fail(self, column: str, message: str) -> None:
        self.failed = True
        self.report.problem(self.file, self.line, column, message)

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.fail(column, "is required")
        if max_length and len(value) > max_length:
            self.fail(column, f"is longer than {max_length} characters")
        return value

    def count(self, column: str) -> int | None:
        value = self.values.get(column, "")
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a whole number")
            return None
        if number < 0:
            self.fail(column, f"must not be negative (got {number})")
            return None
        return number

    def flag(self, column: str) -> bool | None:
        value = self.values.get(column, "").lower()
        if not value:
            return None
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        self.fail(column, f"{value!r} is not yes or no")
        return None

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, "is required")
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def moment(self, column: str, *, required: bool = False) -> datetime.datetime | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.fail(column, "is required")
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date or time (YYYY-MM-DD[ HH:MM[:SS]])")
            return None
        # zoneinfo zones: attaching the zone is the correct way to localise a naive time.
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.zone)

    def choice(self, column: str, choices: tuple[str, ...], *, required: bool = False) -> str:
        value = self.text(column, required=required)
        if value and value not in choices:
            self.fail(column, f"{value!r} is not one of {', '.join(choices)}")
            return ""
        return value


def _kind_of(header: list[str]) -> str | None:
    if "published" in header:
        return "posts"
    if "date" in header:
        return "snapshots"
    if "platform" in header:
        return "accounts"
    return None


def _rows(source: Source, report: ImportReport) -> Iterator[tuple[str, list[str], int, list[str]]]:
    """(kind, header, line, cells) of each row of a file, blank lines skipped; rows with more
    cells than the header are reported here. Lists, not a dict a row: the checks of a row that
    is well-formed read its cells by position (``_Importer.fast_rows``)."""
    try:
        with source.open() as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            kind = _kind_of(header)
            if kind is None:
                report.problem(
                    source.name,
                    1,
                    "",
                    "not a survey CSV: the header needs 'platform' (accounts), 'date' "
                    "(snapshots) or 'published' (posts)",
                )
                return
            unknown = [name for name in header if name and name not in KINDS[kind]]
            if unknown:
                report.problem(source.name, 1, "", f"unknown column(s) {', '.join(unknown)}")
            missing = [name for name in REQUIRED[kind] if name not in header]
            if missing:
                report.problem(source.name, 1, "", f"missing column(s) {', '.join(missing)}")
                return
            width = len(header)
            for cells in reader:
                if len(cells) > width:
                    report.problem(source.name, reader.line_num, "", "more cells than columns")
                    continue
                if cells:
                    yield kind, header, reader.line_num, cells
    except FileNotFoundError:
        report.problem(source.name, 0, "", "no such file")
    except UnicodeDecodeError as exc:
        report.problem(source.name, 0, "", f"not UTF-8 text ({exc.reason})")
    except csv.Error as exc:
        report.problem(source.name, 0, "", f"not valid CSV ({exc})")


def _header_kind(source: Source, report: ImportReport) -> str | None:
    try:
        with source.open() as handle:
            first = next(csv.reader(handle), [])
    except FileNotFoundError:
        report.problem(source.name, 0, "", "no such file")
        return None
    except (UnicodeDecodeError, csv.Error) as exc:
        report.problem(source.name, 0, "", f"cannot be read as UTF-8 CSV ({exc})")
        return None
    return _kind_of([name.strip() for name in first])
