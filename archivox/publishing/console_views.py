"""Staff pages of the publishing desk, mounted at /console/publishing/. Thin: a small form
(``forms.py``) parses the input, one service or selector acts, the page renders; refused changes
re-render with the problem, named by the field's label, and what was typed (422)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archivox.catalog.models import FeaturedCollection
from archivox.catalog.selectors import description_list_for_staff
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_or_404, client_address
from archivox.core.forms import ConsoleForm
from archivox.core.models import Archive
from archivox.core.selectors import Capability, user_can
from archivox.publishing import selectors
from archivox.publishing.console_cover_views import crop_rows, crops_json
from archivox.publishing.forms import (
    CommentForm,
    CorrectionForm,
    DeskSettingsForm,
    OverrideForm,
    PostForm,
    ReasonForm,
    ReviewForm,
    ScheduleForm,
    refusal_lines,
)
from archivox.publishing.models import CHANNEL_LABELS, CHANNELS, Delivery, Post
from archivox.publishing.services.composing import (
    post_create,
    post_delete,
    post_set_cover,
    post_update,
)
from archivox.publishing.services.deliveries import delivery_retry as delivery_retry_service
from archivox.publishing.services.desk import (
    desk_settings_update,
    notice_mark_read,
)
from archivox.publishing.services.publish import post_publish_now
from archivox.publishing.services.recall import recall_copy_withdraw as recall_copy_withdraw_service
from archivox.publishing.services.rendering import archive_channels, post_render
from archivox.publishing.services.review import post_approve, post_comment, post_request_changes
from archivox.publishing.services.scheduling import post_schedule, post_unschedule
from archivox.publishing.services.screening import post_screen, post_submit, screening_override
from archivox.publishing.services.withdrawal import post_correct, post_withdraw


def _errors(exc: ValidationError, form: ConsoleForm | None = None) -> list[str]:
    """A refusal as the page lists it: each problem named by its field's label, never by an
    input's name."""
    # A bound, empty form when the action has none: an unbound one cannot take errors.
    return refusal_lines(form if form is not None else ConsoleForm({}), exc)


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


def _picker_context(request: HttpRequest, archive: Archive, data: Any, chosen_ids: set[int]):
    try:
        page = int(data.get("page") or 1)
    except ValueError:
        page = 1
    return selectors.picker_page(
        user=request.user,
        archive=archive,
        query=str(data.get("q", "")),
        page=page,
        exclude=chosen_ids,
    )


def _chosen_from_form(request: HttpRequest, archive: Archive) -> list[dict[str, Any]]:
    """The items ticked on a form sent back (refused, or a search inside the form), as the
    rows of the chosen table: nothing the editor picked is lost."""
    ids = [int(pk) for pk in request.POST.getlist("item") if pk.isdigit()]
    found = description_list_for_staff(user=request.user, archive=archive).in_bulk(ids)
    return [
        {
            "description": found[pk],
            "use_image": f"use_image_{pk}" in request.POST,
            "quote": f"quote_{pk}" in request.POST,
        }
        for pk in ids
        if pk in found
    ]


@login_required
def compose(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """New post (``pk`` None) or edit of a draft, with the catalog item picker. A search or
    a page of the picker sent with the form redraws it with everything typed (no save)."""
    archive = _archive(request, slug)
    post = _post(request, pk) if pk else None
    if post is not None and post.archive_id != archive.pk:
        raise Http404("no such post")
    errors: list[str] = []
    status = 200
    picking = request.method == "POST" and ("picker" in request.POST or "page" in request.POST)
    if request.method == "POST" and not picking:
        form = PostForm(
            request.POST,
            collections=FeaturedCollection.objects.filter(archive=archive),
            descriptions=description_list_for_staff(user=request.user, archive=archive),
        )
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            values, items = form.values(), form.items()
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
            errors, status = _errors(exc, form), 422
    if request.method == "POST":
        chosen = _chosen_from_form(request, archive)
    else:
        chosen = [
            {"description": i.description, "use_image": i.use_image, "quote": i.quote}
            for i in (post.post_items.select_related("description") if post else [])
        ]
    chosen_ids = {row["description"].pk for row in chosen}
    data = request.POST if request.method == "POST" else request.GET
    picker = _picker_context(request, archive, data, chosen_ids)
    context = {
        "archive": archive,
        "post": post,
        "errors": errors,
        "form": request.POST if request.method == "POST" else None,
        "chosen": chosen,
        "picker": picker,
        "channels": [(name, CHANNEL_LABELS[name]) for name in CHANNELS],
        "available": archive_channels(archive),
        "collections": FeaturedCollection.objects.filter(archive=archive),
        "kinds": Post.Kind.choices,
        "origins": Post.Origin.choices,
        "wechat_modes": Post.WeChatMode.choices,
        "limits": {"wechat": 20000, "weibo": 140},
        # The cropper, once the post has a cover (a new post gets one when first saved).
        "crops": crop_rows(post) if post is not None and post.cover_public else [],
        "crops_json": crops_json(post) if post is not None and post.cover_public else "[]",
        "tools_json": json.dumps(
            {
                "header": _("Heading"),
                "bold": _("Bold"),
                "italic": _("Italic"),
                "underline": _("Underline"),
                "blockquote": _("Quotation"),
                "list-ordered": _("Numbered list"),
                "list-bullet": _("Bulleted list"),
                "link": _("Link"),
                "clean": _("Clear formatting"),
            },
            ensure_ascii=False,
        ),
    }
    return render(request, "publishing/console/compose.html", context, status=status)


@login_required
def item_picker(request: HttpRequest, slug: str) -> HttpResponse:
    """One page of the composer's item picker, as rows the page swaps in (fetch)."""
    archive = _archive(request, slug)
    exclude = {int(pk) for pk in request.GET.getlist("chosen") if pk.isdigit()}
    picker = _picker_context(request, archive, request.GET, exclude)
    return render(
        request, "publishing/console/_picker.html", {"archive": archive, "picker": picker}
    )


def _post_page(request: HttpRequest, post: Post, errors=(), status=200, **extra) -> HttpResponse:
    try:
        screening = post_screen(post=post)
    except Exception as exc:  # the page must still show the post
        screening = None
        errors = [*errors, _("Screening is unavailable: %s") % exc]
    renderings = post_render(post=post)
    context = {
        "post": post,
        "archive": post.archive,
        "errors": errors,
        "screening": screening,
        "renderings": renderings,
        "previews": [
            (name, CHANNEL_LABELS.get(name, name), rendering)
            for name, rendering in renderings.items()
        ],
        "comments": post.comments.select_related("author"),
        "review": selectors.review_state(user=request.user, post=post),
        "review_history": selectors.review_history(post=post),
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


def _form(form_class: type[ConsoleForm], request: HttpRequest) -> ConsoleForm:
    """The action's form, valid, or its problems raised as the services raise theirs."""
    form = form_class(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


def _approve(request: HttpRequest, post: Post) -> Any:
    comment = _form(ReviewForm, request).cleaned_data["comment"]
    return post_approve(actor=request.user, post=post, comment=comment)


def _request_changes(request: HttpRequest, post: Post) -> Any:
    comment = _form(ReviewForm, request).cleaned_data["comment"]
    return post_request_changes(actor=request.user, post=post, comment=comment)


def _comment(request: HttpRequest, post: Post) -> Any:
    body = _form(CommentForm, request).cleaned_data["body"]
    return post_comment(actor=request.user, post=post, body=body)


def _override(request: HttpRequest, post: Post) -> Any:
    data = _form(OverrideForm, request).cleaned_data
    return screening_override(
        actor=request.user, post=post, finding_key=data["finding"], reason=data["reason"]
    )


def _schedule(request: HttpRequest, post: Post) -> Any:
    when = _form(ScheduleForm, request).cleaned_data["when"]
    return post_schedule(actor=request.user, post=post, when=when)


def _withdraw(request: HttpRequest, post: Post) -> Any:
    reason = _form(ReasonForm, request).cleaned_data["reason"]
    return post_withdraw(actor=request.user, post=post, reason=reason)


def _correct(request: HttpRequest, post: Post) -> Any:
    form = _form(CorrectionForm, request)
    return post_correct(
        actor=request.user, post=post, reason=form.cleaned_data["reason"], **form.changes()
    )


ACTIONS = {
    "submit": lambda r, p: post_submit(actor=r.user, post=p),
    "approve": _approve,
    "request_changes": _request_changes,
    "comment": _comment,
    "override": _override,
    "schedule": _schedule,
    "unschedule": lambda r, p: post_unschedule(actor=r.user, post=p),
    "publish": lambda r, p: post_publish_now(actor=r.user, post=p, rip=client_address(r)),
    "withdraw": _withdraw,
    "correct": _correct,
    "delete": lambda r, p: post_delete(actor=r.user, post=p),
}

#: The form of each action whose refusals name its fields.
ACTION_FORMS: dict[str, type[ConsoleForm]] = {
    "approve": ReviewForm,
    "request_changes": ReviewForm,
    "comment": CommentForm,
    "override": OverrideForm,
    "schedule": ScheduleForm,
    "withdraw": ReasonForm,
    "correct": CorrectionForm,
}


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
        form = ACTION_FORMS.get(action, ConsoleForm)(request.POST)
        return _post_page(request, post, errors=_errors(exc, form), status=422)
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


def _recalls_page(
    request: HttpRequest, archive: Archive, errors=(), status: int = 200
) -> HttpResponse:
    open_recalls, closed_recalls = selectors.recall_list_for_staff(
        user=request.user, archive=archive
    )
    return render(
        request,
        "publishing/console/recalls.html",
        {
            "archive": archive,
            "open_recalls": open_recalls,
            "closed_recalls": closed_recalls,
            "can_compose": user_can(
                user=request.user, archive=archive, capability=Capability.POST_COMPOSE
            ),
            "errors": errors,
        },
        status=status,
    )


@login_required
def recalls_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Published copies that quote an item since reclassified, each with its withdrawal."""
    return _recalls_page(request, _archive(request, slug))


@login_required
@require_POST
def recall_copy_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one recalled copy (a delivery) on its channel, or try again."""
    delivery = get_object_or_404(Delivery.objects.select_related("post__archive"), pk=pk)
    archive = _archive(request, delivery.post.archive.slug)
    try:
        recall_copy_withdraw_service(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        return _recalls_page(request, archive, errors=_errors(exc), status=422)
    url = reverse("console_publishing:recalls", args=[archive.slug])
    return redirect(f"{url}#recall-{delivery.post_id}")


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
    typed: dict[str, str] = {}
    saved = False
    # The word list is the administrator's (screening.manage); a reviewer sets the rest.
    may_manage_words = user_can(
        user=request.user, archive=archive, capability=Capability.SCREENING_MANAGE
    )
    status = 200
    if request.method == "POST":
        form = DeskSettingsForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            words = form.word_list() if may_manage_words else None
            if words is not None:
                screening.sensitive_words_set(actor=request.user, archive=archive, words=words)
            data = form.cleaned_data
            if data["freshness_days"] is not None or data["review_levels"] is not None:
                desk_settings_update(
                    actor=request.user,
                    archive=archive,
                    freshness_days=data["freshness_days"],
                    review_levels=data["review_levels"],
                )
            saved = True
        except ValidationError as exc:
            errors, status = _errors(exc, form), 422
            typed = form.typed("words", "freshness_days", "review_levels")
    return render(
        request,
        "publishing/console/settings.html",
        {
            "archive": archive,
            "words": screening.sensitive_word_list(archive=archive),
            "defaults": screening.sensitive_word_list(archive=None),
            "freshness_days": selectors.freshness_days(archive),
            "review_levels": selectors.review_levels(archive),
            "may_manage_words": may_manage_words,
            "level_choices": [
                (1, _("One level: review")),
                (2, _("Two levels: first review, final review")),
                (3, _("Three levels: first, second and final review (三审)")),
            ],
            "errors": errors,
            "typed": typed,
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice_mark_read(actor=request.user, notice_id=pk)
    return redirect("console_publishing:index")
