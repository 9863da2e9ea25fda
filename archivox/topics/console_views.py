"""Staff pages for topics: make them, link catalog items, moderate the discussion, choose
pre- or post-moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.core.access import archives_for_staff
from archivox.topics import selectors, services
from archivox.topics.forms import (
    ArchiveForm,
    ConsoleForm,
    DiscussionSettingsForm,
    ModerationForm,
    TopicCreateForm,
    TopicItemForm,
    TopicUpdateForm,
)
from archivox.topics.models import Comment, DiscussionSettings, Topic


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    archives = archives_for_staff(request.user, services.MODERATE)
    status, kept = 200, None
    if request.method == "POST":
        form_class: type[ArchiveForm] = (
            DiscussionSettingsForm if request.POST.get("action") == "settings" else TopicCreateForm
        )
        form = form_class(request.POST, archives=archives)
        status = 400  # the page again, with what was typed (kept), unless it succeeds
        kept = request.POST
        if not form.is_valid():
            messages.error(request, form.error_text())
        else:
            try:
                if isinstance(form, DiscussionSettingsForm):
                    services.discussion_settings_update(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("console_topics:index")
                else:
                    topic = services.topic_create(actor=request.user, **form.cleaned_data)
                    return redirect("console_topics:detail", pk=topic.pk)
            except ValidationError as exc:
                form.add_refusal(exc)
                messages.error(request, " ".join(exc.messages))
    rows = [
        (
            archive,
            services.discussion_settings_for(archive),
            selectors.topic_list_for_staff(user=request.user, archive=archive),
            selectors.moderation_queue(user=request.user, archive=archive)[:50],
            kept.dict() if kept is not None and kept.get("archive") == archive.slug else {},
        )
        for archive in archives
    ]
    return render(
        request,
        "topics/console/index.html",
        {
            "rows": rows,
            "moderation_choices": DiscussionSettings.Moderation.choices,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        topic = selectors.topic_get_for_staff(user=request.user, pk=pk)
    except Topic.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.method == "POST":
        _topic_action(request, topic)
        return redirect("console_topics:detail", pk=topic.pk)
    return render(
        request,
        "topics/console/detail.html",
        {
            "topic": topic,
            "items": selectors.topic_items_for_staff(topic=topic),
            "comments": selectors.comment_list_for_staff(user=request.user, topic=topic)[:200],
        },
    )


def _topic_action(request: HttpRequest, topic: Topic) -> None:
    """Call the one service of the posted action; its problems and refusals become messages."""
    action = request.POST.get("action", "")
    form: ConsoleForm
    if action == "update":
        form = TopicUpdateForm(request.POST)
    elif action in ("add_item", "remove_item"):
        form = TopicItemForm(request.POST, topic=topic)
    else:
        form = ConsoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return
    try:
        if action == "update":
            services.topic_update(actor=request.user, topic=topic, **form.cleaned_data)
        elif action == "add_item":
            services.topic_item_add(actor=request.user, topic=topic, **form.cleaned_data)
        elif action == "remove_item":
            services.topic_item_remove(actor=request.user, topic=topic, **form.cleaned_data)
        else:
            raise ValidationError(_("Unknown action."))
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        form.add_refusal(exc)
        messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        comment = selectors.comment_get_for_staff(user=request.user, pk=pk)
    except Comment.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    form = ModerationForm(request.POST, host=request.get_host())
    if not form.is_valid():
        messages.error(request, form.error_text())
    elif form.cleaned_data["action"] == "approve":
        services.comment_approve(actor=request.user, comment=comment)
    else:
        services.comment_hide(actor=request.user, comment=comment)
    return redirect(form.cleaned_data["next"] or "console_topics:index")
