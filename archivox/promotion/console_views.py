"""Posters in the console: the list with how many came through each, making a poster, and its
PDF in every size and orientation. Views parse input and call one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from archivox.core.access import archive_for_staff, archives_for_staff
from archivox.core.forms import errors_to_form
from archivox.core.selectors import Capability
from archivox.promotion import selectors, services
from archivox.promotion.demand import demand_report
from archivox.promotion.forms import PosterForm, PosterStyleForm
from archivox.promotion.models import Poster
from archivox.promotion.poster_pdf import poster_pdf, poster_picture, short_link


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = archives_for_staff(request.user, Capability.POST_COMPOSE)
    if len(archives) == 1:
        return redirect("console_promotion:posters", slug=archives[0].slug)
    return render(request, "promotion/console/index.html", {"archives": archives})


def _posters_page(
    request: HttpRequest, archive, form: PosterForm, style_form: PosterStyleForm, status: int
) -> HttpResponse:
    return render(
        request,
        "promotion/console/posters.html",
        {
            "archive": archive,
            "posters": selectors.poster_list_for_staff(user=request.user, archive=archive),
            "form": form,
            "style": selectors.poster_style_for(archive=archive),
            "style_form": style_form,
        },
        status=status,
    )


def _style_form(archive, data=None, files=None) -> PosterStyleForm:
    style = selectors.poster_style_for(archive=archive)
    return PosterStyleForm(
        data,
        files,
        prefix="style",  # its fields share names with the poster form's on the same page
        initial={"colour": style.colour, "background": style.background},
    )


def _poster_choices(archive) -> dict:
    style = selectors.poster_style_for(archive=archive)
    return {
        "targets": selectors.poster_targets(archive=archive),
        "images": selectors.poster_images(archive=archive),
        "initial": {"colour": style.colour, "background": style.background},
    }


@login_required
@require_http_methods(["GET", "POST"])
def posters(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    choices = _poster_choices(archive)
    form = PosterForm(**choices)
    status = 200
    if request.method == "POST":
        form = PosterForm(request.POST, request.FILES, **choices)
        if form.is_valid():
            logo = form.cleaned_data.get("logo")
            try:
                poster = services.poster_create(
                    actor=request.user,
                    archive=archive,
                    logo=logo.read() if logo else None,
                    **form.values(),
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The poster is ready; download it in any size."))
                return redirect("console_promotion:poster", slug=slug, pk=poster.pk)
        status = 400
    return _posters_page(request, archive, form, _style_form(archive), status)


@login_required
@require_http_methods(["POST"])
def poster_style(request: HttpRequest, slug: str) -> HttpResponse:
    """The archive's poster template: colours and logo new posters start from."""
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    style_form = _style_form(archive, request.POST, request.FILES)
    if style_form.is_valid():
        logo = style_form.cleaned_data.get("logo")
        try:
            services.poster_style_save(
                actor=request.user,
                archive=archive,
                colour=style_form.cleaned_data["colour"],
                background=style_form.cleaned_data["background"],
                logo=logo.read() if logo else None,
                remove_logo=style_form.cleaned_data["remove_logo"],
            )
        except ValidationError as exc:
            errors_to_form(style_form, exc)
        else:
            messages.success(request, _("The poster template is saved; new posters use it."))
            return redirect("console_promotion:posters", slug=slug)
    return _posters_page(request, archive, PosterForm(**_poster_choices(archive)), style_form, 400)


def _poster(request: HttpRequest, slug: str, pk: int) -> Poster:
    archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
    try:
        return selectors.poster_get_for_staff(user=request.user, archive=archive, pk=pk)
    except Poster.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
@require_GET
def poster(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _poster(request, slug, pk)
    return render(
        request,
        "promotion/console/poster.html",
        {
            "archive": found.archive,
            "poster": found,
            "link": short_link(found),
            "picture_withdrawn": bool(found.image_id) and poster_picture(found) is None,
            "weeks": selectors.poster_visits_by_week(poster=found),
            "sizes": Poster.Size.choices,
            "orientations": Poster.Orientation.choices,
        },
    )


@login_required
@require_GET
def poster_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _poster(request, slug, pk)
    size = request.GET.get("size", found.size)
    orientation = request.GET.get("orientation", found.orientation)
    if size not in Poster.Size.values or orientation not in Poster.Orientation.values:
        raise Http404("size")
    response = HttpResponse(
        poster_pdf(poster=found, size=size, orientation=orientation),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="poster-{found.code}-{size}-{orientation}.pdf"'
    )
    return response


@login_required
@require_GET
def demand(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """What the public asks for most: one archive's, or (for an installation administrator)
    the whole installation's."""
    if slug is None:
        if not request.user.is_superuser:
            archives = archives_for_staff(request.user, Capability.POST_COMPOSE)
            if not archives:
                raise Http404("no archive")
            return redirect("console_promotion:demand", slug=archives[0].slug)
        archive, archives = None, None
    else:
        archive = archive_for_staff(request.user, slug, Capability.POST_COMPOSE)
        archives = [archive]
    days = request.GET.get("days", "56")
    days = int(days) if days.isdigit() and 7 <= int(days) <= 366 else 56
    return render(
        request,
        "promotion/console/demand.html",
        {"archive": archive, "report": demand_report(archives=archives, days=days), "days": days},
    )
