"""Collecting in the console: the offers waiting for review, one offer with its files, the
review (accept, ask, decline), the deed of gift and the accession into the catalog. Views parse
input and call one service or selector; the services check permissions and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Access, Description, Level
from archivox.collecting import selectors, services
from archivox.collecting.deed import deed_of_gift_pdf
from archivox.collecting.forms import CampaignForm
from archivox.collecting.models import Offer, OfferFile
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_for_staff
from archivox.core.forms import errors_to_form
from archivox.core.selectors import Capability

DECISIONS = {
    "accept": services.offer_accept,
    "ask": services.offer_ask,
    "decline": services.offer_decline,
}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = core_selectors.archive_list_with_capability(
        user=request.user, capability=Capability.CATALOG_EDIT
    )
    if len(archives) == 1:
        return redirect("console_collecting:offers", slug=archives[0].slug)
    return render(request, "collecting/console/index.html", {"archives": archives})


@login_required
@require_GET
def offers(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    status = request.GET.get("status") or Offer.Status.SUBMITTED
    counts = selectors.offer_counts_by_status(archive=archive)
    return render(
        request,
        "collecting/console/offers.html",
        {
            "archive": archive,
            "status": status,
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in Offer.Status.choices
            ],
            "offers": selectors.offer_list_for_staff(
                user=request.user, archive=archive, status=status
            )[:200],
            "campaigns": selectors.campaign_list_for_staff(user=request.user, archive=archive),
        },
    )


def _offer(request: HttpRequest, slug: str, pk: int) -> Offer:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    try:
        return selectors.offer_get_for_staff(user=request.user, archive=archive, pk=pk)
    except Offer.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _parents(request: HttpRequest, offer: Offer) -> list[Description]:
    return list(
        catalog_selectors.description_list_for_staff(user=request.user, archive=offer.archive)
        .filter(level__in=[Level.FONDS, Level.SERIES])
        .only("pk", "reference_code", "title")[:300]
    )


@login_required
def offer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _offer(request, slug, pk)
    parents = _parents(request, found) if found.status == Offer.Status.ACCEPTED else []
    return render(
        request,
        "collecting/console/offer.html",
        {
            "archive": found.archive,
            "offer": found,
            "files": list(found.files.all()),
            "access_levels": Access.choices,
            "parents": parents,
            "default_parent": found.campaign.catalog_parent_id,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _offer(request, slug, pk)
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        messages.error(request, _("Please choose accept, ask or decline."))
        return redirect("console_collecting:offer", slug=slug, pk=pk)
    try:
        decision(actor=request.user, offer=found, message=request.POST.get("message", ""))
    except services.CollectingError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded; the person sees it on their page."))
    return redirect("console_collecting:offer", slug=slug, pk=pk)


@login_required
@require_POST
def accession(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _offer(request, slug, pk)
    parent = None
    parent_id = request.POST.get("parent", "")
    if parent_id.isdigit():
        try:
            parent = catalog_selectors.description_get_for_staff_by_id(
                user=request.user, archive=found.archive, pk=int(parent_id)
            )
        except Description.DoesNotExist as exc:
            raise Http404(parent_id) from exc
    try:
        record = services.offer_accession(
            actor=request.user,
            offer=found,
            access_level=request.POST.get("access_level", ""),
            parent=parent,
        )
    except services.CollectingError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console_collecting:offer", slug=slug, pk=pk)
    messages.success(request, _("The offer is in the catalog as draft descriptions."))
    return redirect("console:catalog_detail", slug=slug, pk=record.pk)


@login_required
@require_GET
def deed(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _offer(request, slug, pk)
    if found.status not in (Offer.Status.ACCEPTED, Offer.Status.ACCESSIONED):
        raise PermissionDenied("the deed is for accepted offers")
    response = HttpResponse(deed_of_gift_pdf(offer=found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="deed-ZJ-{found.pk:06d}.pdf"'
    return response


@login_required
@require_GET
def offer_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    try:
        found = selectors.offer_file_get_for_staff(user=request.user, archive=archive, pk=pk)
    except OfferFile.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    response = FileResponse(found.file.open("rb"), content_type=found.media_type)
    # An original from the public: shown, never run as a page of ours.
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    found = None
    if pk is not None:
        found = (
            selectors.campaign_list_for_staff(user=request.user, archive=archive)
            .filter(pk=pk)
            .first()
        )
        if found is None:
            raise Http404(str(pk))
    if request.method == "GET":
        initial = {"is_open": True}
        if found is not None:
            initial = {name: getattr(found, name) for name in CampaignForm.FIELDS}
        form = CampaignForm(initial=initial)
    else:
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                if found is None:
                    found = services.campaign_create(
                        actor=request.user, archive=archive, **form.values()
                    )
                else:
                    services.campaign_update(actor=request.user, campaign=found, **form.values())
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The campaign is saved."))
                return redirect("console_collecting:offers", slug=slug)
    return render(
        request,
        "collecting/console/campaign.html",
        {"archive": archive, "campaign": found, "form": form},
        status=400 if form.errors else 200,
    )
