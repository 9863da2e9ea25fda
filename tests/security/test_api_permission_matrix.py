"""Every operation of the JSON API × every role gets exactly the allowed answer.

The expected table is ``MATRIX`` (tests/security/api_matrix_data.py), keyed by method and path
template as /api/v1/openapi.json lists them; a test fails when the schema and the table
disagree, so a new endpoint cannot slip in without a row. Each case sends a real request
against archive A's objects with the role's session: an allowed role gets a 2xx answer (never
401/403, never a hiding 404, never a server error); a refused one gets 401 (anonymous) or the
table's 403/404, and the database is left exactly as it was.

The objects are built once for the module inside an outer transaction; each test runs in a
savepoint rolled back after it, so every case starts from the same state."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY

from archivox.catalog import services as catalog
from archivox.catalog.models import Access
from archivox.consultations import services as consultations
from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.exhibitions import services as exhibitions
from archivox.polls import services as polls
from archivox.polls.identity import Person
from archivox.publishing import services as publishing
from archivox.publishing.models import Delivery
from archivox.records_requests.services import applying as records_applying
from archivox.records_requests.services import copies as records_copies
from archivox.records_requests.services import setup as records_setup
from archivox.records_requests.services import workflow as records_workflow
from archivox.reservations import services as reservations
from archivox.reservations.models import Slot
from archivox.survey.models import Survey, SurveyRegion
from archivox.topics import services as topics
from tests.factories import ArchiveFactory, UserFactory
from tests.security.api_matrix_data import MATRIX, ROLES, Case, World

SCHEMA_URL = "/api/v1/openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Rows a refused request may touch without changing anything that matters: the session
# store (Django may refresh a session row on any request).
UNCHECKED_MODELS = {"sessions.Session"}


def _member(username: str, archive, role: str):
    user = UserFactory(username=username, email=f"{username}@archive.example")
    membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


def _build_world() -> World:
    """Archive A with one object of each kind in each state an operation needs; archive B
    with its administrator; a session for every role."""
    a = ArchiveFactory(slug="matrix-a", name="Matrix A", name_zh="甲档案馆")
    b = ArchiveFactory(slug="matrix-b", name="Matrix B", name_zh="乙档案馆")
    users = {
        "no-role": UserFactory(username="mx-norole"),
        "archivist": _member("mx-archivist", a, Role.ARCHIVIST),
        "reviewer": _member("mx-reviewer", a, Role.REVIEWER),
        "administrator": _member("mx-administrator", a, Role.ADMINISTRATOR),
        "administrator-of-other-archive": _member("mx-outsider", b, Role.ADMINISTRATOR),
        "installation-superuser": UserFactory(username="mx-superuser", is_superuser=True),
    }
    # Posts are written by a colleague, so that any reviewer role may approve them.
    author = _member("mx-author", a, Role.ARCHIVIST)
    chief = users["administrator"]

    # Catalog: an open item, a confidential one, a published featured collection.
    fonds = catalog.description_create(
        actor=None, archive=a, reference_code="MX", title="城墙档案", level="fonds"
    )
    open_item = catalog.description_create(
        actor=None, archive=a, parent=fonds, reference_code="MX-1", title="城墙图", level="item"
    )
    catalog.description_create(
        actor=None,
        archive=a,
        parent=fonds,
        reference_code="MX-2",
        title="密件",
        level="item",
        access_level=Access.CONFIDENTIAL,
    )
    catalog.collection_create(
        actor=None, archive=a, slug="treasures", title="珍档", is_published=True
    )

    # Survey: one survey over archive A's region.
    survey = Survey.objects.create(slug="matrix-survey", title="Matrix survey")
    SurveyRegion.objects.create(survey=survey, region=a.region)

    # Publishing: a post in every state an action starts from.
    def post(title: str, body: str = "<p>南京城墙始建于明代。</p>"):
        return publishing.post_create(
            actor=author, archive=a, title=title, body_html=body, channels=["portal", "feed"]
        )

    def submitted(title: str, body: str = "<p>南京城墙始建于明代。</p>"):
        made = post(title, body)
        publishing.post_submit(actor=author, post=made)
        return made

    def approved(title: str):
        made = submitted(title)
        publishing.post_approve(actor=chief, post=made)
        return made

    draft = post("草稿")
    clean = submitted("待审")
    warned = submitted("待审带提示", "<p>来信请寄 reader@example.com 。</p>")
    warning_key = publishing.post_screen(post=warned).unresolved_warnings[0].key
    ready = approved("已批准")
    scheduled = approved("已排期")
    publishing.post_schedule(
        actor=author, post=scheduled, when=timezone.now() + datetime.timedelta(days=3)
    )
    published = approved("已发布")
    deliveries = publishing.post_publish_now(actor=author, post=published)
    Delivery.objects.filter(pk=deliveries[0].pk).update(status=Delivery.Status.FAILED)

    # Inbox: an open consultation, an answered one (the person may rate it), a rule.
    asked = consultations.consultation_ask(
        archive=a, name="张三", email="zhang@example.com", question="能查民国户籍吗？"
    ).consultation
    answered = consultations.consultation_ask(
        archive=a, name="赵六", email="zhao@example.com", question="开放时间？"
    ).consultation
    consultations.consultation_answer(actor=chief, consultation=answered, text="周一至周五。")
    answered.refresh_from_db()
    rule = consultations.autoreply_rule_create(
        actor=None,
        archive=a,
        name="hours",
        match="contains",
        pattern="几点",
        kind="text",
        text="9点",
    )

    # Reservations: a reading room with slots from tomorrow; a booking to look up or cancel;
    # two bookings of a slot moved to now: one to check in, one checked in (may be rated).
    room = reservations.resource_create(
        actor=None, archive=a, slug="reading-room", kind="reading_room", name="阅览室", capacity=5
    )
    every_day = [(day, datetime.time(8), datetime.time(20)) for day in range(7)]
    reservations.opening_hours_set(actor=None, resource=room, periods=every_day)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    reservations.slots_generate(
        resource=room, first_day=tomorrow, last_day=tomorrow + datetime.timedelta(days=1)
    )
    first, second = room.slots.order_by("starts_at")[:2]

    def book(slot, contact: str):
        return reservations.reservation_book(
            slot_id=slot.pk, archive=a, name="王小明", contact=contact
        )

    booking = book(first, "reader@example.com")
    arrival = book(second, "arrival@example.com")
    visit = book(second, "visitor-done@example.com")
    now = timezone.now()
    Slot.objects.filter(pk=second.pk).update(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )
    visit.refresh_from_db()
    reservations.reservation_check_in(actor=chief, booking=visit)

    # Exhibitions and events: one published of each; a draft of each to build and publish.
    show = exhibitions.exhibition_create(actor=None, archive=a, slug="walls", title="城墙展")
    part = exhibitions.section_add(actor=None, exhibition=show, title="明城墙")
    exhibitions.section_item_add(actor=None, section=part, reference_code="MX-1")
    exhibitions.exhibition_publish(actor=None, exhibition=show)
    draft_show = exhibitions.exhibition_create(actor=None, archive=a, slug="gates", title="城门展")
    sections = [
        exhibitions.section_add(actor=None, exhibition=draft_show, title=title).pk
        for title in ("中华门", "挹江门")
    ]
    starts = timezone.now() + datetime.timedelta(days=5)

    def event(slug: str):
        return exhibitions.event_create(
            actor=None,
            archive=a,
            slug=slug,
            title="城墙讲座",
            speaker="王老师",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            capacity=30,
            place="报告厅",
        )

    talk = event("talk")
    exhibitions.event_publish(actor=None, event=talk)
    draft_talk = event("draft-talk")

    # Polls: an open questionnaire, a draft one with a question, an interest label.
    poll = polls.questionnaire_create(actor=None, archive=a, title="读者调查", slug="readers")
    question = polls.question_add(
        actor=None,
        questionnaire=poll,
        kind="single",
        text="您从哪里知道本馆？",
        options=[polls.OptionSpec("微信", ["新媒体"]), polls.OptionSpec("网站")],
    )
    polls.questionnaire_open(actor=None, questionnaire=poll)
    draft_poll = polls.questionnaire_create(actor=None, archive=a, title="草稿问卷", slug="draft")
    polls.question_add(actor=None, questionnaire=draft_poll, kind="text", text="建议？")

    # Topics: a published topic with an item, and a comment waiting for a moderator.
    subject = topics.topic_create(actor=None, archive=a, name="#南京城墙#", slug="walls")
    topics.topic_item_add(actor=None, topic=subject, description=open_item)
    topics.discussion_settings_update(actor=None, archive=a, moderation="pre")
    pending = topics.comment_post(
        topic=subject, person=Person("web", "mx-reader"), display_name="读者", body="想看原件"
    )

    # Records-use requests: one request in archive A, its not-found certificate issued.
    records_kind = records_setup.request_kind_save(
        actor=None, archive=a, category="marriage", years_from=1950, years_to=2010
    )
    records_request = records_applying.request_apply(
        archive=a,
        data=records_applying.Application(
            holding=a.slug,
            category=records_kind.category,
            proof="person",
            name="王五",
            id_number="11010519491231002X",
            years_from="1980",
            purpose="办理退休",
            email="records@example.com",
            delivery="download",
        ),
        uploads={"id": _png()},
    )
    for step in (
        lambda v: records_workflow.request_verify(
            actor=chief, archive=a, request_id=records_request.pk, version=v, decision="accept"
        ),
        lambda v: records_workflow.request_result(
            actor=chief, archive=a, request_id=records_request.pk, version=v, found=False
        ),
        lambda v: records_copies.request_issue(
            actor=chief, archive=a, request_id=records_request.pk, version=v
        ),
    ):
        records_request.refresh_from_db()
        step(records_request.version)
    records_request.refresh_from_db()

    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    return World(
        a=a.slug,
        sessions=sessions,
        open_item=open_item.reference_code,
        secret_item="MX-2",
        collection="treasures",
        survey=survey.slug,
        draft=draft.pk,
        submitted=clean.pk,
        warned=warned.pk,
        warning_key=warning_key,
        approved=ready.pk,
        scheduled=scheduled.pk,
        published=published.pk,
        failed_delivery=deliveries[0].pk,
        consultation=asked.pk,
        assignee=users["archivist"].username,
        answered_token=answered.token,
        rule=rule.pk,
        resource=room.slug,
        slot=first.pk,
        booking_code=booking.code,
        booking_contact="reader@example.com",
        arrival_code=arrival.code,
        visit_token=reservations.feedback_token_for(visit),
        exhibition=show.slug,
        draft_exhibition=draft_show.slug,
        sections=sections,
        event=talk.slug,
        draft_event=draft_talk.slug,
        poll=poll.slug,
        poll_pk=poll.pk,
        draft_poll_pk=draft_poll.pk,
        poll_answers={str(question.pk): str(question.options.get(text="微信").pk)},
        label="新媒体",
        topic=subject.slug,
        topic_pk=subject.pk,
        pending_comment=pending.pk,
        records_code=records_request.code,
        records_request=records_request.pk,
        records_version=records_request.version,
        records_copy=records_request.copies.get().verification_code,
    )


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The objects, built once and kept in a transaction that is rolled back at the end."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        immediate, HUEY.immediate = HUEY.immediate, True
        try:
            with translation.override("en"):
                built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
        finally:
            HUEY.immediate = immediate
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table (the world is small), to show a refusal changed nothing."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in UNCHECKED_MODELS:
            continue
        state[meta.label] = list(model._base_manager.order_by("pk").values_list())
    return state


def _schema_operations(client: Client) -> set[str]:
    schema = client.get(SCHEMA_URL).json()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def test_the_matrix_lists_exactly_the_operations_of_the_schema(client: Client) -> None:
    operations = _schema_operations(client)
    missing = sorted(operations - set(MATRIX))
    stale = sorted(set(MATRIX) - operations)
    assert not missing, f"operations without a row in MATRIX (api_matrix_data.py): {missing}"
    assert not stale, f"rows of MATRIX the schema no longer has: {stale}"


def _cases() -> Iterator[Any]:
    for operation, case in MATRIX.items():
        for role in ROLES:
            marks = []
            if role in case.bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=case.bugs[role]))
            yield pytest.param(operation, role, marks=marks, id=f"{operation} as {role}")


def _send(client: Client, operation: str, case: Case, w: World) -> Any:
    method, template = operation.split(" ", 1)
    path = template.format(**case.path(w))
    query = case.query(w)
    if query:
        path = f"{path}?{urlencode(query, doseq=True)}"
    send = getattr(client, method.lower())
    if case.body is None:
        return send(path)
    return send(path, json.dumps(case.body(w)), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "role"), list(_cases()))
def test_each_role_gets_exactly_the_allowed_answer(world: World, operation: str, role: str):
    case = MATRIX[operation]
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    writes = not operation.startswith("GET ") and not case.read_only
    before = database_state() if writes or role not in case.allowed else None
    if role in case.allowed:
        response = _send(client, operation, case, world)
        assert 200 <= response.status_code < 300, (
            f"{operation} as {role}: allowed, but answered {response.status_code} "
            f"{response.content[:300]!r}"
        )
        # The same request does change something when allowed: "nothing changed" on a
        # refusal is then a real check.
        if writes:
            assert database_state() != before, f"{operation} as {role}: allowed, changed nothing"
        return
    response = _send(client, operation, case, world)
    expected = 401 if role == "anonymous" else case.denied
    assert response.status_code == expected, (
        f"{operation} as {role}: must be refused with {expected}, answered "
        f"{response.status_code} {response.content[:300]!r}"
    )
    assert database_state() == before, f"{operation} as {role}: refused, but data changed"
