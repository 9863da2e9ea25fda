"""The survey report: the survey's tables cell for cell, the indicators with charts, and the
diagnosis, as an HTML page (console or standalone, printable), CSV and XLSX."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from archivox.survey import charts as survey_charts
from archivox.survey.diagnosis.assembly import diagnose
from archivox.survey.diagnosis.compare import Comparison, account_names, compare
from archivox.survey.diagnosis.findings import Action, Diagnosis, Status
from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.periods import activity_by_period
from archivox.survey.indicators.thresholds import band_label, platform_label
from archivox.survey.models import Finding, Strategy, Survey, SurveyRegion
from archivox.survey.own_records import indicators_for
from archivox.survey.selectors import (
    Scope,
    SurveyNotFound,
    SurveyTable,
    display_name,
    finding_list,
    scope_get,
    strategy_list,
    survey_previous_period,
    survey_region_links,
    survey_scope_for_staff,
    survey_tables,
)

# The CSV's columns; its heading row is in the active language (csv_headings), the values of
# the section, region and measure columns are stable keys that scripts can filter on.
CSV_COLUMNS = ("section", "region", "subject", "measure", "value")
CSV_HEADINGS = {
    "section": gettext_noop("section"),
    "region": gettext_noop("region"),
    "subject": gettext_noop("subject"),
    "measure": gettext_noop("measure"),
    "value": gettext_noop("value"),
}
# (attribute, measure): the measure is the CSV key and, translated, the XLSX heading.
ACCOUNT_MEASURES = (
    ("followers", gettext_noop("followers")),
    ("followers_below", gettext_noop("followers below")),
    ("followers_band", gettext_noop("followers band")),
    ("posts", gettext_noop("posts")),
    ("originals", gettext_noop("originals")),
    ("forwards", gettext_noop("forwards")),
    ("originality", gettext_noop("originality")),
    ("posts_per_week", gettext_noop("posts per week")),
    ("last_post", gettext_noop("last post")),
    ("days_since_original", gettext_noop("days since last original")),
    ("stale", gettext_noop("stale")),
    ("reads_per_post", gettext_noop("reads per post")),
    ("likes_per_post", gettext_noop("likes per post")),
    ("comments_per_post", gettext_noop("comments per post")),
    ("reads_per_follower", gettext_noop("reads per follower")),
    ("wci", "WCI"),
    ("bci", "BCI"),
)
ACTIVITY_MEASURES = (
    gettext_noop("accounts"),
    gettext_noop("posts"),
    gettext_noop("originals"),
    gettext_noop("forwards"),
    gettext_noop("reads"),
    gettext_noop("likes"),
    gettext_noop("comments"),
)


def _heading(key: str) -> str:
    """A column heading of the CSV and XLSX in the active language."""
    return _(key) if key not in ("WCI", "BCI") else key


def csv_headings() -> list[str]:
    return [_heading(CSV_HEADINGS[column]) for column in CSV_COLUMNS]


@dataclasses.dataclass
class Report:
    survey: Survey
    scope: Scope
    regions: list[SurveyRegion]
    tables: list[SurveyTable]
    indicators: Indicators
    diagnosis: Diagnosis
    activity: list[dict[str, Any]]
    findings: list[Finding]
    strategies: list[Strategy]
    charts: dict[str, str | None]
    generated_at: datetime.datetime
    # A monitoring period compared with the one before it (None outside a series).
    comparison: Comparison | None = None
    # The three actions that would move the scope most: those for what fails on its own
    # (an account, a region) first, then the others, in the order of the findings.
    top_actions: list[Action] = dataclasses.field(default_factory=list)


def report_build(scope: Scope, *, charts: bool = True, period: str = "month") -> Report:
    """Everything a report shows, for ``scope``."""
    indicators = indicators_for(scope)
    diagnosis = diagnose(indicators)
    return Report(
        survey=scope.survey,
        scope=scope,
        regions=survey_region_links(scope.survey),
        tables=survey_tables(survey=scope.survey),
        indicators=indicators,
        diagnosis=diagnosis,
        activity=activity_by_period(
            scope,
            period=period,
            period_rows=indicators.monthly if period == "month" else None,
        ),
        findings=finding_list(survey=scope.survey),
        strategies=strategy_list(survey=scope.survey),
        charts=survey_charts.report_charts(indicators) if charts else {},
        generated_at=timezone.now(),
        comparison=_comparison(scope, indicators, diagnosis),
        top_actions=top_actions(diagnosis),
    )


def _comparison(scope: Scope, indicators: Indicators, diagnosis: Diagnosis) -> Comparison | None:
    """The same scope in the period before, compared (a region or an archive it does not
    cover yet has nothing to compare)."""
    previous = survey_previous_period(scope.survey)
    if previous is None:
        return None
    try:
        before_scope = scope_get(
            survey=previous,
            region=scope.region.code if scope.region else None,
            archive=scope.institution.slug if scope.institution else None,
        )
    except SurveyNotFound:
        return None
    before = indicators_for(before_scope)
    return compare(
        diagnose(before),
        diagnosis,
        before.accounts,
        indicators.accounts,
        previous_label=previous.title_display,
        names=account_names(before.accounts + indicators.accounts),
    )


def top_actions(diagnosis: Diagnosis, count: int = 3) -> list[Action]:
    """The ``count`` actions that would move the diagnosis most: first those answering what
    fails on its own (they name it), then the rest, each finding in the paper's order."""
    holding = [j for j in diagnosis.judgments if j.status == Status.HOLDS]
    named = [a for j in holding if j.failing for a in j.actions[:1]]
    rest = [a for j in holding for a in j.actions if a not in named]
    return (named + rest)[:count]


@dataclasses.dataclass
class ArchiveSummary:
    """An archive's own diagnosis in its latest survey period, for its staff's dashboard."""

    survey: Survey
    archive: str
    holding: list[str]
    measured: int
    top_actions: list[Action]


def archive_summary_for_staff(*, user: Any, survey: Survey, archive: str) -> ArchiveSummary:
    """The diagnosis of ``archive`` in ``survey`` and its three most useful actions, for a
    reader who may see it (``survey_scope_for_staff`` checks)."""
    scope = survey_scope_for_staff(user=user, slug=survey.slug, archive=archive)
    diagnosis = diagnose(indicators_for(scope))
    return ArchiveSummary(
        survey=survey,
        archive=archive,
        holding=[j.title for j in diagnosis.judgments if j.status == Status.HOLDS],
        measured=sum(1 for j in diagnosis.judgments if j.status != Status.NOT_ENOUGH_DATA),
        top_actions=top_actions(diagnosis),
    )


def report_context(report: Report) -> dict[str, Any]:
    """The template context of ``survey/_report.html``."""
    presence = report.indicators.presence
    region_names = {link.region.code: display_name(link.region) for link in report.regions}
    return {
        "report": report,
        "survey": report.survey,
        "scope": report.scope,
        "tables": report.tables,
        "indicators": report.indicators,
        "presence_rows": [
            (region, [(p, region.present[p], region.accounts[p]) for p in presence.platforms])
            for region in presence.regions
        ],
        "platform_labels": [platform_label(p) for p in presence.platforms],
        "diagnosis": report.diagnosis,
        "charts": report.charts,
        # The activity rows name their region, not its code.
        "activity": [
            {**row, "region_name": region_names.get(row["region"], row["region"])}
            for row in report.activity
        ],
    }


def report_html(report: Report) -> str:
    """A standalone, printable HTML document (no console chrome, no external files)."""
    return render_to_string("survey/report_document.html", report_context(report))


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def report_rows(report: Report) -> Iterator[tuple[str, str, str, str, str]]:
    """The report as long rows (section, region, subject, measure, value): tables cell for cell,
    presence, coverage, accounts' indicators, activity by period, the diagnosis."""
    for table in report.tables:
        section = f"table {table.number} ({table.platform})"
        for column, region in enumerate(table.regions):
            for row in table.rows:
                cell = row.cells[column]
                # The cell as printed under its field; its Chinese rendering beside it.
                yield section, region.code, row.label, row.field, cell.as_printed or cell.text
                if cell.zh:
                    yield section, region.code, row.label, f"{row.field}_zh", cell.zh
    presence = report.indicators.presence
    for region in presence.regions:
        for platform in presence.platforms:
            yield "presence", region.code, region.name, platform, _value(region.present[platform])
    for level in report.indicators.coverage.levels:
        yield "coverage", "", level.level, "institutions", str(level.institutions)
        yield "coverage", "", level.level, "with account", str(level.covered)
        yield "coverage", "", level.level, "share", _value(level.share)
    for account in report.indicators.accounts:
        for attribute, measure in ACCOUNT_MEASURES:
            yield (
                "accounts",
                account.region,
                account.label,
                measure,
                _value(getattr(account, attribute)),
            )
    for row in report.activity:
        for measure in ACTIVITY_MEASURES:
            yield "activity", row["region"], _value(row["period"]), measure, _value(row[measure])
    for judgment in report.diagnosis.judgments:
        yield "diagnosis", "", judgment.code, "status", judgment.status.value
        yield "diagnosis", "", judgment.code, "basis", judgment.basis
        for line in judgment.evidence:
            yield "diagnosis", "", judgment.code, "evidence", line
        for action in judgment.actions:
            yield "diagnosis", "", judgment.code, f"action {action.strategy}", action.text


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_headings())
    writer.writerows(report_rows(report))
    return buffer.getvalue()


def report_xlsx(report: Report) -> bytes:
    """One sheet per table laid out as in the paper, then presence, coverage, accounts, activity,
    diagnosis, and all rows as in the CSV."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = book.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_cell(value) for value in row])
        for column in ws.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
            for cell in column:
                cell.alignment = wrap

    for table in report.tables:
        rows: list[list[Any]] = []
        for row in table.rows:
            if table.has_renderings:
                # The paper's English edition as printed, then this data set's rendering.
                rows.append(
                    [
                        _("%(row)s (English edition, as printed)") % {"row": row.label},
                        *[cell.as_printed or cell.text for cell in row.cells],
                    ]
                )
                rows.append(
                    [
                        _("%(row)s (Chinese rendering)") % {"row": row.label},
                        *[cell.zh for cell in row.cells],
                    ]
                )
            else:
                rows.append([row.label, *[cell.text for cell in row.cells]])
        sheet(
            _("Table %(number)d") % {"number": table.number},
            ["", *table.headers],
            rows + ([[table.note]] if table.note else []),
        )
    presence = report.indicators.presence
    h = _heading
    sheet(
        _("Presence"),
        [
            h(gettext_noop("region")),
            *map(platform_label, presence.platforms),
        ],
        [[r.name, *[_yes_no(r.present[p]) for p in presence.platforms]] for r in presence.regions],
    )
    sheet(
        _("Coverage"),
        [
            h(gettext_noop("level")),
            h(gettext_noop("institutions")),
            h(gettext_noop("with account")),
            h(gettext_noop("share")),
        ],
        [[c.label, c.institutions, c.covered, c.share] for c in report.indicators.coverage.levels],
    )
    sheet(
        _("Accounts"),
        [
            h(gettext_noop("region")),
            h(gettext_noop("account")),
            *[h(measure) for _attribute, measure in ACCOUNT_MEASURES],
        ],
        [
            [
                a.region,
                a.label,
                *[_account_cell(a, attribute) for attribute, _measure in ACCOUNT_MEASURES],
            ]
            for a in report.indicators.accounts
        ],
    )
    sheet(
        _("Activity"),
        [h(gettext_noop("period")), h(gettext_noop("region")), *map(h, ACTIVITY_MEASURES)],
        [[r["period"], r["region"], *[r[m] for m in ACTIVITY_MEASURES]] for r in report.activity],
    )
    sheet(
        _("Diagnosis"),
        [
            h(gettext_noop("finding")),
            h(gettext_noop("status")),
            h(gettext_noop("basis")),
            h(gettext_noop("evidence")),
            h(gettext_noop("actions")),
        ],
        [
            [
                j.title,
                j.status_label,
                j.basis_label,
                "\n".join(j.evidence),
                "\n".join(a.text for a in j.actions),
            ]
            for j in report.diagnosis.judgments
        ],
    )
    sheet(_("Data"), csv_headings(), [list(row) for row in report_rows(report)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return pgettext("survey report cell", "yes") if value else pgettext("survey report cell", "no")


def _account_cell(account: AccountIndicators, attribute: str) -> Any:
    value = getattr(account, attribute)
    if attribute == "followers_band" and value:
        return band_label(value)
    if isinstance(value, bool):
        return _yes_no(value)
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return _value(value)
    if isinstance(value, datetime.date | int | float | str):
        return value
    return str(value)


def report_filename(report: Report, extension: str) -> str:
    parts = [report.survey.slug]
    if report.scope.region is not None:
        parts.append(report.scope.region.code)
    if report.scope.institution is not None:
        parts.append(report.scope.institution.slug)
    return f"{'-'.join(parts)}-{report.scope.as_of.isoformat()}.{extension}"
