"""The fast way through a snapshots or posts file: the same checks as the slow way
(``archivox.survey.imports.checking``), in a few lines of local names, for rows that are
well-formed and of known accounts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from archivox.survey.imports.reading import BATCH, COLUMN_MAX, FALSE, PLATFORMS, TITLE_MAX, TRUE
from archivox.survey.models import MonitoredInstitution
from archivox.survey.post_flags import FlagError, parse_flags, screened_text

DOUBT = object()  # a cell the fast checks leave to the slow ones


class _FastChecks:
    """``_Importer``'s fast checks, apart: they read and append to the importer's state."""

    # The importer's state (``_Importer.__init__``): a row the fast way takes goes into the
    # same maps and batches as one the slow way takes.
    institutions: dict[str, MonitoredInstitution]
    accounts: dict[tuple[int, str, str], tuple[int, datetime.date | None]]
    seen: dict[tuple, tuple[str, int]]
    touched_regions: set[int]
    today: datetime.date
    now: datetime.datetime
    zone: datetime.tzinfo
    ops: Any
    snapshots: list[tuple]
    posts: list[tuple]
    writing: bool
    flush: Callable[[], None]

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
        flags_at, text_at = cell("flags"), cell("text")
        screen = self.screen
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
            declared: list[str] = []
            if flags_at is not None and cells[flags_at].strip():
                try:
                    declared = parse_flags(cells[flags_at])
                except FlagError:
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
                        screen.flags(
                            title if text_at is None else screened_text(title, cells[text_at]),
                            declared,
                        ),
                    )
                )
                if len(posts) >= BATCH:
                    self.flush()
            return True

        return post
