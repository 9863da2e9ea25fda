"""Public pages of posts and the email subscription (double opt-in, one-click unsubscribe)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archivox.catalog.selectors import description_list_public, digital_objects_public
from archivox.core.models import Archive
from archivox.publishing import selectors
from archivox.publishing.models import EmailSubscriber, Post
from archivox.publishing.services.subscribers import (
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
)


def post_list(request: HttpRequest, slug: str) -> HttpResponse:
    archive = get_object_or_404(Archive, slug=slug)
    topic = request.GET.get("topic") or None
    posts = selectors.post_list_public(archive=archive, topic=topic, limit=100)
    return render(
        request, "publishing/post_list.html", {"archive": archive, "posts": posts, "topic": topic}
    )


def post_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = get_object_or_404(Archive, slug=slug)
    try:
        post = selectors.post_get_public(archive=archive, pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404("no such post") from exc
    # Items through the access gateway: an item closed since is simply not linked.
    public = description_list_public(archive=archive).in_bulk(
        list(post.post_items.values_list("description_id", flat=True))
    )
    items = []
    for post_item in post.post_items.all():
        description = public.get(post_item.description_id)
        if description is None:
            continue
        image = None
        if post_item.use_image:
            image = next(
                (o for o in digital_objects_public(description=description) if o.kind == "image"),
                None,
            )
        # A quoted item shows its scope and content, as the desk's preview did.
        quote = description.scope_content if post_item.quote else ""
        items.append({"description": description, "image": image, "quote": quote})
    return render(
        request,
        "publishing/post_detail.html",
        {"archive": archive, "post": post, "items": items},
    )


def post_cover(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The cover image of a published post (checked by content when it was uploaded)."""
    archive = get_object_or_404(Archive, slug=slug)
    try:
        post = selectors.post_get_public(archive=archive, pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404("no such post") from exc
    if not post.cover_public:  # the public copy only: the original keeps its metadata
        raise Http404("no cover")
    response = FileResponse(post.cover_public.open("rb"), content_type=post.cover_media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    archive = get_object_or_404(Archive, slug=slug)
    context: dict = {"archive": archive}
    if request.method == "POST":
        try:
            subscriber_subscribe(archive=archive, email=request.POST.get("email", ""))
            context["sent"] = True
        except ValidationError as exc:
            context["errors"] = exc.messages
            context["email"] = request.POST.get("email", "")
            return render(request, "publishing/subscribe.html", context, status=422)
    return render(request, "publishing/subscribe.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    archive = get_object_or_404(Archive, slug=slug)
    subscriber = get_object_or_404(EmailSubscriber, archive=archive, token=token)
    if request.method == "POST":
        subscriber = subscriber_confirm(archive=archive, token=token)
    return render(
        request,
        "publishing/subscription.html",
        {"archive": archive, "subscriber": subscriber, "action": "confirm"},
    )


@csrf_exempt  # RFC 8058 one-click: mail clients POST without our CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    archive = get_object_or_404(Archive, slug=slug)
    subscriber = get_object_or_404(EmailSubscriber, archive=archive, token=token)
    if request.method == "POST":
        subscriber = subscriber_unsubscribe(archive=archive, token=token)
    return render(
        request,
        "publishing/subscription.html",
        {"archive": archive, "subscriber": subscriber, "action": "unsubscribe"},
    )
