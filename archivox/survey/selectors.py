"""Reads of the survey app: surveys for staff, the scope of a report, and the survey's tables."""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive, Region, User
from archivox.core.selectors import Capability
from archivox.survey.models import (
    Account,
    Finding,
    MonitoredInstitution,
    Platform,
    Strategy,
    Survey,
    SurveyRegion,
    TableEntry,
)

# Tables are numbered as in the paper: Table 1 Weibo, Table 2 WeChat; others follow.
TABLE_PLATFORMS = (Platform.WEIBO, Platform.WECHAT, Platform.WEBSITE, Platform.OTHER)
# The paper's row and platform names, in the active language (lazy: the request's language).
TABLE_ROW_LABELS = {
    "opened": gettext_lazy("%(platform)s opening situation"),
    "basic_situation": gettext_lazy("Basic situation"),
    "impact": gettext_lazy("Impact strength"),
    "service_level": gettext_lazy("Service level"),
}
TABLE_PLATFORM_NAMES = {
    Platform.WEIBO: gettext_lazy("Weibo"),
    Platform.WECHAT: gettext_lazy("WeChat public account"),
    Platform.WEBSITE: gettext_lazy("Website"),
    Platform.OTHER: gettext_lazy("Other platform"),
}
DEFAULT_WINDOW_DAYS = 365


class SurveyNotFound(LookupError):
    """No such survey, or no such region or archive in it."""


def _require_staff(user: User | None) -> None:
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        raise PermissionDenied("survey reports are for staff")


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.annotate(region_count=Count("survey_regions")).order_by("-cutoff", "slug")


def survey_list_for_staff(*, user: User) -> QuerySet[Survey]:
    _require_staff(user)
    return survey_list()


def survey_get(*, slug: str) -> Survey:
    try:
        return Survey.objects.get(slug=slug)
    except Survey.DoesNotExist as exc:
        raise SurveyNotFound(f"no survey {slug!r}") from exc


def survey_get_for_staff(*, user: User, slug: str) -> Survey:
    """The survey, for a staff member; PermissionDenied for anyone else."""
    _require_staff(user)
    return survey_get(slug=slug)


def survey_reader_is_supervisor(user: User) -> bool:
    """A supervisor reads every archive's report: a superuser, or a staff account holding no
    role in any archive (the provincial bureau's). An archive's own staff read their own."""
    if user.is_superuser:
        return True
    return not core_selectors.archive_list_for_staff(user=user).exists()


def survey_scope_for_staff(
    *,
    user: User,
    slug: str,
    region: str | None = None,
    archive: str | None = None,
    as_of: datetime.date | None = None,
    start: datetime.date | None = None,
) -> Scope:
    """The scope of a report a staff member may read: anything for a supervisor; for an
    archive's own staff only the report filtered to an archive where they hold a role
    (PermissionDenied otherwise, also for a whole survey or a region)."""
    _require_staff(user)
    survey = survey_get(slug=slug)
    if not survey_reader_is_supervisor(user):
        if not archive:
            raise PermissionDenied("an archive's staff read the report of their own archive")
        try:
            own = core_selectors.archive_get(slug=archive)
        except Archive.DoesNotExist as exc:
            raise SurveyNotFound(f"no archive {archive!r}") from exc
        core_selectors.archive_check_capability(
            user=user, archive=own, capability=Capability.SURVEY_VIEW_OWN
        )
        region = None
    return scope_get(survey=survey, region=region, archive=archive, as_of=as_of, start=start)


def survey_latest_for_archives(*, archive_ids: list[int]) -> dict[int, Survey]:
    """For each archive, the latest survey period (by cut-off) monitoring it (two queries,
    whatever the number of archives)."""
    if not archive_ids:
        return {}
    rows = list(
        MonitoredInstitution.objects.filter(archive_id__in=archive_ids)
        .exclude(region__survey_links__survey__isnull=True)
        .values_list("archive_id", "region__survey_links__survey")
    )
    survey_ids = {survey_id for _archive, survey_id in rows}
    surveys = {s.pk: s for s in Survey.objects.filter(pk__in=survey_ids)}
    latest: dict[int, Survey] = {}
    for archive_id, survey_id in rows:
        survey = surveys[survey_id]
        best = latest.get(archive_id)
        key = (survey.cutoff or datetime.date.min, survey.pk)
        if best is None or key > (best.cutoff or datetime.date.min, best.pk):
            latest[archive_id] = survey
    return latest


def survey_reference_date(survey: Survey) -> datetime.date:
    """The day the survey's indicators are computed for: the last day it observed, else its
    cut-off, else today."""
    return survey.observed_until or survey.cutoff or timezone.localdate()


def survey_region_links(survey: Survey) -> list[SurveyRegion]:
    return list(
        SurveyRegion.objects.filter(survey=survey)
        .select_related("region")
        .order_by("position", "region__code")
    )


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a report covers: a whole survey, one of its regions or one institution, with the
    window of activity ``start``…``as_of`` (both inclusive)."""

    survey: Survey
    as_of: datetime.date
    start: datetime.date
    region: Region | None = None
    institution: MonitoredInstitution | None = None

    @property
    def kind(self) -> str:
        if self.institution is not None:
            return "archive"
        return "region" if self.region is not None else "survey"

    @property
    def label(self) -> str:
        if self.institution is not None:
            return _display(self.institution.name_zh, self.institution.name)
        if self.region is not None:
            return _display(self.region.name_zh, self.region.name)
        return self.survey.title_display

    def institutions(self) -> QuerySet[MonitoredInstitution]:
        institutions = MonitoredInstitution.objects.filter(region__survey_links__survey=self.survey)
        if self.region is not None:
            institutions = institutions.filter(region=self.region)
        if self.institution is not None:
            institutions = institutions.filter(pk=self.institution.pk)
        return institutions

    def accounts(self) -> QuerySet[Account]:
        return Account.objects.filter(institution__in=self.institutions().values("pk"))


def _display(name_zh: str, name: str) -> str:
    if name_zh and (translation.get_language() or "").startswith("zh"):
        return name_zh  # a Chinese page names places and archives in Chinese only
    if name_zh and name and name_zh != name:
        return f"{name_zh} ({name})"
    return name_zh or name


def display_name(obj: Region | MonitoredInstitution) -> str:
    """ "南京 (Nanjing)": the Chinese name with the English one (the Chinese alone on a Chinese
    page), or whichever exists."""
    return _display(obj.name_zh, obj.name)


def scope_get(
    *,
    survey: Survey,
    region: str | None = None,
    archive: str | None = None,
    as_of: datetime.date | None = None,
    start: datetime.date | None = None,
) -> Scope:
    """The scope of a report on ``survey``: the whole survey, a region (by code) or an archive
    (by the slug of the monitored institution, which is the archive's slug in Archivox)."""
    as_of = as_of or survey_reference_date(survey)
    if start is None and survey.starts_on is not None and survey.starts_on <= as_of:
        start = survey.starts_on  # a monitoring period covers itself alone
    start = start or as_of - datetime.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if start > as_of:
        raise ValueError(f"the window starts ({start}) after it ends ({as_of})")
    region_obj = institution = None
    if region:
        link = (
            SurveyRegion.objects.filter(survey=survey, region__code=region)
            .select_related("region")
            .first()
        )
        if link is None:
            raise SurveyNotFound(f"region {region!r} is not in survey {survey.slug!r}")
        region_obj = link.region
    if archive:
        institution = (
            MonitoredInstitution.objects.filter(slug=archive, region__survey_links__survey=survey)
            .select_related("region", "archive")
            .first()
        )
        if institution is None:
            raise SurveyNotFound(f"archive {archive!r} is not monitored in survey {survey.slug!r}")
        if region_obj is not None and institution.region_id != region_obj.pk:
            raise SurveyNotFound(f"archive {archive!r} is not in region {region!r}")
    return Scope(
        survey=survey, as_of=as_of, start=start, region=region_obj, institution=institution
    )


# --- the survey's tables (the paper's Tables 1 and 2) -------------------------------------------


@dataclasses.dataclass
class TableCell:
    value: bool | str | None
    text: str
    # When the survey's data set carries Chinese renderings of an English edition: the cell as
    # printed and its rendering, each shown with its label (``text`` is then the rendering under
    # Chinese, the printed text otherwise).
    as_printed: str = ""
    zh: str = ""


@dataclasses.dataclass
class TableColumn:
    """A region as one table labels it ("Chengdu" in Table 1 is "Sichuan" in Table 2)."""

    region: Region
    label: str
    label_as_printed: str


@dataclasses.dataclass
class TableRow:
    field: str
    label: str
    cells: list[TableCell]


@dataclasses.dataclass
class SurveyTable:
    number: int
    platform: str
    title: str
    note: str
    regions: list[Region]
    rows: list[TableRow]
    columns: list[TableColumn] = dataclasses.field(default_factory=list)
    title_as_printed: str = ""
    note_as_printed: str = ""

    @property
    def headers(self) -> list[str]:
        if self.columns:
            return [column.label for column in self.columns]
        return [display_name(region) for region in self.regions]

    @property
    def has_renderings(self) -> bool:
        return any(cell.zh for row in self.rows for cell in row.cells)

    def cell(self, region_code: str, field: str) -> TableCell:
        column = [region.code for region in self.regions].index(region_code)
        row = next(row for row in self.rows if row.field == field)
        return row.cells[column]


def opened_text(value: bool | None) -> str:
    if value is None:
        return ""
    return pgettext("account opened", "Yes") if value else pgettext("account opened", "No")


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _cell(entry: TableEntry, field: str) -> TableCell:
    """One cell: its value, the text as printed and its Chinese rendering when the data set has
    one. A column printed as one text in every cell (Table 2's "No") gives that text everywhere."""
    value = getattr(entry, field)
    if field == "opened":
        with translation.override("en"):
            printed = entry.cells_as_printed or opened_text(value)
        zh = opened_text_zh(value) if (entry.cells_zh or _has_renderings(entry)) else ""
    elif entry.cells_as_printed:
        printed, zh = entry.cells_as_printed, entry.cells_zh
    else:
        printed, zh = str(value or ""), str(getattr(entry, f"{field}_zh", "") or "")
    if not zh:
        text = opened_text(value) if field == "opened" else str(value or "")
        return TableCell(value=value, text=text)
    return TableCell(value=value, text=zh if _chinese() else printed, as_printed=printed, zh=zh)


def _has_renderings(entry: TableEntry) -> bool:
    return bool(entry.basic_situation_zh or entry.impact_zh or entry.service_level_zh)


def opened_text_zh(value: bool | None) -> str:
    """是 / 否: the Chinese rendering of a printed Yes / No."""
    if value is None:
        return ""
    with translation.override("zh-hans"):
        return opened_text(value)


def _column(entry: TableEntry) -> TableColumn:
    region = entry.region
    if not entry.label:
        return TableColumn(region=region, label=display_name(region), label_as_printed="")
    zh = entry.label_zh or region.name_zh
    label = zh if _chinese() and zh else entry.label
    return TableColumn(region=region, label=label, label_as_printed=entry.label)


def survey_tables(*, survey: Survey) -> list[SurveyTable]:
    """The survey's tables, one per platform, columns in the survey's order, cells as printed
    with their Chinese renderings when the data set has them.

    A row appears when any column has a value for it (the paper's Table 2 has no impact row)."""
    entries = list(
        TableEntry.objects.filter(survey=survey)
        .select_related("region")
        .order_by("platform", "position", "region__code")
    )
    by_platform: dict[str, list[TableEntry]] = {}
    for entry in entries:
        by_platform.setdefault(entry.platform, []).append(entry)
    tables = []
    number = 0
    cutoff = _("Deadline: %(date)s") % {"date": survey.cutoff.isoformat()} if survey.cutoff else ""
    printed = survey.tables or {}
    for platform in TABLE_PLATFORMS:
        columns = by_platform.get(platform)
        if not columns:
            continue
        number += 1
        name = TABLE_PLATFORM_NAMES[platform]
        rows = []
        for field, label in TABLE_ROW_LABELS.items():
            values = [getattr(entry, field) for entry in columns]
            if field != "opened" and not any(values):
                continue
            cells = [_cell(entry, field) for entry in columns]
            rows.append(TableRow(field=field, label=label % {"platform": name}, cells=cells))
        texts = printed.get(str(platform)) or {}
        title = _("Table %(number)d Survey of %(platform)s in some regions") % {
            "number": number,
            "platform": name,
        }
        if texts.get("title_zh") and _chinese():
            title = _("Table %(number)d %(title)s") % {"number": number, "title": texts["title_zh"]}
        elif texts.get("title_as_printed"):
            title = _("Table %(number)d %(title)s") % {
                "number": number,
                "title": texts["title_as_printed"],
            }
        # A table the data set describes has the note it printed, or none.
        note = "" if texts else cutoff
        if texts.get("note_zh") and _chinese():
            note = texts["note_zh"]
        elif texts.get("note_as_printed"):
            note = texts["note_as_printed"]
        tables.append(
            SurveyTable(
                number=number,
                platform=platform,
                title=title,
                note=note,
                regions=[entry.region for entry in columns],
                rows=rows,
                columns=[_column(entry) for entry in columns],
                title_as_printed=texts.get("title_as_printed", ""),
                note_as_printed=texts.get("note_as_printed", ""),
            )
        )
    return tables


def finding_list(*, survey: Survey) -> list[Finding]:
    return list(Finding.objects.filter(survey=survey).order_by("position"))


def strategy_list(*, survey: Survey) -> list[Strategy]:
    return list(Strategy.objects.filter(survey=survey).order_by("position"))


def survey_previous_period(survey: Survey) -> Survey | None:
    """The period of the same series just before ``survey`` (None outside a series)."""
    if not survey.series or survey.cutoff is None:
        return None
    return (
        Survey.objects.filter(series=survey.series, cutoff__lt=survey.cutoff)
        .order_by("-cutoff")
        .first()
    )
