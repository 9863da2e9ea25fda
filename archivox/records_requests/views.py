"""Public pages of records-use requests (mobile first; they work in WeChat's browser, whose
menu and auto-replies link to ``/archives/<slug>/records/``): what the archive serves, the
application form, the private status page behind the tracking code, the copy's download and
the public verification page of a certified copy."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive
from archivox.core.ratelimit import ratelimit_hit
from archivox.records_requests import selectors
from archivox.records_requests.codes import code_display, code_normalise
from archivox.records_requests.models import Category, Delivery, Proof, RecordsRequest
from archivox.records_requests.services.applying import (
    UNKNOWN_ARCHIVE,
    UPLOAD_MAX_BYTES,
    Application,
    request_apply,
    request_supplement,
)
from archivox.records_requests.services.common import RequestRefused
from archivox.records_requests.services.followers import TOKEN_MAX, follower_openid_from_token

LOOKUPS_PER_WINDOW = 30  # status pages, downloads and verifications per address …
LOOKUP_WINDOW = 600  # … per ten minutes: guessing codes gets nowhere
FIELDS = [f.name for f in Application.__dataclass_fields__.values()]


def _lookup_allowed(request: HttpRequest) -> bool:
    return ratelimit_hit(
        f"records:lookup:{client_address(request)}",
        limit=LOOKUPS_PER_WINDOW,
        window=LOOKUP_WINDOW,
    )


def _too_many(request: HttpRequest, archive: Archive | None) -> HttpResponse:
    return render(
        request,
        "records_requests/unknown.html",
        {
            "archive": archive,
            "error": _("Too many requests from your network; please wait a few minutes."),
        },
        status=429,
    )


def _unknown(request: HttpRequest, archive: Archive | None) -> HttpResponse:
    """The one answer for a code that is wrong, unknown or another archive's."""
    return render(request, "records_requests/unknown.html", {"archive": archive}, status=404)


def index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    return render(
        request,
        "records_requests/index.html",
        {"archive": archive, "kinds": selectors.kind_list_public(archive=archive)},
    )


def _form_context(archive: Archive, values: dict, errors: dict) -> dict:
    return {
        "archive": archive,
        "values": values,
        "field_errors": errors,
        "archives": selectors.archives_serving(),
        "unknown": UNKNOWN_ARCHIVE,
        "categories": Category.choices,
        "proofs": Proof.choices,
        "deliveries": Delivery.choices,
        "kinds": selectors.kind_list_public(archive=archive),
    }


def _wx(request: HttpRequest, archive: Archive) -> str:
    """The follower's signed token on the page, kept only when it is valid for ``archive``."""
    token = (request.POST.get("wx") or request.GET.get("wx") or "")[:TOKEN_MAX]
    return token if follower_openid_from_token(archive=archive, token=token) else ""


def _uploads(request: HttpRequest) -> dict[str, bytes]:
    """The ID and authorisation files posted, each read no further than one byte past the
    limit: an oversize file is refused by the check without being held whole in memory."""
    return {
        kind: request.FILES[f"upload_{kind}"].read(UPLOAD_MAX_BYTES + 1)
        for kind in ("id", "authorisation")
        if f"upload_{kind}" in request.FILES
    }


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    if request.method == "GET":
        values = {name: request.GET.get(name, "")[:100] for name in ("category", "holding")}
        values["holding"] = values["holding"] or (
            archive.slug if selectors.kind_list_public(archive=archive).exists() else ""
        )
        context = _form_context(archive, values, {})
        context["wx"] = _wx(request, archive)
        return render(request, "records_requests/apply.html", context)
    # What the person typed comes back in the form whatever goes wrong: nothing is lost
    # (files must be chosen again: browsers never refill a file input).
    values = {name: request.POST.get(name, "")[:2000] for name in FIELDS}
    uploads = _uploads(request)
    in_wechat = "MicroMessenger" in request.headers.get("User-Agent", "")
    channel = RecordsRequest.Channel.WECHAT if in_wechat else RecordsRequest.Channel.WEB
    # The follower, when the page was opened in WeChat and learned them (service hall).
    wx = _wx(request, archive) if in_wechat else ""
    try:
        made = request_apply(
            archive=archive,
            data=Application(**values),
            uploads=uploads,
            channel=channel,
            client=client_address(request),
            openid=follower_openid_from_token(archive=archive, token=wx) if wx else "",
        )
    except ValidationError as exc:
        errors = {key: " ".join(value) for key, value in exc.message_dict.items()}
        context = _form_context(archive, values, errors)
        context["error"] = _("Please correct the marked fields.")
        context["wx"] = wx
        return render(request, "records_requests/apply.html", context, status=400)
    except RequestRefused as refused:
        context = _form_context(archive, values, {})
        context["error"] = refused.message
        context["wx"] = wx
        return render(request, "records_requests/apply.html", context, status=429)
    return redirect(_status_path(made) + "?new=1")


def _status_path(made: RecordsRequest) -> str:
    from django.urls import reverse

    return reverse("records:status", kwargs={"slug": made.archive.slug, "code": made.code})


@require_POST
def track(request: HttpRequest, slug: str) -> HttpResponse:
    """The tracking form: to the status page, or the one "unknown code" answer."""
    archive = archive_or_404(slug)
    code = code_normalise(request.POST.get("code", ""))
    return redirect("records:status", slug=archive.slug, code=code or "-")


def _own(request: HttpRequest, archive: Archive, code: str) -> RecordsRequest | None:
    found = selectors.request_get_by_code(code)
    if found is None or found.archive_id != archive.pk:
        return None
    return found


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    archive = archive_or_404(slug)
    if not _lookup_allowed(request):
        return _too_many(request, archive)
    found = _own(request, archive, code)
    if found is None:
        return _unknown(request, archive)
    field_errors: dict = {}
    if request.method == "POST":
        # The material the archive asked for (post/redirect/get on success).
        uploads = _uploads(request)
        try:
            request_supplement(
                request_id=found.pk,
                uploads=uploads,
                note=request.POST.get("note", ""),
                client=client_address(request),
            )
        except ValidationError as exc:
            field_errors = {key: " ".join(value) for key, value in exc.message_dict.items()}
        except RequestRefused as refused:
            field_errors = {"upload_id": refused.message}
        else:
            return redirect("records:status", slug=archive.slug, code=found.code)
    status_slug, status_label = selectors.request_status_for_person(found)
    return render(
        request,
        "records_requests/status.html",
        {
            "field_errors": field_errors,
            "archive": archive,
            "req": found,
            "code": code_display(found.code),
            "status_slug": status_slug,
            "status_label": status_label,
            "events": selectors.request_public_events(found),
            "copies": selectors.copies_for_person(found),
            "new": request.GET.get("new") == "1",
        },
        status=400 if field_errors else 200,
    )


def copy_download(request: HttpRequest, slug: str, code: str, pk: int) -> HttpResponse:
    archive = archive_or_404(slug)
    if not _lookup_allowed(request):
        return _too_many(request, archive)
    found = _own(request, archive, code)
    if found is None:
        return _unknown(request, archive)
    copy = next((c for c in selectors.copies_for_person(found) if c.pk == pk), None)
    if copy is None:
        raise Http404(str(pk))
    response = FileResponse(
        copy.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{copy.verification_code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """``/verify/<code>``: an issued copy's archive, date, reference code, page count and
    SHA-256, never the record itself; a revoked copy shows as revoked."""
    if not _lookup_allowed(request):
        return _too_many(request, None)
    copy = selectors.copy_get_by_verification(code)
    return render(
        request,
        "records_requests/verify.html",
        {"copy": copy, "code": code_display(code_normalise(code))},
        status=200 if copy else 404,
    )
