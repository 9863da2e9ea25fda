"""Read the paper's survey data set (survey-2016-paper-v2.yaml); create its regions and archives.

The survey app extends what is loaded (accounts, tables, posts); this module owns the parts the
rest of the product stands on: regions and the archives that serve them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from archivox.core.models import Archive, Region
from archivox.core.services import archive_create, archive_update


class PaperSurveyError(ValueError):
    """The survey file is missing, not YAML, or lacks what the loader needs."""


# The administrative level of the region's main archive, by the region's own level.
MAIN_ARCHIVE_LEVEL = {
    "province": Archive.Level.PROVINCE,
    "municipality": Archive.Level.PROVINCE,
    "prefecture": Archive.Level.CITY,
    "city": Archive.Level.CITY,
    "district": Archive.Level.DISTRICT,
    "county": Archive.Level.COUNTY,
}

# Demo names of the institutions the paper names; the paper gives them in English only.
INSTITUTION_NAMES_ZH = {
    "beijing": ("Beijing Municipal Archives", "北京市档案馆"),
    "nanjing": ("Nanjing Archives", "南京市档案馆"),
    "kunming": ("Kunming Archives", "昆明市档案馆"),
    "suzhou": ("Suzhou Archives", "苏州市档案馆"),
    "sichuan": ("Sichuan Provincial Archives", "四川省档案馆"),
    "hami": ("Hami Archives", "哈密市档案馆"),
    "yancheng": ("Yancheng Archives", "盐城市档案馆"),
    "Shijingshan District Archives": "石景山区档案馆",
    "Dongcheng District Archives": "东城区档案馆",
    "Qixia District Archives Bureau (local chronicles)": "栖霞区档案局（地方志）",
    "Gulou District Archives": "鼓楼区档案馆",
    "Pukou District Archives (archives history)": "浦口区档案馆（档案史）",
    "Xuanwu District Archives": "玄武区档案馆",
}


def default_paper_survey_path() -> Path:
    for candidate in settings.PAPER_SURVEY_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return Path(settings.PAPER_SURVEY_PATHS[0])


def read_paper_survey(path: Path) -> dict[str, Any]:
    """Parse and check the survey file; every problem is a one-line PaperSurveyError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PaperSurveyError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PaperSurveyError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PaperSurveyError(f"{path}: not valid YAML{where}: {problem}") from exc
    if not isinstance(data, dict):
        raise PaperSurveyError(f"{path}: expected a mapping with 'regions' at the top")
    regions = data.get("regions")
    if not isinstance(regions, list) or not regions:
        raise PaperSurveyError(f"{path}: 'regions' must be a non-empty list")
    for index, region in enumerate(regions, start=1):
        if not isinstance(region, dict):
            raise PaperSurveyError(f"{path}: region #{index} is not a mapping")
        for key in ("code", "name", "level"):
            if not region.get(key):
                raise PaperSurveyError(f"{path}: region #{index} has no '{key}'")
        if region["level"] not in MAIN_ARCHIVE_LEVEL:
            raise PaperSurveyError(
                f"{path}: region {region['code']!r} has unknown level {region['level']!r}"
            )
    codes = {region["code"] for region in regions}
    accounts = data.get("accounts") or []
    if not isinstance(accounts, list):
        raise PaperSurveyError(f"{path}: 'accounts' must be a list")
    for index, account in enumerate(accounts, start=1):
        if not isinstance(account, dict) or not account.get("institution"):
            raise PaperSurveyError(f"{path}: account #{index} has no 'institution'")
        if account.get("region") not in codes:
            raise PaperSurveyError(
                f"{path}: account #{index} names unknown region {account.get('region')!r}"
            )
        if account.get("level") not in MAIN_ARCHIVE_LEVEL:
            raise PaperSurveyError(
                f"{path}: account #{index} has unknown level {account.get('level')!r}"
            )
    return data


@dataclasses.dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _upsert_region(spec: dict[str, Any], report: LoadReport) -> Region:
    values = {
        "name": spec["name"],
        "name_zh": spec.get("name_zh", ""),
        "tier": spec.get("tier"),
        "level": spec["level"],
        "province": spec.get("province", ""),
        "note": spec.get("note", ""),
    }
    region = Region.objects.filter(code=spec["code"]).first()
    if region is None:
        region = Region(code=spec["code"], **values)
        region.full_clean()
        region.save()
        report.add("created")
    elif any(getattr(region, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(region, key, value)
        region.full_clean()
        region.save()
        report.add("updated")
    else:
        report.add("unchanged")
    return region


def _upsert_archive(*, slug: str, values: dict[str, Any], report: LoadReport) -> Archive:
    archive = Archive.objects.filter(slug=slug).first()
    if archive is None:
        report.add("created")
        return archive_create(actor=None, slug=slug, is_demo=True, **values)
    if any(getattr(archive, key) != value for key, value in values.items()):
        report.add("updated")
        return archive_update(actor=None, archive=archive, **values)
    report.add("unchanged")
    return archive


def institution_slug(region_code: str, institution: str) -> str:
    """``Shijingshan District Archives`` in beijing → ``beijing-shijingshan``."""
    first_word = re.sub(r"[^a-z0-9]+", "", institution.split()[0].lower())
    return f"{region_code}-{first_word}"


@transaction.atomic
def paper_survey_load_archives(*, data: dict[str, Any]) -> tuple[LoadReport, LoadReport]:
    """Create or update the regions and archives of the survey; returns (regions, archives)."""
    region_report, archive_report = LoadReport(), LoadReport()
    main_archives: dict[str, Archive] = {}
    for spec in data["regions"]:
        region = _upsert_region(spec, region_report)
        name, name_zh = INSTITUTION_NAMES_ZH.get(
            spec["code"], (f"{spec['name']} Archives", f"{spec.get('name_zh', '')}档案馆")
        )
        main_archives[spec["code"]] = _upsert_archive(
            slug=spec["code"],
            values={
                "name": name,
                "name_zh": name_zh,
                "level": MAIN_ARCHIVE_LEVEL[spec["level"]],
                "region": region,
                "parent": None,
            },
            report=archive_report,
        )
    for account in data.get("accounts") or []:
        main = main_archives[account["region"]]
        level = MAIN_ARCHIVE_LEVEL[account["level"]]
        if level == main.level:
            continue  # the region's main archive itself, under another of its names
        _upsert_archive(
            slug=institution_slug(account["region"], account["institution"]),
            values={
                "name": account["institution"],
                "name_zh": INSTITUTION_NAMES_ZH.get(account["institution"], ""),
                "level": level,
                "region": main.region,
                "parent": main,
            },
            report=archive_report,
        )
    return region_report, archive_report
