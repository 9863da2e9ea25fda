"""Staff pages for topics: make them, link catalog items, moderate the discussion, choose
pre- or post-moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.catalog.models import Description
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive
from archivox.topics import selectors, services
from archivox.topics.models import Comment, DiscussionSettings, Topic


def _archives(request: HttpRequest) -> list[Archive]:
    return [
        archive
        for archive in core_selectors.archive_list_for_staff(user=request.user)
        if core_selectors.user_can(user=request.user, archive=archive, capability=services.MODERATE)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    archives = _archives(request)
    by_slug = {archive.slug: archive for archive in archives}
    if request.method == "POST":
        archive = by_slug.get(request.POST.get("archive", ""))
        if archive is None:
            messages.error(request, _("Choose one of your archives."))
            return redirect("console_topics:index")
        try:
            if request.POST.get("action") == "settings":
                services.discussion_settings_update(
                    actor=request.user,
                    archive=archive,
                    moderation=request.POST.get("moderation", ""),
                )
                messages.success(request, _("Saved."))
            else:
                topic = services.topic_create(
                    actor=request.user,
                    archive=archive,
                    name=request.POST.get("name", ""),
                    slug=request.POST.get("slug", ""),
                    description=request.POST.get("description", ""),
                )
                return redirect("console_topics:detail", pk=topic.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("console_topics:index")
    rows = [
        (
            archive,
            services.discussion_settings_for(archive),
            selectors.topic_list_for_staff(user=request.user, archive=archive),
            selectors.moderation_queue(user=request.user, archive=archive)[:50],
        )
        for archive in archives
    ]
    return render(
        request,
        "topics/console/index.html",
        {"rows": rows, "moderation_choices": DiscussionSettings.Moderation.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        topic = selectors.topic_get_for_staff(user=request.user, pk=pk)
    except Topic.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "update":
                services.topic_update(
                    actor=request.user,
                    topic=topic,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                    is_published=bool(request.POST.get("is_published")),
                    comments_open=bool(request.POST.get("comments_open")),
                )
            elif action in ("add_item", "remove_item"):
                code = request.POST.get("reference_code", "").strip()
                description = Description.objects.filter(
                    archive=topic.archive, reference_code=code
                ).first()
                if description is None:
                    raise ValidationError(
                        _("No description with reference code “%s” in this archive.") % code
                    )
                if action == "add_item":
                    services.topic_item_add(
                        actor=request.user, topic=topic, description=description
                    )
                else:
                    services.topic_item_remove(
                        actor=request.user, topic=topic, description=description
                    )
            else:
                raise ValidationError(_("Unknown action."))
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
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


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        comment = selectors.comment_get_for_staff(user=request.user, pk=pk)
    except Comment.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    if request.POST.get("action") == "approve":
        services.comment_approve(actor=request.user, comment=comment)
    elif request.POST.get("action") == "hide":
        services.comment_hide(actor=request.user, comment=comment)
    else:
        messages.error(request, _("Unknown action."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "console_topics:index")
