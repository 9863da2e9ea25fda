"""Staff pages of the publishing desk, mounted at /console/publishing/. Thin: parse the form,
call one service or selector, render; refused changes re-render with the problem (422)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archivox.catalog.models import FeaturedCollection
from archivox.catalog.selectors import description_list_for_staff
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.core.selectors import Capability, user_can
from archivox.publishing import selectors
from archivox.publishing.models import CHANNELS, Delivery, Post
from archivox.publishing.services.composing import (
    post_create,
    post_delete,
    post_set_cover,
    post_update,
)
from archivox.publishing.services.deliveries import delivery_retry as delivery_retry_service
from archivox.publishing.services.desk import (
    PublishingError,
    desk_settings_update,
    notice_mark_read,
)
from archivox.publishing.services.publish import post_publish_now
from archivox.publishing.services.rendering import archive_channels, post_render
from archivox.publishing.services.review import post_approve, post_comment, post_request_changes
from archivox.publishing.services.scheduling import post_schedule, post_unschedule
from archivox.publishing.services.screening import post_screen, post_submit, screening_override
from archivox.publishing.services.withdrawal import post_correct, post_withdraw


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)


def _archive(request: HttpRequest, slug: str) -> Archive:
    archive = archive_or_404(slug)
    if not selectors.can_view_posts(user=request.user, archive=archive):
        raise PermissionDenied(_("you hold no publishing role in this archive"))
    return archive


def _post(request: HttpRequest, pk: int) -> Post:
    try:
        return selectors.post_get_for_staff(user=request.user, pk=pk)
    except Post.DoesNotExist as exc:
        raise Http404("no such post") from exc


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = [
        a
        for a in core_selectors.archive_list_for_staff(user=request.user)
        if selectors.can_view_posts(user=request.user, archive=a)
    ]
    slug = request.GET.get("archive") or (archives[0].slug if archives else "")
    archive = next((a for a in archives if a.slug == slug), None)
    context: dict = {"archives": archives, "archive": archive}
    if archive is not None:
        posts = selectors.post_list_for_staff(user=request.user, archive=archive)
        by_status = {value: [] for value, _label in Post.Status.choices}
        for post in posts:
            by_status[post.status].append(post)
        context.update(
            columns=[(label, by_status[value]) for value, label in Post.Status.choices],
            freshness=selectors.freshness_warning(archive=archive),
            notices=selectors.notice_list(user=request.user),
            can_review=user_can(
                user=request.user, archive=archive, capability=Capability.POST_REVIEW
            ),
        )
    return render(request, "publishing/console/index.html", context)


def _items_from_form(request: HttpRequest, archive: Archive) -> list[dict]:
    chosen = [int(pk) for pk in request.POST.getlist("item") if pk.isdigit()]
    descriptions = description_list_for_staff(user=request.user, archive=archive).in_bulk(chosen)
    return [
        {
            "description": descriptions[pk],
            "use_image": f"use_image_{pk}" in request.POST,
            "quote": f"quote_{pk}" in request.POST,
        }
        for pk in chosen
        if pk in descriptions
    ]


def _values_from_form(request: HttpRequest, archive: Archive) -> dict:
    data = request.POST
    collection = None
    if data.get("featured_collection", "").isdigit():
        collection = FeaturedCollection.objects.filter(
            archive=archive, pk=int(data["featured_collection"])
        ).first()
    return {
        "kind": data.get("kind", Post.Kind.ARTICLE),
        "title": data.get("title", "").strip(),
        "author": data.get("author", "").strip(),
        "digest": data.get("digest", "").strip(),
        "body_html": data.get("body_html", ""),
        "text": data.get("text", ""),
        "origin": data.get("origin", Post.Origin.ORIGINAL),
        "forward_source": data.get("forward_source", "").strip(),
        "column": data.get("column", "").strip(),
        "topics": data.get("topics", ""),
        "channels": data.getlist("channels"),
        "wechat_mode": data.get("wechat_mode", Post.WeChatMode.PUBLISH),
        "featured_collection": collection,
    }


@login_required
def compose(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """New post (``pk`` None) or edit of a draft, with the catalog item picker."""
    archive = _archive(request, slug)
    post = _post(request, pk) if pk else None
    if post is not None and post.archive_id != archive.pk:
        raise Http404("no such post")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        values = _values_from_form(request, archive)
        items = _items_from_form(request, archive)
        try:
            if post is None:
                title = values.pop("title")
                post = post_create(
                    actor=request.user, archive=archive, title=title, items=items, **values
                )
            else:
                post = post_update(actor=request.user, post=post, items=items, **values)
            cover = request.FILES.get("cover")
            if cover is not None:
                post_set_cover(actor=request.user, post=post, content=cover.read())
            return redirect("console_publishing:post", pk=post.pk)
        except ValidationError as exc:
            errors, status = _errors(exc), 422
    query = request.GET.get("q", "").strip()
    candidates = description_list_for_staff(user=request.user, archive=archive)
    if query:
        candidates = candidates.filter(title__icontains=query) | candidates.filter(
            reference_code__icontains=query
        )
    chosen = list(post.post_items.select_related("description")) if post else []
    chosen_ids = {item.description_id for item in chosen}
    context = {
        "archive": archive,
        "post": post,
        "errors": errors,
        "form": request.POST if request.method == "POST" else None,
        "chosen": chosen,
        "candidates": [d for d in candidates.order_by("path")[:50] if d.pk not in chosen_ids],
        "query": query,
        "channels": CHANNELS,
        "available": archive_channels(archive),
        "collections": FeaturedCollection.objects.filter(archive=archive),
        "kinds": Post.Kind.choices,
        "origins": Post.Origin.choices,
        "wechat_modes": Post.WeChatMode.choices,
    }
    return render(request, "publishing/console/compose.html", context, status=status)


def _post_page(request: HttpRequest, post: Post, errors=(), status=200, **extra) -> HttpResponse:
    try:
        screening = post_screen(post=post)
    except Exception as exc:  # the page must still show the post
        screening = None
        errors = [*errors, f"screening unavailable: {exc}"]
    renderings = post_render(post=post)
    context = {
        "post": post,
        "archive": post.archive,
        "errors": errors,
        "screening": screening,
        "renderings": renderings,
        "comments": post.comments.select_related("author"),
        "revisions": post.revisions.select_related("created_by")[:20],
        "deliveries": selectors.delivery_list(post=post),
        "items": post.post_items.select_related("description"),
        "can_review": user_can(
            user=request.user, archive=post.archive, capability=Capability.POST_REVIEW
        ),
        "can_compose": user_can(
            user=request.user, archive=post.archive, capability=Capability.POST_COMPOSE
        ),
        "now": timezone.localtime(),
        **extra,
    }
    return render(request, "publishing/console/post.html", context, status=status)


@login_required
def post_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_page(request, _post(request, pk))


ACTIONS = {
    "submit": lambda r, p: post_submit(actor=r.user, post=p),
    "approve": lambda r, p: post_approve(actor=r.user, post=p, comment=r.POST.get("comment", "")),
    "request_changes": lambda r, p: post_request_changes(
        actor=r.user, post=p, comment=r.POST.get("comment", "")
    ),
    "comment": lambda r, p: post_comment(actor=r.user, post=p, body=r.POST.get("body", "")),
    "override": lambda r, p: screening_override(
        actor=r.user, post=p, finding_key=r.POST.get("finding", ""), reason=r.POST.get("reason", "")
    ),
    "schedule": lambda r, p: post_schedule(
        actor=r.user, post=p, when=_parse_when(r.POST.get("when", ""))
    ),
    "unschedule": lambda r, p: post_unschedule(actor=r.user, post=p),
    "publish": lambda r, p: post_publish_now(actor=r.user, post=p, rip=client_address(r)),
    "withdraw": lambda r, p: post_withdraw(actor=r.user, post=p, reason=r.POST.get("reason", "")),
    "correct": lambda r, p: post_correct(
        actor=r.user,
        post=p,
        reason=r.POST.get("reason", ""),
        **{k: r.POST[k] for k in ("title", "digest", "body_html", "text") if k in r.POST},
    ),
    "delete": lambda r, p: post_delete(actor=r.user, post=p),
}


def _parse_when(value: str) -> datetime.datetime:
    when = parse_datetime(value.strip()) if value else None
    if when is None:
        raise PublishingError({"scheduled_for": _("give the date and time as YYYY-MM-DD HH:MM")})
    return when if timezone.is_aware(when) else timezone.make_aware(when)


@login_required
@require_POST
def post_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = _post(request, pk)
    if action not in ACTIONS:
        raise Http404("no such action")
    try:
        result = ACTIONS[action](request, post)
    except ValidationError as exc:
        post.refresh_from_db()
        return _post_page(request, post, errors=_errors(exc), status=422)
    if action == "delete":
        return redirect(f"/console/publishing/?archive={post.archive.slug}")
    post.refresh_from_db()
    if action == "schedule" and result:
        return _post_page(request, post, warnings=result)
    return redirect("console_publishing:post", pk=post.pk)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("post"), pk=pk)
    post = _post(request, delivery.post_id)
    try:
        delivery_retry_service(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        return _post_page(request, post, errors=_errors(exc), status=422)
    return redirect("console_publishing:post", pk=post.pk)


@login_required
def calendar_view(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _archive(request, slug)
    today = timezone.localdate()
    if "week" in request.GET:
        return _calendar_week(request, archive, today)
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    days = selectors.calendar_month(user=request.user, archive=archive, year=year, month=month)
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (first + datetime.timedelta(days=32)).strftime("%Y-%m")
    return render(
        request,
        "publishing/console/calendar.html",
        {
            "archive": archive,
            "days": days,
            "month": first,
            "previous": previous,
            "following": following,
            "warnings": [w for day in days for w in day.warnings],
            "freshness": selectors.freshness_warning(archive=archive),
            "lead_blanks": range(first.weekday()),
        },
    )


def _calendar_week(request: HttpRequest, archive, today: datetime.date) -> HttpResponse:
    """The week view of the calendar (Monday to Sunday), one line a day."""
    try:
        day = datetime.date.fromisoformat(request.GET["week"])
    except ValueError:
        day = today
    monday = day - datetime.timedelta(days=day.weekday())
    days = selectors.calendar_days(
        user=request.user, archive=archive, first=monday, last=monday + datetime.timedelta(days=7)
    )
    return render(
        request,
        "publishing/console/calendar_week.html",
        {
            "archive": archive,
            "days": days,
            "monday": monday,
            "previous": (monday - datetime.timedelta(days=7)).isoformat(),
            "following": (monday + datetime.timedelta(days=7)).isoformat(),
            "warnings": [w for d in days for w in d.warnings],
            "freshness": selectors.freshness_warning(archive=archive),
        },
    )


@login_required
def deliveries_view(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _archive(request, slug)
    deliveries = selectors.delivery_list_for_staff(user=request.user, archive=archive)
    return render(
        request,
        "publishing/console/deliveries.html",
        {"archive": archive, "deliveries": deliveries},
    )


@login_required
def warc_view(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _archive(request, slug)
    files = selectors.warc_list(user=request.user, archive=archive)
    return render(request, "publishing/console/warc.html", {"archive": archive, "files": files})


@login_required
def warc_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    archive = _archive(request, slug)
    warc = get_object_or_404(selectors.warc_list(user=request.user, archive=archive), pk=pk)
    path = Path(warc.path)
    if not path.is_file():
        raise Http404("the WARC file is missing")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["X-Checksum-SHA256"] = warc.sha256
    return response


@login_required
def settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The archive's sensitive words (core.screening) and the freshness threshold."""
    archive = _archive(request, slug)
    from archivox.core import screening

    errors: list[str] = []
    saved = False
    status = 200
    if request.method == "POST":
        try:
            if "words" in request.POST:
                words = []
                for line in request.POST["words"].splitlines():
                    parts = [part.strip() for part in line.split("|")]
                    if parts and parts[0]:
                        words.append(
                            (parts[0], parts[1] if len(parts) > 1 and parts[1] else "block")
                        )
                screening.sensitive_words_set(actor=request.user, archive=archive, words=words)
            if request.POST.get("freshness_days", "").strip():
                desk_settings_update(
                    actor=request.user,
                    archive=archive,
                    freshness_days=int(request.POST["freshness_days"]),
                )
            saved = True
        except ValueError:
            errors, status = [_("freshness_days: a whole number of days")], 422
        except ValidationError as exc:
            errors, status = _errors(exc), 422
    return render(
        request,
        "publishing/console/settings.html",
        {
            "archive": archive,
            "words": screening.sensitive_word_list(archive=archive),
            "defaults": screening.sensitive_word_list(archive=None),
            "freshness_days": selectors.freshness_days(archive),
            "errors": errors,
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice_mark_read(actor=request.user, notice_id=pk)
    return redirect("console_publishing:index")
