"""/api/v1/engagement/: the consultation inbox and auto-replies.

Staff endpoints use the session (like the console); ``ask`` and ``feedback`` are public and
rate-limited. Thin: parse, call one service or selector, shape the answer."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from archivox.consultations import selectors
from archivox.consultations.models import AutoReplyRule, Consultation
from archivox.consultations.services import answers, asking, autoreplies, common, lifecycle
from archivox.core.access import archive_or_404, client_address
from archivox.core.selectors import ArchivePermissionDenied

router = Router(tags=["engagement"], auth=django_auth)


class ConsultationOut(Schema):
    id: int
    archive: str
    channel: str
    person: str
    person_name: str
    subject: str
    status: str
    assignee: str | None
    tags: list[str]
    flood: bool
    opened_at: datetime.datetime
    last_inbound_at: datetime.datetime
    due_at: datetime.datetime | None
    first_response_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    rating: int | None


def _consultation_out(item: Consultation) -> dict[str, Any]:
    return {
        "id": item.pk,
        "archive": item.archive.slug,
        "channel": item.channel,
        # A name, an e-mail address or a follower's pseudonym: never an openid or its digest.
        "person": item.person_label,
        "person_name": item.person_name,
        "subject": item.subject,
        "status": item.status,
        "assignee": item.assignee.get_username() if item.assignee else None,
        "tags": sorted(tag.name for tag in item.tags.all()),
        "flood": item.flood,
        "opened_at": item.opened_at,
        "last_inbound_at": item.last_inbound_at,
        "due_at": item.due_at,
        "first_response_at": item.first_response_at,
        "closed_at": item.closed_at,
        "rating": item.rating,
    }


class InboxParams(Schema):
    archive: str | None = None
    status: str | None = None
    channel: str | None = None
    assignee: str | None = None
    overdue: bool = False
    tag: str | None = None
    limit: int = 50
    offset: int = 0


class EntryOut(Schema):
    kind: str
    at: datetime.datetime
    text: str
    detail: dict[str, Any]


class DetailOut(ConsultationOut):
    thread: list[EntryOut]


class AnswerIn(Schema):
    text: str
    via: str | None = None
    waiting: bool = False


class AnswerOut(Schema):
    id: int
    via: str
    state: str
    error: str
    sent_at: datetime.datetime | None


class AssignIn(Schema):
    username: str | None = None


class TagIn(Schema):
    add: list[str] = []
    remove: list[str] = []


class NoteIn(Schema):
    text: str


class RuleIn(Schema):
    name: str
    match: str
    pattern: str = ""
    priority: int = 100
    kind: str
    text: str = ""
    title: str = ""
    description: str = ""
    url: str = ""
    picurl: str = ""
    max_hits: int = 3
    is_active: bool = True


class RuleOut(RuleIn):
    id: int


class RuleTestIn(Schema):
    text: str


class AskIn(Schema):
    name: str = ""
    email: str
    question: str


class AskOut(Schema):
    consultation: int
    due_at: datetime.datetime
    promise_working_days: int
    private_url: str


class FeedbackIn(Schema):
    rating: int
    comment: str = ""


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    try:
        return selectors.consultation_get_for_staff(user=request.user, pk=pk)
    except (selectors.ConsultationNotFound, ArchivePermissionDenied) as exc:
        raise Http404("no such consultation") from exc


def _invalid(exc: ValidationError) -> HttpError:
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        text = " ".join(exc.messages)
    return HttpError(422, text)


@router.get("/inbox", response=list[ConsultationOut])
def inbox(request: HttpRequest, params: Query[InboxParams]) -> list[dict[str, Any]]:
    archive = archive_or_404(params.archive) if params.archive else None
    assignee = None
    if params.assignee:
        assignee = get_user_model().objects.filter(username=params.assignee).first()
        if assignee is None:
            return []
    try:
        items = selectors.consultation_list(
            user=request.user,
            archive=archive,
            status=params.status,
            channel=params.channel,
            assignee=assignee,
            overdue=params.overdue,
            tag=params.tag,
        )
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not read this archive's inbox") from exc
    limit = max(1, min(params.limit, 200))
    offset = max(0, params.offset)
    return [_consultation_out(item) for item in items[offset : offset + limit]]


@router.get("/consultations/{pk}", response=DetailOut)
def consultation_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    item = _consultation(request, pk)
    thread = []
    for entry in selectors.consultation_thread(consultation=item):
        obj = entry.item
        if entry.kind == "inbound":
            text = obj.content
            detail = {
                "msg_type": obj.msg_type,
                "flood": obj.flood,
                "truncated": obj.truncated,
                "reply_state": obj.reply_state,
                "reply_error": obj.reply_error,
            }
        elif entry.kind == "auto":
            text, detail = obj.reply_text, {"articles": obj.reply_articles}
        elif entry.kind == "answer":
            text = obj.text
            detail = {"via": obj.via, "state": obj.state, "error": obj.error}
        else:
            text, detail = obj.text, {"author": str(obj.author or "")}
        thread.append({"kind": entry.kind, "at": entry.at, "text": text, "detail": detail})
    return {**_consultation_out(item), "thread": thread}


@router.post("/consultations/{pk}/answer", response=AnswerOut)
def answer(request: HttpRequest, pk: int, body: AnswerIn) -> Any:
    item = _consultation(request, pk)
    try:
        sent = answers.consultation_answer(
            actor=request.user,
            consultation=item,
            text=body.text,
            via=body.via,
            waiting=body.waiting,
        )
    except answers.AnswerRefused as exc:
        raise HttpError(422, exc.message) from exc
    return sent


@router.post("/consultations/{pk}/assign", response=ConsultationOut)
def assign(request: HttpRequest, pk: int, body: AssignIn) -> dict[str, Any]:
    item = _consultation(request, pk)
    user = None
    if body.username:
        user = get_user_model().objects.filter(username=body.username).first()
        if user is None:
            raise HttpError(422, "no such user")
    try:
        lifecycle.consultation_assign(actor=request.user, consultation=item, assignee=user)
    except ArchivePermissionDenied as exc:
        raise HttpError(422, "that user cannot answer this archive's consultations") from exc
    return _consultation_out(_consultation(request, pk))


@router.post("/consultations/{pk}/tags", response=list[str])
def tag(request: HttpRequest, pk: int, body: TagIn) -> list[str]:
    item = _consultation(request, pk)
    return lifecycle.consultation_tag(
        actor=request.user, consultation=item, add=body.add, remove=body.remove
    )


@router.post("/consultations/{pk}/notes", response={201: dict})
def note(request: HttpRequest, pk: int, body: NoteIn) -> Status:
    item = _consultation(request, pk)
    try:
        created = lifecycle.consultation_note_add(
            actor=request.user, consultation=item, text=body.text
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, {"id": created.pk, "text": created.text})


@router.post("/consultations/{pk}/close", response=ConsultationOut)
def close(request: HttpRequest, pk: int) -> dict[str, Any]:
    item = _consultation(request, pk)
    lifecycle.consultation_close(actor=request.user, consultation=item)
    return _consultation_out(_consultation(request, pk))


@router.get("/archives/{slug}/stats")
def stats(request: HttpRequest, slug: str, start: datetime.date, end: datetime.date) -> Any:
    archive = archive_or_404(slug)
    try:
        selectors.consultation_list(user=request.user, archive=archive)
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not read this archive's inbox") from exc
    return dataclasses.asdict(selectors.consultation_stats(archive=archive, start=start, end=end))


# ── auto-reply rules ──────────────────────────────────────────────────────────────────────────


def _rule_out(rule: AutoReplyRule) -> dict[str, Any]:
    return {"id": rule.pk, **{name: getattr(rule, name) for name in RuleIn.model_fields}}


@router.get("/archives/{slug}/rules", response=list[RuleOut])
def rule_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    archive = archive_or_404(slug)
    try:
        selectors.consultation_list(user=request.user, archive=archive)
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not read this archive's rules") from exc
    return [_rule_out(rule) for rule in selectors.autoreply_rule_list(archive=archive)]


@router.post("/archives/{slug}/rules", response={201: RuleOut})
def rule_create(request: HttpRequest, slug: str, body: RuleIn) -> Status:
    archive = archive_or_404(slug)
    try:
        rule = autoreplies.autoreply_rule_create(
            actor=request.user, archive=archive, **body.model_dump()
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not change this archive's rules") from exc
    return Status(201, _rule_out(rule))


def _rule(request: HttpRequest, pk: int) -> AutoReplyRule:
    try:
        return selectors.autoreply_rule_get(user=request.user, pk=pk)
    except AutoReplyRule.DoesNotExist as exc:
        raise Http404("no such rule") from exc
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not change this archive's rules") from exc


@router.put("/rules/{pk}", response=RuleOut)
def rule_update(request: HttpRequest, pk: int, body: RuleIn) -> dict[str, Any]:
    rule = _rule(request, pk)
    try:
        rule = autoreplies.autoreply_rule_update(actor=request.user, rule=rule, **body.model_dump())
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _rule_out(rule)


@router.delete("/rules/{pk}", response={204: None})
def rule_delete(request: HttpRequest, pk: int) -> Status:
    rule = _rule(request, pk)
    autoreplies.autoreply_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


@router.post("/archives/{slug}/rules/test")
def rule_test(request: HttpRequest, slug: str, body: RuleTestIn) -> dict[str, Any]:
    archive = archive_or_404(slug)
    try:
        selectors.consultation_list(user=request.user, archive=archive)
    except ArchivePermissionDenied as exc:
        raise HttpError(403, "you may not read this archive's rules") from exc
    tested = selectors.autoreply_test(archive=archive, text=body.text)
    return {
        "rule": tested.rule.pk if tested.rule else None,
        "rule_name": tested.rule.name if tested.rule else None,
        "to_staff": tested.to_staff,
        "kind": tested.reply.kind,
        "text": tested.reply.text,
        "articles": [article.as_dict() for article in tested.reply.articles],
    }


# ── public ────────────────────────────────────────────────────────────────────────────────────


@router.post("/archives/{slug}/ask", auth=None, response={201: AskOut})
def ask(request: HttpRequest, slug: str, body: AskIn) -> Status:
    archive = archive_or_404(slug)
    try:
        receipt = asking.consultation_ask(
            archive=archive,
            name=body.name,
            email=body.email,
            question=body.question,
            client_ip=client_address(request),
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except asking.AskRateLimited as exc:
        raise HttpError(429, exc.message) from exc
    return Status(
        201,
        {
            "consultation": receipt.consultation.pk,
            "due_at": receipt.due_at,
            "promise_working_days": receipt.promise_working_days,
            "private_url": receipt.private_url,
        },
    )


@router.post("/archives/{slug}/feedback/{token}", auth=None)
def feedback(request: HttpRequest, slug: str, token: str, body: FeedbackIn) -> dict[str, Any]:
    try:
        asking.consultation_feedback_rate_check(client=client_address(request))
    except asking.FeedbackRateLimited as exc:
        raise HttpError(429, "too many requests; try again in a few minutes") from exc
    try:
        item = selectors.consultation_get_by_token(slug=slug, token=token)
    except selectors.ConsultationNotFound as exc:
        raise Http404("no such consultation") from exc
    try:
        asking.consultation_feedback(consultation=item, rating=body.rating, comment=body.comment)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except common.InboxError as exc:
        raise HttpError(409, exc.message) from exc
    return {"rating": body.rating}
