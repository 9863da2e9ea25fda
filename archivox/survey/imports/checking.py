"""Checking and writing the rows, file by file: the slow way, cell by cell, that words every
problem, the hand-over to the fast way, and the batches handed to the writer."""

from __future__ import annotations

import datetime

from django.db import connection, models
from django.utils import timezone

from archivox.core.models import Archive, Region
from archivox.survey.imports.fast import _FastChecks
from archivox.survey.imports.reading import (
    BANDS,
    BATCH,
    COLUMN_MAX,
    HANDLE_MAX,
    LEVELS,
    PLATFORMS,
    TITLE_MAX,
    Source,
    _Row,
    _rows,
)
from archivox.survey.imports.report import ImportReport
from archivox.survey.imports.writing import (
    POST_FIELDS,
    SNAPSHOT_FIELDS,
    _upsert_statement,
    _Writer,
)
from archivox.survey.models import Account, MetricSnapshot, MonitoredInstitution, PostRecord
from archivox.survey.post_flags import FlagError, TitleScreen, parse_flags, screened_text


class _Importer(_FastChecks):
    def __init__(self, report: ImportReport, today: datetime.date) -> None:
        # Every imported title is screened (3.2.6) with one sensitive-word matcher.
        self.screen = TitleScreen()
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
        self.writer = _Writer()
        self.snapshots: list[tuple] = []
        self.posts: list[tuple] = []
        # The accounts posts were written of: their monthly roll-up is rebuilt at the end.
        self.posted: set[int] = set()

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
        try:
            declared = parse_flags(row.values.get("flags", ""))
        except FlagError as exc:
            row.fail("flags", str(exc))
            declared = []
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
                self.screen.flags(screened_text(title, row.values.get("text", "")), declared),
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
                self.posted.update(row[0] for row in self.posts)
        self.snapshots.clear()
        self.posts.clear()

    def _write(
        self,
        model: type[models.Model],
        fields: tuple[str, ...],
        key: tuple[str, ...],
        rows: list[tuple],
    ) -> None:
        table, names, conflict = _upsert_statement(model, fields, key)
        self.writer.submit(table, names, conflict, list(rows))

    def quiet(self) -> None:
        """Before the main thread uses the connection: the writer has finished its batches."""
        self.writer.drain()
