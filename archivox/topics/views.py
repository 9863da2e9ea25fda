"""The public's topic pages: what the topic is about (through the access gateway), the desk's
posts tagged with it, and the discussion."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.core.access import archive_or_404, client_address
from archivox.polls.identity import IdentityError, person_from_request, person_remember
from archivox.topics import selectors, services
from archivox.topics.models import Comment, Topic


def topic_index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    topics = selectors.topic_list_public(archive=archive)
    return render(request, "topics/index.html", {"archive": archive, "topics": topics})


@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        subject = selectors.topic_get_public(archive=archive, slug=topic)
    except Topic.DoesNotExist as exc:
        raise Http404(topic) from exc
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    context: dict[str, object] = {
        "archive": archive,
        "topic": subject,
        "token": token,
        "form": {"display_name": "", "body": ""},
    }
    status = 200
    try:
        person = person_from_request(request, archive=archive, token=token)
    except IdentityError as exc:
        person = None
        context["identity_error"] = str(exc)
        status = 403
    if request.method == "POST" and person is not None:
        form = {
            "display_name": request.POST.get("display_name", ""),
            "body": request.POST.get("body", ""),
        }
        try:
            comment = services.comment_post(
                topic=subject,
                person=person,
                display_name=form["display_name"],
                body=form["body"],
                client=client_address(request),
            )
        except services.CommentRefused as exc:
            # Shown again with the text as written, so nothing the person wrote is lost.
            context["refusal"] = str(exc)
            context["form"] = form
            status = 429 if isinstance(exc, services.RateLimited) else 400
        else:
            if comment.status == Comment.Status.PUBLISHED:
                messages.success(request, _("Thank you! Your comment is published."))
            else:
                messages.info(
                    request,
                    _("Thank you! Your comment will appear once a moderator has read it."),
                )
            url = reverse("topics:detail", kwargs={"slug": archive.slug, "topic": subject.slug})
            if token:
                url += "?t=" + token
            return person_remember(redirect(f"{url}#comment-{comment.pk}"), person)
    context.update(
        {
            "entries": selectors.topic_items_public(topic=subject),
            "posts": selectors.topic_posts_public(topic=subject),
            "comments": selectors.comment_list_public(topic=subject, person=person),
            "max_comment": services.MAX_COMMENT,
            "max_name": services.MAX_NAME,
        }
    )
    response = render(request, "topics/detail.html", context, status=status)
    return person_remember(response, person) if person is not None else response
