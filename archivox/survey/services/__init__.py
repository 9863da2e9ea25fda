"""Writes of the survey app: the paper's survey loader, surveys, institutions, accounts and their
measurements. Bulk CSV import lives in ``archivox.survey.imports`` and uses the checks here."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from archivox.core.models import Archive, Region, User
from archivox.core.paper_survey import (
    MAIN_ARCHIVE_LEVEL,
    LoadReport,
    PaperSurveyError,
    institution_slug,
)
from archivox.core.services import audit_record, snapshot
from archivox.survey.models import (
    Account,
    Finding,
    FollowersBand,
    MetricSnapshot,
    MonitoredInstitution,
    Platform,
    PostRecord,
    Strategy,
    Survey,
    SurveyRegion,
    TableEntry,
)
from archivox.survey.post_flags import FLAGS, TitleScreen
from archivox.survey.services.post_months import post_month_refresh, post_months_refresh

PAPER_SURVEY_SLUG = "paper-2016"
TABLE_FIELDS = ("opened", "basic_situation", "impact", "service_level")
ACCOUNT_PAPER_FIELDS = (
    "followers",
    "followers_band",
    "followers_below",
    "last_update_before",
    "originals_column",
)
SECTION = re.compile(r"^\s*(\d+(?:\.\d+)+)\s")


# --- checks shared with the CSV import ----------------------------------------------------------


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day of ``moment`` in the installation's time zone."""
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def as_aware(value: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date means its midnight, a naive time means the installation's time zone."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def measurement_problems(
    *,
    day: datetime.date,
    opened_on: datetime.date | None,
    counts: dict[str, int | None],
    today: datetime.date | None = None,
    what: str = "date",
) -> list[str]:
    """What is wrong with a dated measurement: a future day, a day before the account opened,
    negative counts. An empty list means nothing."""
    today = today or timezone.localdate()
    problems = []
    if day > today:
        problems.append(f"{what} {day.isoformat()} is in the future (today is {today.isoformat()})")
    if opened_on is not None and day < opened_on:
        problems.append(
            f"{what} {day.isoformat()} is before the account opened ({opened_on.isoformat()})"
        )
    for name, value in counts.items():
        if value is not None and value < 0:
            problems.append(f"{name} must not be negative (got {value})")
    return problems


def _require_staff(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(f"{actor.get_username()} may not change surveys")


def _save_new(instance: models.Model) -> models.Model:
    instance.full_clean()
    instance.save()
    return instance


# --- surveys, institutions, accounts ------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    actor: User | None,
    slug: str,
    title: str,
    method: str = "",
    cutoff: datetime.date | None = None,
    observed_until: datetime.date | None = None,
    notes: str = "",
    regions: Iterable[Region] = (),
) -> Survey:
    """Create a survey over ``regions`` (in that order)."""
    _require_staff(actor)
    survey = _save_new(
        Survey(
            slug=slug,
            title=title,
            method=method,
            cutoff=cutoff,
            observed_until=observed_until,
            notes=notes,
        )
    )
    for position, region in enumerate(regions):
        SurveyRegion.objects.create(survey=survey, region=region, position=position)
    audit_record(
        actor=actor,
        action="survey.create",
        obj=survey,
        after=snapshot(survey, ("slug", "title", "cutoff")),
    )
    return survey


def survey_region_add(*, survey: Survey, region: Region, reported: bool = True) -> SurveyRegion:
    """Add ``region`` to the survey (at the end); adding it again changes nothing."""
    link = SurveyRegion.objects.filter(survey=survey, region=region).first()
    if link is not None:
        return link
    position = SurveyRegion.objects.filter(survey=survey).count()
    return SurveyRegion.objects.create(
        survey=survey, region=region, position=position, reported=reported
    )


def institution_for_archive(*, archive: Archive) -> MonitoredInstitution:
    """The monitored institution that is this Archivox archive (created on first use)."""
    institution = MonitoredInstitution.objects.filter(archive=archive).first()
    if institution is not None:
        return institution
    if archive.region_id is None:
        raise ValidationError({"region": f"archive {archive.slug} has no region to be surveyed in"})
    return _save_new(
        MonitoredInstitution(
            slug=archive.slug,
            name=archive.name,
            name_zh=archive.name_zh,
            level=archive.level,
            region_id=archive.region_id,
            archive=archive,
        )
    )


@transaction.atomic
def institution_create(
    *,
    actor: User | None,
    slug: str,
    name: str,
    level: str,
    region: Region,
    name_zh: str = "",
    archive: Archive | None = None,
    notes: str = "",
) -> MonitoredInstitution:
    """Monitor an institution; ``archive`` links one that uses Archivox."""
    _require_staff(actor)
    institution = _save_new(
        MonitoredInstitution(
            slug=slug,
            name=name,
            name_zh=name_zh,
            level=level,
            region=region,
            archive=archive,
            notes=notes,
        )
    )
    if actor is not None:
        audit_record(actor=actor, action="institution.create", obj=institution)
    return institution


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    institution: MonitoredInstitution,
    platform: str,
    handle: str = "",
    name: str = "",
    opened: bool = True,
    opened_on: datetime.date | None = None,
    verified: bool | None = None,
    followers: int | None = None,
    followers_band: str = "",
    followers_below: int | None = None,
    last_update_before: datetime.date | None = None,
    originals_column: str = "",
    notes: str = "",
    source: str = "",
) -> Account:
    """Record an institution's account on a platform (or that it has none: ``opened=False``)."""
    _require_staff(actor)
    account = _save_new(
        Account(
            institution=institution,
            platform=platform,
            handle=handle,
            name=name,
            opened=opened,
            opened_on=opened_on,
            verified=verified,
            followers=followers,
            followers_band=followers_band,
            followers_below=followers_below,
            last_update_before=last_update_before,
            originals_column=originals_column,
            notes=notes,
            source=source,
        )
    )
    if actor is not None:
        audit_record(
            actor=actor,
            action="survey_account.create",
            obj=account,
            archive=institution.archive,
        )
    return account


def snapshot_record(
    *,
    account: Account,
    date: datetime.date,
    followers: int | None = None,
    posts_total: int | None = None,
    source: str = "",
    today: datetime.date | None = None,
) -> MetricSnapshot:
    """Record (or correct) an account's counters on ``date``."""
    problems = measurement_problems(
        day=date,
        opened_on=account.opened_on,
        counts={"followers": followers, "posts_total": posts_total},
        today=today,
    )
    if problems:
        raise ValidationError(problems)
    snap, _ = MetricSnapshot.objects.update_or_create(
        account=account,
        date=date,
        defaults={"followers": followers, "posts_total": posts_total, "source": source},
    )
    return snap


def post_record_save(
    *,
    account: Account,
    published_at: datetime.date | datetime.datetime,
    title: str,
    column: str = "",
    is_original: bool | None = None,
    reads: int | None = None,
    likes: int | None = None,
    comments: int | None = None,
    shares: int | None = None,
    measured_at: datetime.date | datetime.datetime | None = None,
    source: str = "",
    today: datetime.date | None = None,
    flags: Iterable[str] = (),
) -> PostRecord:
    """Record a post of a monitored account, or update its counters when measured again. Its
    title is screened (personal data, sensitive words); ``flags`` are what the source knows
    besides (``archivox.survey.post_flags``: restricted, override, withdrawn)."""
    published_at = as_aware(published_at)
    measured_at = as_aware(measured_at) if measured_at is not None else None
    counts = {"reads": reads, "likes": likes, "comments": comments, "shares": shares}
    problems = measurement_problems(
        day=local_day(published_at),
        opened_on=account.opened_on,
        counts=counts,
        today=today,
        what="published",
    )
    if measured_at is not None and measured_at < published_at:
        problems.append("measured before it was published")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        post, _ = PostRecord.objects.update_or_create(
            account=account,
            published_at=published_at,
            title=title,
            defaults={
                "published_on": local_day(published_at),
                "column": column,
                "is_original": is_original,
                "measured_at": measured_at,
                "source": source,
                "flags": TitleScreen().flags(title, flags),
                **counts,
            },
        )
        post_month_refresh(account_id=account.pk, day=post.published_on)
    return post


def post_record_flags_add(
    *,
    account: Account,
    published_at: datetime.date | datetime.datetime,
    title: str,
    flags: Iterable[str],
    column: str = "",
    is_original: bool | None = None,
    source: str = "",
) -> PostRecord:
    """Add what a source learnt of a post after publishing (withdrawn, found restricted) to its
    record, keeping the counters measured before; a post never measured gets a record without
    counters. Used where the platform can no longer be asked (a withdrawn copy)."""
    post = PostRecord.objects.filter(
        account=account, published_at=as_aware(published_at), title=title
    ).first()
    if post is None:
        return post_record_save(
            account=account,
            published_at=published_at,
            title=title,
            column=column,
            is_original=is_original,
            source=source,
            flags=flags,
        )
    held = set(filter(None, (post.flags or "").split(",")))
    merged = ",".join(code for code in FLAGS if code in held | set(flags))
    if merged != post.flags:
        post.flags = merged
        post.save(update_fields=["flags"])
    return post


# --- the paper's survey (survey-2016-paper-v2.yaml) -------------------------------------------


def impact_bands(text: str) -> list[str]:
    """The follower bands an impact cell names, largest first: "City archives: fans in ten
    thousands; district archives: fans in hundreds" → ["ten_thousands", "hundreds"]."""
    lowered = text.lower()
    bands = []
    if re.search(r"ten[\s-]+thousand", lowered):
        bands.append(FollowersBand.TEN_THOUSANDS.value)
        lowered = re.sub(r"ten[\s-]+thousands?", " ", lowered)
    if "thousand" in lowered:
        bands.append(FollowersBand.THOUSANDS.value)
    if "hundred" in lowered:
        bands.append(FollowersBand.HUNDREDS.value)
    # "Fans in fews" (the paper's words for a handful of followers).
    if re.search(r"\bfews?\b", lowered) and "more or less" not in lowered:
        bands.append(FollowersBand.FEW.value)
    return bands


def _as_date(value: Any, where: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PaperSurveyError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def paper_survey_check(data: dict[str, Any]) -> None:
    """Check the parts of the survey file this app loads (core checked regions and accounts)."""
    codes = {region["code"] for region in data["regions"]}
    survey = data.get("survey") or {}
    if not isinstance(survey, dict) or not survey.get("title"):
        raise PaperSurveyError("the survey file has no 'survey' with a 'title'")
    _as_date(survey.get("cutoff"), "survey cutoff")
    platforms = data.get("platforms") or {}
    if not isinstance(platforms, dict):
        raise PaperSurveyError("'platforms' must map platform → region → table cells")
    for platform, cells in platforms.items():
        if platform not in Platform.values:
            raise PaperSurveyError(f"unknown platform {platform!r} in 'platforms'")
        if not isinstance(cells, dict):
            raise PaperSurveyError(f"'platforms.{platform}' must map region codes to cells")
        for code, cell in cells.items():
            if code not in codes:
                raise PaperSurveyError(f"'platforms.{platform}' names unknown region {code!r}")
            if not isinstance(cell, dict):
                raise PaperSurveyError(f"'platforms.{platform}.{code}' is not a mapping")
    for index, account in enumerate(data.get("accounts") or [], start=1):
        if account.get("platform") not in Platform.values:
            raise PaperSurveyError(
                f"account #{index} has unknown platform {account.get('platform')!r}"
            )
        band = account.get("followers_band")
        if band and band not in FollowersBand.values:
            raise PaperSurveyError(f"account #{index} has unknown followers_band {band!r}")
        for name in ("followers", "followers_below"):
            value = account.get(name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise PaperSurveyError(f"account #{index}: {name} must be a whole number ≥ 0")
        _as_date(account.get("last_update_before"), f"account #{index} last_update_before")
    for index, post in enumerate(data.get("posts") or [], start=1):
        for key in ("region", "institution", "platform", "published", "title"):
            if not post.get(key):
                raise PaperSurveyError(f"post #{index} has no {key!r}")
        _as_date(post.get("published"), f"post #{index} published")
        _as_date(post.get("measured"), f"post #{index} measured")
        for name in ("reads", "likes", "comments", "shares"):
            value = post.get(name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise PaperSurveyError(f"post #{index}: {name} must be a whole number ≥ 0")
    for key in ("findings", "strategies"):
        if not isinstance(data.get(key) or {}, dict):
            raise PaperSurveyError(f"'{key}' must map codes to texts")


# The paper's tables by platform: the data set's `label_table1` is Table 1's (Weibo) column label.
TABLE_NUMBERS = {Platform.WEIBO: "table1", Platform.WECHAT: "table2"}
TABLE_TEXT_KEYS = ("title_as_printed", "title_zh", "note_as_printed", "note_zh")


def _tables_as_printed(spec: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{platform: {title_as_printed, title_zh, note_as_printed, note_zh}} from the survey's
    ``table1``/``table2``."""
    tables = {}
    for platform, key in TABLE_NUMBERS.items():
        texts = spec.get(key) or {}
        if isinstance(texts, dict) and texts:
            tables[str(platform)] = {k: str(texts.get(k, "") or "") for k in TABLE_TEXT_KEYS}
    return tables


def _observations(data: dict[str, Any]) -> list[dict[str, str]]:
    keys = ("platform", "what", "value", "value_zh", "source")
    return [
        {key: str(item.get(key, "") or "") for key in keys}
        for item in data.get("observations") or []
        if isinstance(item, dict)
    ]


def _upsert(
    model: type[models.Model], *, lookup: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> models.Model:
    """Create or bring up to date one row; counts what happened in ``report``."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        report.add("created")
        return _save_new(model(**lookup, **values))
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        report.add("unchanged")
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save()
    report.add("updated")
    return instance


def _institution_archive(account: dict[str, Any], mains: dict[str, Archive]) -> Archive:
    """The archive core's loader made for an account's institution."""
    main = mains[account["region"]]
    if MAIN_ARCHIVE_LEVEL[account["level"]] == main.level:
        return main
    return Archive.objects.get(slug=institution_slug(account["region"], account["institution"]))


@transaction.atomic
def paper_survey_load(*, data: dict[str, Any], source: str = "") -> LoadReport:
    """Load the survey of the paper on top of the regions and archives that
    ``core.paper_survey.paper_survey_load_archives`` loaded: the survey, its regions, Tables 1–2,
    the monitored institutions and accounts with the paper's figures, the posts it reports, its
    findings and strategies. Idempotent: a second run changes nothing."""
    report = LoadReport()
    if not data.get("survey"):
        return report  # a file of regions and archives only: no survey to load
    paper_survey_check(data)
    spec = data.get("survey") or {}
    cutoff = _as_date(spec.get("cutoff"), "survey cutoff")
    posts = data.get("posts") or []
    observed = [cutoff] if cutoff else []
    for index, post in enumerate(posts, start=1):
        for key in ("published", "measured"):
            day = _as_date(post.get(key), f"post #{index} {key}")
            if day:
                observed.append(day)
    survey = _upsert(
        Survey,
        lookup={"slug": PAPER_SURVEY_SLUG},
        values={
            "title": spec["title"],
            "title_zh": str(spec.get("title_zh", "") or ""),
            "method": spec.get("method", "") or "",
            "method_zh": str(spec.get("method_zh", "") or ""),
            "tables": _tables_as_printed(spec),
            "observations": _observations(data),
            "cutoff": cutoff,
            "observed_until": max(observed) if observed else None,
            "notes": spec.get("notes", "") or "",
            "source": source,
        },
        report=report,
    )

    platforms = data.get("platforms") or {}
    tabulated = {code for cells in platforms.values() for code in cells}
    regions = {
        region.code: region
        for region in Region.objects.filter(code__in=[spec["code"] for spec in data["regions"]])
    }
    for position, region_spec in enumerate(data["regions"]):
        code = region_spec["code"]
        if code not in regions:
            raise PaperSurveyError(f"region {code!r} is not loaded; load the archives first")
        _upsert(
            SurveyRegion,
            lookup={"survey": survey, "region": regions[code]},
            values={
                "position": position,
                "reported": code in tabulated,
                "note": region_spec.get("note", "") or "",
            },
            report=report,
        )

    labels = {spec["code"]: spec for spec in data["regions"]}
    for platform, cells in platforms.items():
        table = TABLE_NUMBERS.get(platform, platform)
        for position, (code, cell) in enumerate(cells.items()):
            impact = str(cell.get("impact", "") or "")
            _upsert(
                TableEntry,
                lookup={"survey": survey, "platform": platform, "region": regions[code]},
                values={
                    "position": position,
                    "opened": cell.get("opened"),
                    "basic_situation": str(cell.get("basic_situation", "") or ""),
                    "impact": impact,
                    "service_level": str(cell.get("service_level", "") or ""),
                    "impact_bands": ",".join(impact_bands(impact)),
                    "label": str(labels[code].get(f"label_{table}", "") or ""),
                    "label_zh": str(labels[code].get(f"label_{table}_zh", "") or ""),
                    "basic_situation_zh": str(cell.get("basic_situation_zh", "") or ""),
                    "impact_zh": str(cell.get("impact_zh", "") or ""),
                    "service_level_zh": str(cell.get("service_level_zh", "") or ""),
                    "cells_as_printed": str(cell.get("cells_as_printed", "") or ""),
                    "cells_zh": str(cell.get("cells_zh", "") or ""),
                },
                report=report,
            )

    # Every archive of the surveyed regions is monitored: the main ones and those named.
    mains = {
        archive.slug: archive
        for archive in Archive.objects.filter(slug__in=list(regions), parent__isnull=True)
    }
    for archive in Archive.objects.filter(region__in=regions.values()).order_by("slug"):
        _upsert(
            MonitoredInstitution,
            lookup={"slug": archive.slug},
            values={
                "name": archive.name,
                "name_zh": archive.name_zh,
                "level": archive.level,
                "region": archive.region,
                "archive": archive,
            },
            report=report,
        )
    institutions = {
        institution.slug: institution
        for institution in MonitoredInstitution.objects.filter(region__in=regions.values())
    }
    accounts: dict[tuple[str, str, str], Account] = {}
    for index, spec in enumerate(data.get("accounts") or [], start=1):
        try:
            archive = _institution_archive(spec, mains)
        except Archive.DoesNotExist as exc:
            raise PaperSurveyError(f"account #{index}: its archive is not loaded") from exc
        key = (spec["region"], spec["institution"], spec["platform"])
        if key in accounts:
            raise PaperSurveyError(f"account #{index} repeats {key!r}")
        accounts[key] = _upsert(
            Account,
            lookup={
                "institution": institutions[archive.slug],
                "platform": spec["platform"],
                "handle": "",
            },
            values={
                "name": spec["institution"],
                "opened": True,
                "followers": spec.get("followers"),
                "followers_band": spec.get("followers_band", "") or "",
                "followers_below": spec.get("followers_below"),
                "last_update_before": _as_date(spec.get("last_update_before"), ""),
                "originals_column": spec.get("originals_column", "") or "",
                "notes": spec.get("note", "") or "",
                "source": str(spec.get("source", "") or ""),
            },
            report=report,
        )

    posted: set[int] = set()
    for index, spec in enumerate(posts, start=1):
        account = accounts.get((spec["region"], spec["institution"], spec["platform"]))
        if account is None:
            raise PaperSurveyError(
                f"post #{index}: no account of {spec['institution']!r} on {spec['platform']} "
                "among the survey's accounts"
            )
        published_at = as_aware(_as_date(spec["published"], ""))
        measured = _as_date(spec.get("measured"), "")
        _upsert(
            PostRecord,
            lookup={"account": account, "published_at": published_at, "title": spec["title"]},
            values={
                "published_on": local_day(published_at),
                "column": spec.get("column", "") or "",
                "context": str(spec.get("context", "") or ""),
                "is_original": spec.get("original"),
                "reads": spec.get("reads"),
                "likes": spec.get("likes"),
                "comments": spec.get("comments"),
                "shares": spec.get("shares"),
                "measured_at": as_aware(measured) if measured else None,
                "source": str(spec.get("source", "") or ""),
            },
            report=report,
        )
        posted.add(account.pk)
    post_months_refresh(posted)

    for model, key in ((Finding, "findings"), (Strategy, "strategies")):
        for position, (code, text) in enumerate((data.get(key) or {}).items()):
            match = SECTION.match(str(text))
            _upsert(
                model,
                lookup={"survey": survey, "code": code},
                values={
                    "text": str(text),
                    "section": match.group(1) if match else "",
                    "position": position,
                },
                report=report,
            )

    if report.created or report.updated:
        audit_record(
            actor=None,
            action="survey.load",
            obj=survey,
            after={"source": source, "created": report.created, "updated": report.updated},
        )
    return report
