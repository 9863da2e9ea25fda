"""/api/v1/survey/: the surveys, their tables, indicators, activity by period and diagnosis.
Staff only (session authentication), like the console's report."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from archivox.survey import selectors
from archivox.survey.diagnosis.assembly import diagnose
from archivox.survey.indicators.periods import activity_by_period, indices_by_period
from archivox.survey.own_records import indicators_for

router = Router(tags=["survey"], auth=django_auth)


class ScopeParams(Schema):
    region: str | None = None
    archive: str | None = None
    as_of: datetime.date | None = None
    start: datetime.date | None = None


class PeriodParams(ScopeParams):
    period: Literal["week", "month", "year"] = "month"


class SurveyOut(Schema):
    slug: str
    title: str
    method: str
    cutoff: datetime.date | None
    observed_until: datetime.date | None
    notes: str
    regions: list[str]


def _scope(request: HttpRequest, slug: str, params: ScopeParams) -> selectors.Scope:
    try:
        return selectors.survey_scope_for_staff(
            user=request.user,
            slug=slug,
            region=params.region,
            archive=params.archive,
            as_of=params.as_of,
            start=params.start,
        )
    except selectors.SurveyNotFound as exc:
        raise Http404(str(exc)) from exc
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


def _json(value: Any) -> Any:
    """Dataclasses, dates and enums as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _json(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _scope_json(scope: selectors.Scope) -> dict[str, Any]:
    return {
        "survey": scope.survey.slug,
        "kind": scope.kind,
        "label": scope.label,
        "region": scope.region.code if scope.region else None,
        "archive": scope.institution.slug if scope.institution else None,
        "start": scope.start.isoformat(),
        "as_of": scope.as_of.isoformat(),
    }


@router.get("/", response=list[SurveyOut], summary="Surveys")
def survey_list(request: HttpRequest):
    surveys = selectors.survey_list_for_staff(user=request.user).prefetch_related(
        "survey_regions__region"
    )
    return [
        SurveyOut(
            slug=s.slug,
            title=s.title,
            method=s.method,
            cutoff=s.cutoff,
            observed_until=s.observed_until,
            notes=s.notes,
            regions=[link.region.code for link in s.survey_regions.all()],
        )
        for s in surveys
    ]


@router.get("/{slug}/tables", summary="The survey's tables (the paper's Tables 1–2), cell for cell")
def survey_tables(request: HttpRequest, slug: str) -> dict[str, Any]:
    survey = _scope(request, slug, ScopeParams()).survey
    tables = selectors.survey_tables(survey=survey)
    return {
        "survey": survey.slug,
        "tables": [
            {
                "number": table.number,
                "platform": table.platform,
                "title": table.title,
                "note": table.note,
                "regions": [
                    {"code": r.code, "name": r.name, "name_zh": r.name_zh} for r in table.regions
                ],
                "rows": [
                    {
                        "field": row.field,
                        "label": row.label,
                        "cells": [{"value": c.value, "text": c.text} for c in row.cells],
                    }
                    for row in table.rows
                ],
            }
            for table in tables
        ],
    }


@router.get("/{slug}/indicators", summary="All indicators of the survey, a region or an archive")
def survey_indicators(request: HttpRequest, slug: str, params: Query[ScopeParams]):
    scope = _scope(request, slug, params)
    result = indicators_for(scope)
    accounts = []
    for account in result.accounts:
        row = _json(account)
        row["label"] = account.label
        accounts.append(row)
    presence = result.presence
    coverage = result.coverage
    reach = result.reach
    content = result.content
    interaction = result.interaction
    security = result.security
    return {
        "scope": _scope_json(scope),
        "presence": {
            "platforms": presence.platforms,
            "regions": _json(presence.regions),
            "share": {p: presence.share(p) for p in presence.platforms},
            "gap": presence.gap,
            "not_reported": presence.not_reported,
        },
        "coverage": {
            "levels": [
                {
                    "level": level.level,
                    "institutions": level.institutions,
                    "covered": level.covered,
                    "share": level.share,
                }
                for level in coverage.levels
            ],
            "share": coverage.share,
            "regions": _json(coverage.regions),
            "reach_below_share": coverage.reach_share,
        },
        "reach": {
            "median_followers": reach.median,
            "ratio": reach.ratio,
            "ratio_is_lower_bound": reach.ratio_is_lower_bound,
            "bands": reach.bands,
            "table_bands": _json(reach.table_bands),
            "band_low_share": reach.band_low_share,
        },
        "content": {
            "measured_accounts": len(content.measured),
            "stale_accounts": [a.label for a in content.stale],
            "stale_share": content.stale_share,
            "originality": content.originality,
            "confined_accounts": [a.label for a in content.confined],
            "posts_per_week_median": content.posts_per_week_median,
            "days_since_original_median": content.days_since_original_median,
        },
        "interaction": {
            "measured_accounts": len(interaction.measured),
            "reads_per_post_median": interaction.reads_per_post_median,
            "likes_per_post_median": interaction.likes_per_post_median,
            "comments_per_post_median": interaction.comments_per_post_median,
            "reads_per_follower_median": interaction.reads_per_follower_median,
            "consultations": interaction.consultations,
            "response_hours_median": interaction.response_hours_median,
            "records_requests": [dataclasses.asdict(s) for s in interaction.services or []],
        },
        "security": {
            "operated_accounts": _json(security.operated),
            "under_administered": _json(security.under_administered),
            "restricted_published": security.restricted_published,
            "screening_overrides": security.screening_overrides,
        },
        "ranking": [
            {"label": a.label, "platform": a.platform, "index": a.index} for a in result.ranking
        ],
        "accounts": accounts,
    }


@router.get(
    "/{slug}/activity", summary="Posts and interactions by period (week/month/year) and region"
)
def survey_activity(request: HttpRequest, slug: str, params: Query[PeriodParams]):
    scope = _scope(request, slug, params)
    rows = activity_by_period(scope, period=params.period)
    return {"scope": _scope_json(scope), "period": params.period, "rows": _json(rows)}


@router.get("/{slug}/indices", summary="WCI 2.0 (WeChat) and BCI (Weibo) by period and account")
def survey_indices(request: HttpRequest, slug: str, params: Query[PeriodParams]):
    scope = _scope(request, slug, params)
    rows = indices_by_period(scope, period=params.period)
    return {"scope": _scope_json(scope), "period": params.period, "rows": _json(rows)}


@router.get("/{slug}/diagnosis", summary="The six findings judged, with evidence and actions")
def survey_diagnosis(request: HttpRequest, slug: str, params: Query[ScopeParams]):
    scope = _scope(request, slug, params)
    diagnosis = diagnose(indicators_for(scope))
    return {
        "scope": _scope_json(scope),
        "findings": [
            {
                "code": j.code,
                "section": j.section,
                "title": j.title,
                "status": j.status.value,
                "status_label": j.status_label,  # in the request's language
                "basis": j.basis,
                "evidence": j.evidence,
                "actions": _json(j.actions),
            }
            for j in diagnosis.judgments
        ],
    }
