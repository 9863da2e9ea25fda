"""Import monitored accounts, metric snapshots and post records from CSV (docs/survey-csv.md).

All or nothing: every file is read and checked; a problem in any row is reported with its file,
line and column, and nothing is saved. Rows are written as they are checked, in one transaction
that is rolled back when any problem was found, so large files are never held in memory whole.
Accounts files are imported first, then snapshots, then posts, whatever the order given.

Speed (issue 8: 25 million rows in under ten minutes): a well-formed row of a known account is
checked by a few lines of local names (``_Importer.fast_rows``) and any other row by the checks
that word the problems; on PostgreSQL the batches are written by a thread of their own
(``_Writer``), so that the server's work runs beside Python's.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone

from archivox.core.models import Archive, Region, User
from archivox.core.services import audit_record
from archivox.survey.models import (
    Account,
    FollowersBand,
    MetricSnapshot,
    MonitoredInstitution,
    Platform,
    PostRecord,
    Survey,
)
from archivox.survey.services import _require_staff, survey_region_add

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
)
KINDS = {"accounts": ACCOUNT_COLUMNS, "snapshots": SNAPSHOT_COLUMNS, "posts": POST_COLUMNS}
REQUIRED = {
    "accounts": ("institution", "platform"),
    "snapshots": ("institution", "platform", "date"),
    "posts": ("institution", "platform", "published", "title"),
}
TRUE = {"1", "yes", "true", "y", "是"}
FALSE = {"0", "no", "false", "n", "否"}
MAX_PROBLEMS = 1000
PLATFORMS = tuple(Platform.values)
BANDS = tuple(FollowersBand.values)
BATCH = 5000
LEVELS = {"province", "city", "district", "county"}
TITLE_MAX = PostRecord._meta.get_field("title").max_length
COLUMN_MAX = PostRecord._meta.get_field("column").max_length
HANDLE_MAX = Account._meta.get_field("handle").max_length


class SurveyImportError(Exception):
    """The import was refused; ``report`` names every problem. Nothing was saved."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.problems)} problem(s); nothing imported")
        self.report = report


@dataclasses.dataclass
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.column + ': ' if self.column else ''}{self.message}"


@dataclasses.dataclass
class ImportReport:
    problems: list[Problem] = dataclasses.field(default_factory=list)
    truncated: bool = False
    institutions_created: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    snapshots: int = 0
    posts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, file: str, line: int, column: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.problems.append(Problem(file, line, column, message))

    def summary(self) -> str:
        return (
            f"{self.institutions_created} institution(s) added, "
            f"{self.accounts_created} account(s) added, {self.accounts_updated} updated, "
            f"{self.snapshots} snapshot(s), {self.posts} post record(s)"
        )

    def lines(self) -> list[str]:
        lines = [str(problem) for problem in self.problems]
        if self.truncated:
            lines.append(f"… stopped listing after {MAX_PROBLEMS} problems")
        return lines


class _Abort(Exception):
    pass


DOUBT = object()  # a cell the fast checks leave to the slow ones


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


# --- parsing helpers ------------------------------------------------------------------------------


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


# --- the import ---------------------------------------------------------------------------------


class _Importer:
    def __init__(self, report: ImportReport, today: datetime.date) -> None:
        self.report = report
        self.today = today
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.regions = {region.code: region for region in Region.objects.all()}
        self.institutions = {i.slug: i for i in MonitoredInstitution.objects.all()}
        self.archives: dict[str, Archive | None] = {}
        self.accounts: dict[tuple[int, str, str], tuple[int, datetime.date | None]] = {
            (institution_id, platform, handle): (pk, opened_on)
            for pk, institution_id, platform, handle, opened_on in Account.objects.values_list(
                "pk", "institution_id", "platform", "handle", "opened_on"
            )
        }
        self.handles: dict[tuple[int, str], set[str]] = {}
        for institution_id, platform, handle in self.accounts:
            self.handles.setdefault((institution_id, platform), set()).add(handle)
        self.seen: dict[tuple, tuple[str, int]] = {}
        self.touched_regions: set[int] = set()
        self.ops = connection.ops
        self.writer = _Writer() if connection.vendor == "postgresql" else None
        self.snapshots: list[tuple] = []
        self.posts: list[tuple] = []

    @property
    def writing(self) -> bool:
        return self.report.ok

    def _archive(self, slug: str) -> Archive | None:
        if slug not in self.archives:
            self.quiet()
            self.archives[slug] = Archive.objects.filter(slug=slug).first()
        return self.archives[slug]

    def _duplicate(self, row: _Row, key: tuple) -> bool:
        first = self.seen.get(key)
        if first is not None:
            row.fail("", f"duplicate of line {first[1]} of {first[0]}")
            return True
        self.seen[key] = (row.file, row.line)
        return False

    def institution(self, row: _Row, *, may_create: bool) -> MonitoredInstitution | None:
        slug = row.text("institution", required=True)
        if not slug:
            return None
        institution = self.institutions.get(slug)
        if institution is not None:
            return institution
        archive = self._archive(slug)
        region_code = row.values.get("region", "")
        if not may_create:
            row.fail("institution", f"unknown archive {slug!r}: list it in an accounts file first")
            return None
        if region_code and region_code not in self.regions:
            row.fail("region", f"unknown region {region_code!r}")
            return None
        if archive is None and not (region_code and row.values.get("institution_name")):
            row.fail(
                "institution",
                f"unknown archive {slug!r}: neither monitored nor in Archivox; give region, "
                "level and institution_name to add it",
            )
            return None
        region = self.regions.get(region_code) if region_code else None
        if region is None and archive is not None:
            region = self.regions.get(archive.region.code) if archive.region_id else None
        if region is None:
            row.fail("region", f"archive {slug!r} has no region; give one")
            return None
        level = row.values.get("level") or (archive.level if archive else "")
        if level not in LEVELS:
            row.fail("level", f"{level!r} is not one of {', '.join(sorted(LEVELS))}")
            return None
        if row.failed:
            return None
        institution = MonitoredInstitution(
            slug=slug,
            name=row.values.get("institution_name") or (archive.name if archive else slug),
            name_zh=row.values.get("institution_name_zh") or (archive.name_zh if archive else ""),
            level=level,
            region=region,
            archive=archive,
        )
        if self.writing:
            institution.full_clean()
            institution.save()
            self.report.institutions_created += 1
        else:
            institution.pk = -len(self.institutions) - 1  # a stand-in so later rows resolve
        self.institutions[slug] = institution
        return institution

    def account_row(self, row: _Row) -> None:
        platform = row.choice("platform", PLATFORMS, required=True)
        handle = row.text("handle", max_length=HANDLE_MAX)
        opened = row.flag("opened")
        opened_on = row.date("opened_on")
        verified = row.flag("verified")
        followers = row.count("followers")
        band = row.choice("followers_band", BANDS)
        below = row.count("followers_below")
        if opened_on and opened_on > self.today:
            row.fail("opened_on", f"{opened_on.isoformat()} is in the future")
        institution = self.institution(row, may_create=True)
        if institution is None or not platform:
            return
        key = (institution.pk, platform, handle)
        if self._duplicate(row, ("account", institution.slug, platform, handle)) or row.failed:
            return
        self.touched_regions.add(institution.region_id)
        values = {
            "name": row.values.get("name", ""),
            "opened": True if opened is None else opened,
            "opened_on": opened_on,
            "verified": verified,
            "followers": followers,
            "followers_band": band,
            "followers_below": below,
            "notes": row.values.get("notes", ""),
        }
        existing = self.accounts.get(key)
        pair = (institution.pk, platform)
        if existing is None and handle and self.handles.get(pair) == {""}:
            # An account recorded without a handle (a survey's) takes the first one given.
            existing = self.accounts.pop((institution.pk, platform, ""))
            self.handles[pair] = set()
            values["handle"] = handle
        self.handles.setdefault(pair, set()).add(handle)
        if not self.writing:
            self.accounts[key] = (existing[0] if existing else -1, opened_on)
            return
        if existing and existing[0] > 0:
            # Only the columns the file has: a survey's notes and figures stay otherwise.
            given = {
                field: value
                for field, value in values.items()
                if field == "handle" or field in row.values
            }
            Account.objects.filter(pk=existing[0]).update(**given, updated_at=timezone.now())
            self.accounts[key] = (existing[0], opened_on)
            self.report.accounts_updated += 1
        else:
            account = Account(institution=institution, platform=platform, handle=handle, **values)
            account.full_clean(validate_unique=False)
            account.save()
            self.accounts[key] = (account.pk, opened_on)
            self.report.accounts_created += 1

    def _account(self, row: _Row, platform: str) -> tuple[int, datetime.date | None] | None:
        institution = self.institution(row, may_create=False)
        if institution is None or not platform:
            return None
        handle = row.values.get("handle", "")
        account = self.accounts.get((institution.pk, platform, handle))
        handles = self.handles.get((institution.pk, platform), set())
        if account is None and len(handles) == 1 and (not handle or handles == {""}):
            # The institution's only account on that platform.
            account = self.accounts.get((institution.pk, platform, next(iter(handles))))
        if account is None:
            row.fail(
                "platform",
                f"archive {institution.slug!r} has no {platform} account"
                + (f" {handle!r}" if handle else "")
                + " (list it in an accounts file)",
            )
            return None
        self.touched_regions.add(institution.region_id)
        return account

    def snapshot_row(self, row: _Row) -> None:
        platform = row.choice("platform", PLATFORMS, required=True)
        day = row.date("date", required=True)
        followers = row.count("followers")
        posts_total = row.count("posts_total")
        account = self._account(row, platform)
        if account is None or day is None:
            return
        account_id, opened_on = account
        self._check_day(row, "date", day, opened_on)
        if self._duplicate(row, ("snapshot", account_id, day)) or row.failed or not self.writing:
            return
        self.snapshots.append(
            (
                account_id,
                self.ops.adapt_datefield_value(day),
                followers,
                posts_total,
                row.file[:100],
            )
        )
        if len(self.snapshots) >= BATCH:
            self.flush()

    def post_row(self, row: _Row) -> None:
        platform = row.choice("platform", PLATFORMS, required=True)
        published = row.moment("published", required=True)
        title = row.text("title", required=True, max_length=TITLE_MAX)
        column = row.text("column", max_length=COLUMN_MAX)
        original = row.flag("original")
        counts = {name: row.count(name) for name in ("reads", "likes", "comments", "shares")}
        measured = row.moment("measured")
        account = self._account(row, platform)
        if account is None or published is None:
            return
        account_id, opened_on = account
        day = published.astimezone(self.zone).date()
        if published > self.now:
            row.fail("published", f"{published.isoformat()} is in the future")
        elif opened_on is not None and day < opened_on:
            row.fail(
                "published",
                f"{day.isoformat()} is before the account opened ({opened_on.isoformat()})",
            )
        if measured is not None:
            if measured > self.now:
                row.fail("measured", f"{measured.isoformat()} is in the future")
            elif measured < published:
                row.fail("measured", "is before the post was published")
        key = ("post", account_id, published, title)
        if self._duplicate(row, key) or row.failed or not self.writing:
            return
        adapt = self.ops.adapt_datetimefield_value
        self.posts.append(
            (
                account_id,
                adapt(published),
                self.ops.adapt_datefield_value(day),
                title,
                column,
                original,
                counts["reads"],
                counts["likes"],
                counts["comments"],
                counts["shares"],
                adapt(measured) if measured is not None else None,
                row.file[:100],
            )
        )
        if len(self.posts) >= BATCH:
            self.flush()

    def read(self, source: Source) -> None:
        """Check and write every row of one file. A row of known accounts whose cells are all
        well-formed goes the fast way (``fast_rows``); any other row, and any row the fast way
        has doubts about, is checked cell by cell by ``account_row``/``snapshot_row``/
        ``post_row``, which word the problems."""
        slow = {
            "accounts": self.account_row,
            "snapshots": self.snapshot_row,
            "posts": self.post_row,
        }
        fast = None
        known: list[str] | None = None
        for kind, header, line, cells in _rows(source, self.report):
            if header is not known:
                known, fast = header, self.fast_rows(kind, header, source.name)
                if kind == "accounts":
                    self.quiet()  # accounts are saved by the main thread
            if fast is not None and len(cells) == len(header) and fast(cells, line):
                continue
            # As csv.DictReader gives it: missing cells are None, the last of two same names wins.
            values = dict(zip(header, cells + [None] * (len(header) - len(cells)), strict=True))
            slow[kind](_Row(self.report, source.name, line, values, self.zone))

    def fast_rows(
        self, kind: str, header: list[str], file: str
    ) -> Callable[[list[str], int], bool] | None:
        """For a snapshots or posts file, a function that takes a row's cells and, when every
        check passes, records the row exactly as ``snapshot_row``/``post_row`` would and says
        True; at the first doubt it says False having changed nothing, and the row goes the
        slow way, which finds and words its problems. It is the same checks, in a few lines of
        local names instead of a method call a cell: the import's time is spent here."""
        position = {name: index for index, name in enumerate(header)}

        def cell(name: str) -> int | None:
            return position.get(name)

        institution_at, platform_at, handle_at = (
            cell("institution"),
            cell("platform"),
            cell("handle"),
        )
        if institution_at is None or platform_at is None:
            return None
        institutions, accounts, seen = self.institutions, self.accounts, self.seen
        touched, today, zone, ops = self.touched_regions, self.today, self.zone, self.ops
        platforms = frozenset(PLATFORMS)
        source = file[:100]
        adapt_date = ops.adapt_datefield_value

        def account_of(cells: list[str]) -> tuple[MonitoredInstitution, int, Any] | None:
            slug = cells[institution_at].strip()
            institution = institutions.get(slug) if slug else None
            platform = cells[platform_at].strip()
            if institution is None or platform not in platforms:
                return None
            handle = cells[handle_at].strip() if handle_at is not None else ""
            account = accounts.get((institution.pk, platform, handle))
            if account is None:
                return None
            return institution, account[0], account[1]

        def count(text: str) -> Any:
            # None for an empty cell; DOUBT when the slow way must look at it.
            if not text:
                return None
            try:
                number = int(text)
            except ValueError:
                return DOUBT
            return number if number >= 0 else DOUBT

        if kind == "snapshots":
            date_at, followers_at, total_at = cell("date"), cell("followers"), cell("posts_total")
            if date_at is None:
                return None
            snapshots = self.snapshots

            def snapshot(cells: list[str], line: int) -> bool:
                found = account_of(cells)
                if found is None:
                    return False
                institution, account_id, opened_on = found
                try:
                    day = datetime.date.fromisoformat(cells[date_at].strip())
                except ValueError:
                    return False
                if day > today or (opened_on is not None and day < opened_on):
                    return False
                followers = count(cells[followers_at].strip()) if followers_at is not None else None
                total = count(cells[total_at].strip()) if total_at is not None else None
                if followers is DOUBT or total is DOUBT:
                    return False
                key = ("snapshot", account_id, day)
                if key in seen:
                    return False
                seen[key] = (file, line)
                touched.add(institution.region_id)
                if self.writing:
                    snapshots.append((account_id, adapt_date(day), followers, total, source))
                    if len(snapshots) >= BATCH:
                        self.flush()
                return True

            return snapshot
        if kind != "posts":
            return None
        published_at, title_at = cell("published"), cell("title")
        if published_at is None or title_at is None:
            return None
        column_at, original_at, measured_at = cell("column"), cell("original"), cell("measured")
        counters_at = [cell(name) for name in ("reads", "likes", "comments", "shares")]
        now = self.now
        # A naive time a day or more before now is in the past whatever the zone's offset.
        past = (now.astimezone(zone) - datetime.timedelta(days=1)).replace(tzinfo=None)
        moment = datetime.datetime
        adapt_moment = ops.adapt_datetimefield_value
        posts = self.posts

        def aware(text: str) -> tuple[datetime.datetime | None, bool]:
            """The time, aware, and whether it is certainly in the past."""
            try:
                value = moment.fromisoformat(text)
            except ValueError:
                return None, False
            if value.tzinfo is not None:
                return value, False
            if value >= past:
                return value.replace(tzinfo=zone), False  # near now: compared as an instant
            # The constructor is three times cheaper than replace(); same value (fold is 0).
            return moment(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                zone,
            ), True

        def post(cells: list[str], line: int) -> bool:
            found = account_of(cells)
            if found is None:
                return False
            institution, account_id, opened_on = found
            published, published_past = aware(cells[published_at].strip())
            title = cells[title_at].strip()
            if published is None or not title or len(title) > TITLE_MAX:
                return False
            column = cells[column_at].strip() if column_at is not None else ""
            if len(column) > COLUMN_MAX:
                return False
            original = None
            if original_at is not None:
                flag = cells[original_at].strip().lower()
                if flag in TRUE:
                    original = True
                elif flag in FALSE:
                    original = False
                elif flag:
                    return False
            counters = [count(cells[at].strip()) if at is not None else None for at in counters_at]
            if DOUBT in counters:
                return False
            measured_text = cells[measured_at].strip() if measured_at is not None else ""
            measured, measured_past = aware(measured_text) if measured_text else (None, True)
            if measured_text and measured is None:
                return False
            # astimezone() to the zone a naive time was given in returns it unchanged.
            day = published.astimezone(zone).date()
            if not published_past and published > now:
                return False
            if opened_on is not None and day < opened_on:
                return False
            if measured is not None and (
                (not measured_past and measured > now) or measured < published
            ):
                return False
            key = ("post", account_id, published, title)
            if key in seen:
                return False
            seen[key] = (file, line)
            touched.add(institution.region_id)
            if self.writing:
                posts.append(
                    (
                        account_id,
                        adapt_moment(published),
                        adapt_date(day),
                        title,
                        column,
                        original,
                        *counters,
                        adapt_moment(measured) if measured is not None else None,
                        source,
                    )
                )
                if len(posts) >= BATCH:
                    self.flush()
            return True

        return post

    def _check_day(
        self, row: _Row, column: str, day: datetime.date, opened_on: datetime.date | None
    ) -> None:
        if day > self.today:
            row.fail(column, f"{day.isoformat()} is in the future")
        elif opened_on is not None and day < opened_on:
            row.fail(
                column, f"{day.isoformat()} is before the account opened ({opened_on.isoformat()})"
            )

    def flush(self) -> None:
        # Copies: the lists stay the ones the fast checks append to, the writer keeps its batch.
        if self.writing:
            if self.snapshots:
                self._write(MetricSnapshot, SNAPSHOT_FIELDS, ("account", "date"), self.snapshots)
                self.report.snapshots += len(self.snapshots)
            if self.posts:
                key = ("account", "published_at", "title")
                self._write(PostRecord, POST_FIELDS, key, self.posts)
                self.report.posts += len(self.posts)
        self.snapshots.clear()
        self.posts.clear()

    def _write(
        self,
        model: type[models.Model],
        fields: tuple[str, ...],
        key: tuple[str, ...],
        rows: list[tuple],
    ) -> None:
        if self.writer is None:
            _upsert(model, fields, key, rows)
        else:
            table, names, conflict = _upsert_statement(model, fields, key)
            self.writer.submit(table, names, conflict, list(rows))

    def quiet(self) -> None:
        """Before the main thread uses the connection: the writer has finished its batches."""
        if self.writer is not None:
            self.writer.drain()


SNAPSHOT_FIELDS = ("account", "date", "followers", "posts_total", "source")
POST_FIELDS = (
    "account",
    "published_at",
    "published_on",
    "title",
    "column",
    "is_original",
    "reads",
    "likes",
    "comments",
    "shares",
    "measured_at",
    "source",
)


def _upsert_statement(
    model: type[models.Model], fields: tuple[str, ...], key: tuple[str, ...]
) -> tuple[str, str, str]:
    """The quoted table, its quoted columns and the ON CONFLICT (key) DO UPDATE clause."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    keys = [model._meta.get_field(name).column for name in key]
    updates = ", ".join(
        f"{quote(column)} = excluded.{quote(column)}" for column in columns if column not in keys
    )
    # Names come from the model's own metadata, values go as parameters.
    conflict = f" ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET {updates}"
    return quote(model._meta.db_table), ", ".join(map(quote, columns)), conflict


def _upsert(
    model: type[models.Model], fields: tuple[str, ...], key: tuple[str, ...], rows: list[tuple]
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, the same statement on SQLite and PostgreSQL, with
    values already adapted for the database: a bulk path without a model instance per row."""
    table, names, tail = _upsert_statement(model, fields, key)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        _upsert_by_copy(connection.connection, table, names, tail, rows)
        return
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    one = f"({', '.join(['%s'] * len(fields))})"
    # Many rows per statement, within the parameter limit.
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, min(1000, limit // len(fields)))
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), per_statement):
            chunk = rows[offset : offset + per_statement]
            sql = head + ", ".join([one] * len(chunk)) + tail
            cursor.execute(sql, [value for row in chunk for value in row])


def _upsert_by_copy(
    raw: Any, table: str, names: str, conflict: str, rows: list[tuple], *, fresh: bool = False
) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT
    (dropped at commit; the import runs in one transaction). ``raw`` is the psycopg connection
    of Django's, used directly so that the writer's thread works in the same transaction.

    ``fresh`` rows (of accounts that had none in the table before the import) cannot conflict:
    the import's own rows are never twice the same (duplicates are refused), so they are copied
    straight into the table."""
    staging = "survey_import_staging_" + table.strip('"')
    with raw.cursor() as cursor:
        if fresh:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}{conflict}")  # noqa: S608
        cursor.execute(f"TRUNCATE {staging}")


class _Writer:
    """PostgreSQL: writes the batches of checked rows on a thread of its own, through the
    import's connection (so in its transaction), while the main thread checks the next rows.
    The server's share of the import (the INSERT, its indexes, the foreign-key checks) then runs
    beside Python's instead of after it. At most ``WAITING`` batches wait; the main thread uses
    the connection only once the writer is idle (``drain``), and a writer's error is raised on
    the main thread, as Django's error, at the next hand-over."""

    WAITING = 2

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.batches: queue.Queue[tuple | None] = queue.Queue(maxsize=self.WAITING)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        # By table: the accounts looked up, and those of them that had rows before the import.
        self.checked: dict[str, set[int]] = {}
        self.existing: dict[str, set[int]] = {}
        # The foreign keys of the rows written are checked by each INSERT, on the writer's time,
        # not all at commit, where a row's check would wait for every other (they are deferred
        # by default); the same checks, only earlier. Put back when the writer stops.
        with connection.cursor() as cursor:
            self.deferred = ", ".join(
                connection.ops.quote_name(name)
                for model in (MetricSnapshot, PostRecord)
                for name, constraint in connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                ).items()
                if constraint["foreign_key"]
            )
            if self.deferred:
                cursor.execute(f"SET CONSTRAINTS {self.deferred} IMMEDIATE")

    def submit(self, table: str, names: str, conflict: str, rows: list[tuple]) -> None:
        self._raise()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="survey-import", daemon=True)
            self.thread.start()
        self.batches.put((table, names, conflict, rows))

    def drain(self) -> None:
        """Wait until every batch handed over is written; raise the writer's error if any."""
        if self.thread is not None:
            self.batches.join()
        self._raise()

    def stop(self) -> None:
        """End the thread (batches still waiting are written or, after an error, dropped)."""
        if self.thread is not None:
            self.batches.put(None)
            self.thread.join()
            self.thread = None
        from psycopg.pq import TransactionStatus  # PostgreSQL only, as the writer

        if self.deferred and self.raw.info.transaction_status == TransactionStatus.INTRANS:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self.deferred} DEFERRED")
            self.deferred = ""

    def _raise(self) -> None:
        error, self.error = self.error, None
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def _fresh(self, table: str, accounts: set[int]) -> bool:
        """Whether none of ``accounts`` had rows in ``table`` before the import: each account is
        looked up once, before the first of its rows is written (batches go in order)."""
        checked = self.checked.setdefault(table, set())
        existing = self.existing.setdefault(table, set())
        unknown = accounts - checked
        if unknown:
            with self.raw.cursor() as cursor:
                cursor.execute(
                    f"SELECT a FROM unnest(%s::bigint[]) AS a WHERE EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {table} WHERE account_id = a)",
                    [sorted(unknown)],
                )
                existing.update(a for (a,) in cursor.fetchall())
            checked.update(unknown)
        return not (accounts & existing)

    def _run(self) -> None:
        failed = False
        while True:
            batch = self.batches.get()
            try:
                if batch is None:
                    return
                if not failed:
                    table, names, conflict, rows = batch
                    fresh = self._fresh(table, {row[0] for row in rows})
                    _upsert_by_copy(self.raw, table, names, conflict, rows, fresh=fresh)
            except BaseException as exc:  # handed to the main thread
                failed, self.error = True, exc
            finally:
                self.batches.task_done()


def survey_import(
    *,
    actor: User | None,
    sources: Iterable[Source | Path | str],
    survey: Survey | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Import CSV files of accounts, snapshots and posts, all or nothing.

    Raises SurveyImportError (with the report) when any row has a problem; nothing is saved.
    With ``survey``, the regions of the imported institutions join that survey."""
    _require_staff(actor)
    sources = [s if isinstance(s, Source) else Source.from_path(s) for s in sources]
    report = ImportReport()
    order = {"accounts": 0, "snapshots": 1, "posts": 2}
    kinds = [(_header_kind(source, report), index, source) for index, source in enumerate(sources)]
    ordered = sorted(kinds, key=lambda item: (order.get(item[0] or "", 3), item[1]))
    try:
        with transaction.atomic():
            importer = _Importer(report, today or timezone.localdate())
            try:
                for _, _, source in ordered:
                    importer.read(source)
                importer.flush()
                importer.quiet()
            finally:
                # Whatever happened, the writer is done before the transaction ends.
                if importer.writer is not None:
                    importer.writer.stop()
            if not report.ok:
                raise _Abort
            if survey is not None:
                regions = Region.objects.filter(pk__in=importer.touched_regions).order_by("code")
                for region in regions:
                    survey_region_add(survey=survey, region=region)
            audit_record(
                actor=actor,
                action="survey.import",
                object_type="survey.import",
                object_repr=", ".join(source.name for source in sources)[:300],
                after={
                    "files": [source.name for source in sources],
                    "institutions_created": report.institutions_created,
                    "accounts_created": report.accounts_created,
                    "accounts_updated": report.accounts_updated,
                    "snapshots": report.snapshots,
                    "posts": report.posts,
                    "survey": survey.slug if survey else None,
                },
            )
    except _Abort:
        raise SurveyImportError(report) from None
    return report
