"""Staff pages of the consultation inbox: the list, one consultation's thread, the overdue queue
and the auto-reply rules. Thin: a small form (``forms.py``) parses the input, one service or
selector acts, the page renders.
Works without JavaScript (a canned answer is inserted by a round trip)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.consultations import selectors
from archivox.consultations.forms import (
    AnswerForm,
    AssignForm,
    CannedAnswerForm,
    CannedChoiceForm,
    EmailForm,
    InboxSettingsForm,
    NoteForm,
    RuleForm,
    TagForm,
)
from archivox.consultations.models import (
    AutoReplyRule,
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    InboundMessage,
)
from archivox.consultations.services import answers, autoreplies, common, lifecycle
from archivox.core.access import archive_or_404
from archivox.core.forms import ConsoleForm
from archivox.core.models import Archive
from archivox.core.selectors import ArchivePermissionDenied

PER_PAGE = 50


def _archive_for(request: HttpRequest, slug: str | None) -> Archive | None:
    if not slug:
        return None
    return archive_or_404(slug)


def _list_context(request: HttpRequest, *, overdue: bool) -> dict:
    archives = selectors.inbox_archives_for_staff(user=request.user)
    archive = _archive_for(request, request.GET.get("archive"))
    assignee = None
    assignee_param = request.GET.get("assignee", "")
    if assignee_param == "me":
        assignee = request.user
    try:
        consultations = (
            selectors.consultation_overdue_list(user=request.user, archive=archive)
            if overdue
            else selectors.consultation_list(
                user=request.user,
                archive=archive,
                status=request.GET.get("status") or None,
                channel=request.GET.get("channel") or None,
                assignee=assignee,
                unassigned=assignee_param == "none",
                overdue=request.GET.get("overdue") == "1",
                tag=request.GET.get("tag") or None,
            )
        )
    except ArchivePermissionDenied as exc:
        raise Http404("no such archive") from exc
    page = Paginator(consultations, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "archives": archives,
        "archive": archive,
        "page": page,
        "consultations": page.object_list,
        "statuses": Consultation.Status.choices,
        "channels": InboundMessage.Channel.choices,
        "params": request.GET,
        "overdue_page": overdue,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "console_inbox/list.html", _list_context(request, overdue=False))


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    return render(request, "console_inbox/list.html", _list_context(request, overdue=True))


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    try:
        return selectors.consultation_get_for_staff(user=request.user, pk=pk)
    except (selectors.ConsultationNotFound, ArchivePermissionDenied) as exc:
        raise Http404("no such consultation") from exc


@login_required
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    item = _consultation(request, pk)
    staff = get_user_model().objects.filter(memberships__archive=item.archive).distinct()
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        # What was typed stays on the page when an action is refused (or a canned answer is
        # inserted), so nobody types an answer twice.
        typed = {name: request.POST.get(name, "") for name in ("text", "note", "email")}
        try:
            done = _act(request, item, action, staff)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        except common.InboxError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            if done is not None:
                return done
        if action == "insert_canned":
            typed["text"] = _with_canned(request, item, typed["text"])
        item = _consultation(request, pk)
    return render(
        request,
        "console_inbox/consultation.html",
        {
            "consultation": item,
            "thread": selectors.consultation_thread(consultation=item),
            "tags": sorted(tag.name for tag in item.tags.all()),
            "tag_choices": selectors.inbox_tags(archive=item.archive),
            "canned": selectors.canned_answer_list(archive=item.archive),
            "routes": answers.answer_routes(item),
            "staff": staff,
            "draft": typed.get("text", ""),
            "typed": typed,
        },
        status=status,
    )


def _with_canned(request: HttpRequest, item: Consultation, draft: str) -> str:
    """The draft with the chosen canned answer of the archive appended (or the draft alone)."""
    form = CannedChoiceForm(request.POST)
    pk = form.cleaned_data["canned"] if form.is_valid() else None
    canned = (
        selectors.canned_answer_list(archive=item.archive).filter(pk=pk).first() if pk else None
    )
    if canned is None:
        return draft
    return f"{draft.rstrip()}\n\n{canned.text}".strip() if draft.strip() else canned.text


def _valid(form: ConsoleForm) -> dict[str, Any]:
    """The form's values, or its problems raised as the services raise theirs."""
    if not form.is_valid():
        raise ValidationError(form.error_text())
    return form.cleaned_data


def _act(request: HttpRequest, item: Consultation, action: str, staff: Any) -> HttpResponse | None:
    post = request.POST
    back = redirect("console_inbox:consultation", pk=item.pk)
    if action == "answer":
        form = AnswerForm(post)
        _valid(form)
        answer = answers.consultation_answer(actor=request.user, consultation=item, **form.values())
        if answer.state == ConsultationAnswer.State.SENT:
            messages.success(
                request,
                _("The answer was sent by %(via)s.") % {"via": answer.get_via_display()},
            )
        else:
            messages.error(request, answer.error or answer.get_state_display())
        return back
    if action == "assign":
        assignee = _valid(AssignForm(post, staff=staff))["assignee"]
        lifecycle.consultation_assign(actor=request.user, consultation=item, assignee=assignee)
        return back
    if action == "tag":
        data = _valid(TagForm(post))
        lifecycle.consultation_tag(
            actor=request.user, consultation=item, add=[data["tag"], data["free_tag"]]
        )
        return back
    if action == "untag":
        data = _valid(TagForm(post))
        lifecycle.consultation_tag(actor=request.user, consultation=item, remove=[data["tag"]])
        return back
    if action == "note":
        note = _valid(NoteForm(post))["note"]
        lifecycle.consultation_note_add(actor=request.user, consultation=item, text=note)
        return back
    if action == "email":
        email = _valid(EmailForm(post))["email"]
        answers.consultation_email_set(actor=request.user, consultation=item, email=email)
        return back
    if action == "close":
        lifecycle.consultation_close(actor=request.user, consultation=item)
        return back
    return None


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        selectors.consultation_list(user=request.user, archive=archive)
    except ArchivePermissionDenied as exc:
        raise Http404("no such archive") from exc
    errors: list[str] = []
    form: dict[str, str] = {}
    tested = None
    test_text = request.GET.get("test", "")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = {name: request.POST.get(name, "") for name in autoreplies.RULE_FIELDS}
        try:
            errors = _rules_act(request, archive, action)
        except ArchivePermissionDenied:
            errors = [_("You may not change this archive's rules.")]
            status = 403
        else:
            if not errors:
                return redirect("console_inbox:rules", slug=archive.slug)
            status = 400
    if test_text:
        tested = selectors.autoreply_test(archive=archive, text=test_text)
    return render(
        request,
        "console_inbox/rules.html",
        {
            "archive": archive,
            "rules": selectors.autoreply_rule_list(archive=archive),
            "canned": selectors.canned_answer_list(archive=archive),
            "settings": selectors.inbox_settings_for(archive),
            "matches": AutoReplyRule.Match.choices,
            "kinds": AutoReplyRule.Kind.choices,
            "errors": errors,
            "form": form,
            "test_text": test_text,
            "tested": tested,
        },
        status=status,
    )


def _rules_act(request: HttpRequest, archive: Archive, action: str) -> list[str]:
    """Carry out one action of the rules page; the problems, one a line, if it was refused."""
    post = request.POST
    form: ConsoleForm | None = None
    try:
        if action == "create_rule":
            form = RuleForm(post)
            if form.is_valid():
                autoreplies.autoreply_rule_create(
                    actor=request.user, archive=archive, **form.values()
                )
        elif action in ("delete_rule", "toggle_rule"):
            rule = get_object_or_404(AutoReplyRule, archive=archive, pk=_pk(post.get("rule")))
            if action == "delete_rule":
                autoreplies.autoreply_rule_delete(actor=request.user, rule=rule)
            else:
                autoreplies.autoreply_rule_update(
                    actor=request.user, rule=rule, is_active=not rule.is_active
                )
        elif action == "create_canned":
            form = CannedAnswerForm(post)
            if form.is_valid():
                answers.canned_answer_create(
                    actor=request.user,
                    archive=archive,
                    title=form.cleaned_data["canned_title"],
                    text=form.cleaned_data["canned_text"],
                )
        elif action == "delete_canned":
            canned = get_object_or_404(CannedAnswer, archive=archive, pk=_pk(post.get("canned")))
            answers.canned_answer_delete(actor=request.user, canned=canned)
        elif action == "settings":
            form = InboxSettingsForm(
                post,
                defaults={
                    "promise_working_days": selectors.default_promise_working_days(),
                    "flood_per_minute": selectors.DEFAULT_FLOOD_PER_MINUTE,
                },
            )
            if form.is_valid():
                lifecycle.inbox_settings_update(
                    actor=request.user, archive=archive, **form.values()
                )
    except ValidationError as exc:
        if form is None:
            return list(exc.messages)
        form.add_refusal(exc)
    return form.error_lines() if form is not None else []


def _pk(raw: str | None) -> int:
    """A row's number from a hidden input; anything else finds nothing (404)."""
    return int(raw) if raw and raw.isdigit() else 0
