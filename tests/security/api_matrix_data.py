"""The JSON API's permission matrix: for every operation (method + path template as in
/api/v1/openapi.json), which roles may use it on archive A's objects, and the request that
tries it. The world the requests refer to (``w``) is built in test_api_permission_matrix.py.

Roles:

- ``anonymous``: no session.
- ``no-role``: a logged-in staff account (``is_staff``, as every account Archivox creates) that
  holds no role in any archive — just created, or every role revoked.
- ``archivist``, ``reviewer``, ``administrator``: of archive A.
- ``administrator-of-other-archive``: the top role, but of archive B.
- ``installation-superuser``: the installation's administrator (``is_superuser``), who holds
  every capability in every archive (core.selectors.user_capabilities) without a membership.
  There is no provincial or parent-archive role: ``Archive.parent`` grants nothing.

Denials: anonymous callers of a staff operation get 401 (session authentication); logged-in
callers without the capability get 403, except where the API deliberately hides another
archive's object and answers 404 (``denied=404``: the consultation inbox, whose
``_consultation`` turns a refusal into "no such consultation")."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

ROLES = (
    "anonymous",
    "no-role",
    "archivist",
    "reviewer",
    "administrator",
    "administrator-of-other-archive",
    "installation-superuser",
)

EVERYONE = frozenset(ROLES)
# The list of survey periods is for any staff account (survey.selectors._require_staff).
ANY_STAFF = EVERYONE - {"anonymous"}
# A whole survey's report is for supervisors (survey.selectors.survey_reader_is_supervisor: a
# superuser, or a staff account holding no role in any archive); an archive's own staff read
# only the report filtered to their archive (tests/survey/test_own_archive_console.py).
SUPERVISORS = frozenset({"no-role", "installation-superuser"})
# CONSULTATION_ANSWER (inbox, reservations desk, polls, topics) and viewing posts
# (POST_COMPOSE or POST_REVIEW) and CATALOG_VIEW_CLOSED: every role of archive A.
ARCHIVE_STAFF = frozenset({"archivist", "reviewer", "administrator", "installation-superuser"})
# CATALOG_EDIT and POST_COMPOSE (exhibitions and events too).
COMPOSERS = frozenset({"archivist", "administrator", "installation-superuser"})
# POST_REVIEW.
REVIEWERS = frozenset({"reviewer", "administrator", "installation-superuser"})
# ARCHIVE_MANAGE (auto-reply rules, reservation resources, discussion settings).
ADMINISTRATORS = frozenset({"administrator", "installation-superuser"})

World = SimpleNamespace
Build = Callable[[World], dict[str, Any]]


def _none(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """Who may use one operation, and how to try it against archive A's objects."""

    allowed: frozenset[str]
    path: Build = _none  # path parameters
    query: Build = _none
    body: Build | None = None  # JSON body (writes)
    denied: int = 403  # the answer to a logged-in caller who may not (404: hidden)
    read_only: bool = False  # a POST that only reads (an allowed call changes nothing)
    # Known permission bugs: role -> what is wrong (the case is a strict xfail).
    bugs: dict[str, str] = field(default_factory=dict)


def _a(w: World) -> dict[str, Any]:
    return {"slug": w.a}


def _archive_param(w: World) -> dict[str, Any]:
    return {"archive": w.a}


def _today() -> str:
    return timezone.localdate().isoformat()


def _window(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {"start": (today - datetime.timedelta(days=30)).isoformat(), "end": today.isoformat()}


def _future(days: int, hours: int = 0) -> str:
    return (timezone.now() + datetime.timedelta(days=days, hours=hours)).isoformat()


RULE = {"name": "opening hours", "match": "contains", "pattern": "开放", "kind": "text"}

MATRIX: dict[str, Case] = {
    # -- archives --------------------------------------------------------------------------------
    "GET /api/v1/archives": Case(EVERYONE),
    "GET /api/v1/archives/{slug}": Case(EVERYONE, path=_a),
    # -- catalog ---------------------------------------------------------------------------------
    "GET /api/v1/catalog/search": Case(EVERYONE, query=lambda w: {"q": "城墙", "archive": w.a}),
    "GET /api/v1/catalog/archives/{slug}/descriptions": Case(EVERYONE, path=_a),
    "POST /api/v1/catalog/archives/{slug}/descriptions": Case(
        COMPOSERS,
        path=_a,
        body=lambda w: {"reference_code": "MX-NEW", "title": "新案卷", "level": "fonds"},
    ),
    "GET /api/v1/catalog/archives/{slug}/descriptions/{reference_code}": Case(
        EVERYONE, path=lambda w: {"slug": w.a, "reference_code": w.open_item}
    ),
    "PATCH /api/v1/catalog/archives/{slug}/descriptions/{reference_code}": Case(
        COMPOSERS,
        path=lambda w: {"slug": w.a, "reference_code": w.secret_item},
        body=lambda w: {"title": "改过的标题", "access_level": "open"},
    ),
    "GET /api/v1/catalog/archives/{slug}/collections": Case(EVERYONE, path=_a),
    "GET /api/v1/catalog/archives/{slug}/collections/{collection}": Case(
        EVERYONE, path=lambda w: {"slug": w.a, "collection": w.collection}
    ),
    # -- survey ----------------------------------------------------------------------------------
    "GET /api/v1/survey/": Case(ANY_STAFF),
    "GET /api/v1/survey/{slug}/tables": Case(SUPERVISORS, path=lambda w: {"slug": w.survey}),
    "GET /api/v1/survey/{slug}/indicators": Case(SUPERVISORS, path=lambda w: {"slug": w.survey}),
    "GET /api/v1/survey/{slug}/activity": Case(SUPERVISORS, path=lambda w: {"slug": w.survey}),
    "GET /api/v1/survey/{slug}/indices": Case(SUPERVISORS, path=lambda w: {"slug": w.survey}),
    "GET /api/v1/survey/{slug}/diagnosis": Case(SUPERVISORS, path=lambda w: {"slug": w.survey}),
    # -- publishing ------------------------------------------------------------------------------
    "GET /api/v1/publishing/posts": Case(ARCHIVE_STAFF, query=lambda w: {"archive": w.a}),
    "POST /api/v1/publishing/posts": Case(
        COMPOSERS, body=lambda w: {"archive": w.a, "title": "新稿", "channels": ["portal"]}
    ),
    "GET /api/v1/publishing/posts/{pk}": Case(ARCHIVE_STAFF, path=lambda w: {"pk": w.draft}),
    "PATCH /api/v1/publishing/posts/{pk}": Case(
        COMPOSERS, path=lambda w: {"pk": w.draft}, body=lambda w: {"title": "改过的稿"}
    ),
    "DELETE /api/v1/publishing/posts/{pk}": Case(COMPOSERS, path=lambda w: {"pk": w.draft}),
    "GET /api/v1/publishing/posts/{pk}/screening": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.draft}
    ),
    "GET /api/v1/publishing/posts/{pk}/preview": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.draft}
    ),
    "POST /api/v1/publishing/posts/{pk}/submit": Case(COMPOSERS, path=lambda w: {"pk": w.draft}),
    "POST /api/v1/publishing/posts/{pk}/approve": Case(
        REVIEWERS, path=lambda w: {"pk": w.submitted}, body=lambda w: {"comment": "可以"}
    ),
    "POST /api/v1/publishing/posts/{pk}/request-changes": Case(
        REVIEWERS, path=lambda w: {"pk": w.submitted}, body=lambda w: {"comment": "再改改"}
    ),
    "POST /api/v1/publishing/posts/{pk}/comments": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.submitted}, body=lambda w: {"comment": "意见"}
    ),
    "POST /api/v1/publishing/posts/{pk}/overrides": Case(
        REVIEWERS,
        path=lambda w: {"pk": w.warned},
        body=lambda w: {"finding": w.warning_key, "reason": "馆方公开邮箱"},
    ),
    "POST /api/v1/publishing/posts/{pk}/schedule": Case(
        COMPOSERS, path=lambda w: {"pk": w.approved}, body=lambda w: {"when": _future(2)}
    ),
    "POST /api/v1/publishing/posts/{pk}/unschedule": Case(
        COMPOSERS, path=lambda w: {"pk": w.scheduled}
    ),
    "POST /api/v1/publishing/posts/{pk}/publish": Case(
        COMPOSERS, path=lambda w: {"pk": w.approved}
    ),
    "POST /api/v1/publishing/posts/{pk}/withdraw": Case(
        COMPOSERS, path=lambda w: {"pk": w.published}, body=lambda w: {"reason": "有误"}
    ),
    "POST /api/v1/publishing/posts/{pk}/correct": Case(
        COMPOSERS,
        path=lambda w: {"pk": w.published},
        body=lambda w: {"reason": "错字", "title": "更正后的标题"},
    ),
    "GET /api/v1/publishing/posts/{pk}/deliveries": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.published}
    ),
    "POST /api/v1/publishing/deliveries/{pk}/retry": Case(
        COMPOSERS, path=lambda w: {"pk": w.failed_delivery}
    ),
    "GET /api/v1/publishing/calendar": Case(
        ARCHIVE_STAFF, query=lambda w: {"archive": w.a, "month": _today()[:7]}
    ),
    # -- engagement: the consultation inbox (another archive's consultation is hidden) ----------
    "GET /api/v1/engagement/inbox": Case(ARCHIVE_STAFF, query=lambda w: {"archive": w.a}),
    "GET /api/v1/engagement/consultations/{pk}": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.consultation}, denied=404
    ),
    "POST /api/v1/engagement/consultations/{pk}/answer": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.consultation},
        body=lambda w: {"text": "您好，可以来馆查阅。"},
        denied=404,
    ),
    "POST /api/v1/engagement/consultations/{pk}/assign": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.consultation},
        body=lambda w: {"username": w.assignee},
        denied=404,
    ),
    "POST /api/v1/engagement/consultations/{pk}/tags": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.consultation},
        body=lambda w: {"add": ["查档"]},
        denied=404,
    ),
    "POST /api/v1/engagement/consultations/{pk}/notes": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.consultation},
        body=lambda w: {"text": "已电话联系"},
        denied=404,
    ),
    "POST /api/v1/engagement/consultations/{pk}/close": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.consultation}, denied=404
    ),
    "GET /api/v1/engagement/archives/{slug}/stats": Case(ARCHIVE_STAFF, path=_a, query=_window),
    "GET /api/v1/engagement/archives/{slug}/rules": Case(ARCHIVE_STAFF, path=_a),
    "POST /api/v1/engagement/archives/{slug}/rules": Case(
        ADMINISTRATORS, path=_a, body=lambda w: {**RULE, "text": "周一至周五开放"}
    ),
    "PUT /api/v1/engagement/rules/{pk}": Case(
        ADMINISTRATORS, path=lambda w: {"pk": w.rule}, body=lambda w: {**RULE, "text": "改了"}
    ),
    "DELETE /api/v1/engagement/rules/{pk}": Case(ADMINISTRATORS, path=lambda w: {"pk": w.rule}),
    "POST /api/v1/engagement/archives/{slug}/rules/test": Case(
        ARCHIVE_STAFF, path=_a, body=lambda w: {"text": "几点开放？"}, read_only=True
    ),
    "POST /api/v1/engagement/archives/{slug}/ask": Case(
        EVERYONE, path=_a, body=lambda w: {"email": "asker@example.com", "question": "能查家谱吗？"}
    ),
    "POST /api/v1/engagement/archives/{slug}/feedback/{token}": Case(
        EVERYONE,
        path=lambda w: {"slug": w.a, "token": w.answered_token},
        body=lambda w: {"rating": 5, "comment": "谢谢"},
    ),
    # -- records-use requests --------------------------------------------------------------------
    "POST /api/v1/records/{slug}/status": Case(
        EVERYONE, path=_a, body=lambda w: {"code": w.records_code}, read_only=True
    ),
    "GET /api/v1/records/verify/{code}": Case(EVERYONE, path=lambda w: {"code": w.records_copy}),
    "GET /api/v1/records/{slug}/requests": Case(ARCHIVE_STAFF, path=_a),
    "POST /api/v1/records/{slug}/requests/{pk}/act": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"slug": w.a, "pk": w.records_request},
        body=lambda w: {"action": "claim", "version": w.records_version},
    ),
    "GET /api/v1/records/{slug}/report": Case(ARCHIVE_STAFF, path=_a),
    # -- reservations ----------------------------------------------------------------------------
    "GET /api/v1/engagement/reservations/{slug}/resources": Case(EVERYONE, path=_a),
    "POST /api/v1/engagement/reservations/{slug}/resources": Case(
        ADMINISTRATORS,
        path=_a,
        body=lambda w: {"slug": "study-room", "kind": "reading_room", "name": "研究室"},
    ),
    "GET /api/v1/engagement/reservations/{slug}/resources/{resource}/slots": Case(
        EVERYONE, path=lambda w: {"slug": w.a, "resource": w.resource}
    ),
    "POST /api/v1/engagement/reservations/{slug}/bookings": Case(
        EVERYONE,
        path=_a,
        body=lambda w: {"slot_id": w.slot, "name": "李四", "contact": "visitor@example.com"},
    ),
    "POST /api/v1/engagement/reservations/{slug}/bookings/lookup": Case(
        EVERYONE, path=_a, body=lambda w: {"code": w.booking_code, "contact": w.booking_contact}
    ),
    "POST /api/v1/engagement/reservations/{slug}/bookings/cancel": Case(
        EVERYONE, path=_a, body=lambda w: {"code": w.booking_code, "contact": w.booking_contact}
    ),
    "POST /api/v1/engagement/reservations/{slug}/feedback": Case(
        EVERYONE, path=_a, body=lambda w: {"token": w.visit_token, "rating": 4}
    ),
    "GET /api/v1/engagement/reservations/{slug}/day": Case(ARCHIVE_STAFF, path=_a),
    "POST /api/v1/engagement/reservations/{slug}/bookings/{code}/check-in": Case(
        ARCHIVE_STAFF, path=lambda w: {"slug": w.a, "code": w.arrival_code}
    ),
    "GET /api/v1/engagement/reservations/{slug}/stats": Case(ARCHIVE_STAFF, path=_a, query=_window),
    "PUT /api/v1/engagement/reservations/{slug}/resources/{resource}/opening-hours": Case(
        ADMINISTRATORS,
        path=lambda w: {"slug": w.a, "resource": w.resource},
        body=lambda w: {"periods": [{"weekday": 0, "opens": "10:00", "closes": "16:00"}]},
    ),
    "POST /api/v1/engagement/reservations/{slug}/resources/{resource}/closures": Case(
        ADMINISTRATORS,
        path=lambda w: {"slug": w.a, "resource": w.resource},
        body=lambda w: {"first_day": _future(20)[:10], "reason": "盘点"},
    ),
    # -- exhibitions and events ------------------------------------------------------------------
    "GET /api/v1/engagement/exhibitions/{slug}/exhibitions": Case(EVERYONE, path=_a),
    "POST /api/v1/engagement/exhibitions/{slug}/exhibitions": Case(
        COMPOSERS, path=_a, body=lambda w: {"slug": "new-show", "title": "新展"}
    ),
    "GET /api/v1/engagement/exhibitions/{slug}/exhibitions/{exhibition}": Case(
        EVERYONE, path=lambda w: {"slug": w.a, "exhibition": w.exhibition}
    ),
    "GET /api/v1/engagement/exhibitions/{slug}/events": Case(EVERYONE, path=_a),
    "POST /api/v1/engagement/exhibitions/{slug}/events": Case(
        COMPOSERS,
        path=_a,
        body=lambda w: {
            "slug": "new-talk",
            "title": "新讲座",
            "speaker": "张老师",
            "starts_at": _future(10),
            "ends_at": _future(10, hours=1),
            "capacity": 20,
            "place": "报告厅",
        },
    ),
    "GET /api/v1/engagement/exhibitions/{slug}/events/{event}": Case(
        EVERYONE, path=lambda w: {"slug": w.a, "event": w.event}
    ),
    "POST /api/v1/engagement/exhibitions/{slug}/events/{event}/registrations": Case(
        EVERYONE,
        path=lambda w: {"slug": w.a, "event": w.event},
        body=lambda w: {"slot_id": 0, "name": "王五", "contact": "listener@example.com"},
    ),
    "GET /api/v1/engagement/exhibitions/{slug}/events/{event}/registrations": Case(
        COMPOSERS, path=lambda w: {"slug": w.a, "event": w.event}
    ),
    "POST /api/v1/engagement/exhibitions/{slug}/exhibitions/{exhibition}/sections": Case(
        COMPOSERS,
        path=lambda w: {"slug": w.a, "exhibition": w.draft_exhibition},
        body=lambda w: {"title": "第二部分"},
    ),
    "PUT /api/v1/engagement/exhibitions/{slug}/exhibitions/{exhibition}/sections/order": Case(
        COMPOSERS,
        path=lambda w: {"slug": w.a, "exhibition": w.draft_exhibition},
        body=lambda w: {"order": list(reversed(w.sections))},
    ),
    "POST /api/v1/engagement/exhibitions/{slug}/exhibitions/{exhibition}/sections/{section_id}"
    "/items": Case(
        COMPOSERS,
        path=lambda w: {"slug": w.a, "exhibition": w.draft_exhibition, "section_id": w.sections[0]},
        body=lambda w: {"reference_code": w.open_item, "caption": "城墙"},
    ),
    "POST /api/v1/engagement/exhibitions/{slug}/exhibitions/{exhibition}/publish": Case(
        COMPOSERS, path=lambda w: {"slug": w.a, "exhibition": w.draft_exhibition}
    ),
    "POST /api/v1/engagement/exhibitions/{slug}/events/{event}/publish": Case(
        COMPOSERS, path=lambda w: {"slug": w.a, "event": w.draft_event}
    ),
    # -- polls -----------------------------------------------------------------------------------
    "GET /api/v1/engagement/polls/staff/{archive}/questionnaires": Case(
        ARCHIVE_STAFF, path=_archive_param
    ),
    "POST /api/v1/engagement/polls/staff/{archive}/questionnaires": Case(
        ARCHIVE_STAFF, path=_archive_param, body=lambda w: {"title": "新问卷", "slug": "new-poll"}
    ),
    "GET /api/v1/engagement/polls/staff/questionnaires/{pk}": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.poll_pk}
    ),
    "PATCH /api/v1/engagement/polls/staff/questionnaires/{pk}": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.draft_poll_pk}, body=lambda w: {"title": "改名"}
    ),
    "POST /api/v1/engagement/polls/staff/questionnaires/{pk}/questions": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.draft_poll_pk},
        body=lambda w: {"kind": "text", "text": "还有什么建议？", "required": False},
    ),
    "POST /api/v1/engagement/polls/staff/questionnaires/{pk}/open": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.draft_poll_pk}
    ),
    "POST /api/v1/engagement/polls/staff/questionnaires/{pk}/close": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.poll_pk}
    ),
    "GET /api/v1/engagement/polls/staff/questionnaires/{pk}/results": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.poll_pk}
    ),
    "GET /api/v1/engagement/polls/staff/questionnaires/{pk}/export.csv": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.poll_pk}
    ),
    "GET /api/v1/engagement/polls/staff/questionnaires/{pk}/export.xlsx": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.poll_pk}
    ),
    "GET /api/v1/engagement/polls/staff/{archive}/labels": Case(ARCHIVE_STAFF, path=_archive_param),
    "POST /api/v1/engagement/polls/staff/{archive}/labels": Case(
        ARCHIVE_STAFF, path=_archive_param, body=lambda w: {"name": "家谱"}
    ),
    "GET /api/v1/engagement/polls/staff/{archive}/labels/{name}/people": Case(
        ARCHIVE_STAFF, path=lambda w: {"archive": w.a, "name": w.label}
    ),
    "GET /api/v1/engagement/polls/{archive}/": Case(EVERYONE, path=_archive_param),
    "GET /api/v1/engagement/polls/{archive}/{poll}": Case(
        EVERYONE, path=lambda w: {"archive": w.a, "poll": w.poll}
    ),
    "POST /api/v1/engagement/polls/{archive}/{poll}/responses": Case(
        EVERYONE,
        path=lambda w: {"archive": w.a, "poll": w.poll},
        body=lambda w: {"answers": w.poll_answers},
    ),
    "GET /api/v1/engagement/polls/{archive}/{poll}/results": Case(
        EVERYONE, path=lambda w: {"archive": w.a, "poll": w.poll}
    ),
    # -- topics ----------------------------------------------------------------------------------
    "GET /api/v1/engagement/topics/staff/{archive}/topics": Case(
        ARCHIVE_STAFF, path=_archive_param
    ),
    "POST /api/v1/engagement/topics/staff/{archive}/topics": Case(
        ARCHIVE_STAFF, path=_archive_param, body=lambda w: {"name": "#城墙#", "slug": "wall"}
    ),
    "PATCH /api/v1/engagement/topics/staff/topics/{pk}": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.topic_pk}, body=lambda w: {"comments_open": False}
    ),
    "POST /api/v1/engagement/topics/staff/topics/{pk}/items": Case(
        ARCHIVE_STAFF,
        path=lambda w: {"pk": w.topic_pk},
        body=lambda w: {"reference_code": w.secret_item},
    ),
    "DELETE /api/v1/engagement/topics/staff/topics/{pk}/items/{reference_code}": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.topic_pk, "reference_code": w.open_item}
    ),
    "GET /api/v1/engagement/topics/staff/{archive}/moderation": Case(
        ARCHIVE_STAFF, path=_archive_param
    ),
    "POST /api/v1/engagement/topics/staff/comments/{pk}/approve": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.pending_comment}
    ),
    "POST /api/v1/engagement/topics/staff/comments/{pk}/hide": Case(
        ARCHIVE_STAFF, path=lambda w: {"pk": w.pending_comment}
    ),
    "PUT /api/v1/engagement/topics/staff/{archive}/settings": Case(
        ADMINISTRATORS, path=_archive_param, body=lambda w: {"moderation": "post"}
    ),
    "GET /api/v1/engagement/topics/{archive}/": Case(EVERYONE, path=_archive_param),
    "GET /api/v1/engagement/topics/{archive}/{topic}": Case(
        EVERYONE, path=lambda w: {"archive": w.a, "topic": w.topic}
    ),
    "POST /api/v1/engagement/topics/{archive}/{topic}/comments": Case(
        EVERYONE,
        path=lambda w: {"archive": w.a, "topic": w.topic},
        body=lambda w: {"display_name": "读者", "body": "很有意思"},
    ),
}
