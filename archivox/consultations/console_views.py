"""Staff pages of the consultation inbox: the list, one consultation's thread, the overdue queue
and the auto-reply rules. Thin: parse the form, call one service or selector, render.
Works without JavaScript (a canned answer is inserted by a round trip)."""

from __future__ import annotations

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
from archivox.consultations.models import (
    AutoReplyRule,
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    InboundMessage,
)
from archivox.consultations.services import answers, autoreplies, common, lifecycle
from archivox.core.access import archive_or_404
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


def _whole_number(raw: str | None, *, default: int, field: str) -> int:
    """A number field of the settings form: empty means the default the inbox uses."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError({field: _("Enter a whole number.")}) from exc


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
    draft = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        draft = request.POST.get("text", "")
        try:
            done = _act(request, item, action)
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
            canned = CannedAnswer.objects.filter(
                archive=item.archive, pk=request.POST.get("canned") or 0
            ).first()
            if canned is not None:
                draft = (
                    f"{draft.rstrip()}\n\n{canned.text}".strip() if draft.strip() else canned.text
                )
        item = _consultation(request, pk)
    staff = get_user_model().objects.filter(memberships__archive=item.archive).distinct()
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
            "draft": draft,
        },
        status=status,
    )


def _act(request: HttpRequest, item: Consultation, action: str) -> HttpResponse | None:
    post = request.POST
    back = redirect("console_inbox:consultation", pk=item.pk)
    if action == "answer":
        answer = answers.consultation_answer(
            actor=request.user,
            consultation=item,
            text=post.get("text", ""),
            via=post.get("via") or None,
            waiting=post.get("waiting") == "1",
        )
        if answer.state == ConsultationAnswer.State.SENT:
            messages.success(request, answer.get_via_display())
        else:
            messages.error(request, answer.error or answer.get_state_display())
        return back
    if action == "assign":
        user_id = post.get("assignee") or ""
        assignee = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        lifecycle.consultation_assign(actor=request.user, consultation=item, assignee=assignee)
        return back
    if action == "tag":
        lifecycle.consultation_tag(
            actor=request.user,
            consultation=item,
            add=[post.get("tag", ""), post.get("free_tag", "")],
        )
        return back
    if action == "untag":
        lifecycle.consultation_tag(
            actor=request.user, consultation=item, remove=[post.get("tag", "")]
        )
        return back
    if action == "note":
        lifecycle.consultation_note_add(
            actor=request.user, consultation=item, text=post.get("note", "")
        )
        return back
    if action == "email":
        answers.consultation_email_set(
            actor=request.user, consultation=item, email=post.get("email", "")
        )
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
        form = {name: request.POST.get(name, "") for name in services_rule_fields()}
        try:
            if action == "create_rule":
                autoreplies.autoreply_rule_create(
                    actor=request.user, archive=archive, **_rule_values(request.POST)
                )
            elif action == "delete_rule":
                rule = get_object_or_404(
                    AutoReplyRule, archive=archive, pk=request.POST.get("rule")
                )
                autoreplies.autoreply_rule_delete(actor=request.user, rule=rule)
            elif action == "toggle_rule":
                rule = get_object_or_404(
                    AutoReplyRule, archive=archive, pk=request.POST.get("rule")
                )
                autoreplies.autoreply_rule_update(
                    actor=request.user, rule=rule, is_active=not rule.is_active
                )
            elif action == "create_canned":
                answers.canned_answer_create(
                    actor=request.user,
                    archive=archive,
                    title=request.POST.get("canned_title", ""),
                    text=request.POST.get("canned_text", ""),
                )
            elif action == "delete_canned":
                canned = get_object_or_404(
                    CannedAnswer, archive=archive, pk=request.POST.get("canned")
                )
                answers.canned_answer_delete(actor=request.user, canned=canned)
            elif action == "settings":
                lifecycle.inbox_settings_update(
                    actor=request.user,
                    archive=archive,
                    promise_working_days=_whole_number(
                        request.POST.get("promise_working_days"),
                        default=selectors.default_promise_working_days(),
                        field="promise_working_days",
                    ),
                    flood_per_minute=_whole_number(
                        request.POST.get("flood_per_minute"),
                        default=selectors.DEFAULT_FLOOD_PER_MINUTE,
                        field="flood_per_minute",
                    ),
                    tags=[line for line in request.POST.get("tags", "").splitlines()],
                )
        except ValidationError as exc:
            errors = (
                [
                    f"{field}: {message}" if field != "__all__" else message
                    for field, messages_ in exc.message_dict.items()
                    for message in messages_
                ]
                if hasattr(exc, "error_dict")
                else list(exc.messages)
            )
            status = 400
        except ArchivePermissionDenied:
            errors = ["You may not change this archive's rules."]
            status = 403
        except ValueError:
            errors = ["Numbers expected."]
            status = 400
        else:
            return redirect("console_inbox:rules", slug=archive.slug)
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


def services_rule_fields() -> tuple[str, ...]:
    return autoreplies.RULE_FIELDS


def _rule_values(post) -> dict:
    values = {
        "name": post.get("name", "").strip(),
        "match": post.get("match", ""),
        "pattern": post.get("pattern", ""),
        "kind": post.get("kind", ""),
        "text": post.get("text", ""),
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "url": post.get("url", ""),
        "picurl": post.get("picurl", ""),
    }
    try:
        values["priority"] = int(post.get("priority") or 100)
        values["max_hits"] = int(post.get("max_hits") or 3)
    except ValueError as exc:
        raise ValidationError({"priority": "Priority and hits are whole numbers."}) from exc
    return values
