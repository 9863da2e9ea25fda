"""Public collecting pages (phone first; they work in WeChat's browser): the campaigns, one
campaign with its offer form, and the person's tracking page for their offer."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.collecting import selectors, services
from archivox.collecting.models import Campaign, Offer
from archivox.core.access import archive_or_404, client_address

FIELDS = (
    "title",
    "story",
    "date_expression",
    "place",
    "transfer",
    "name",
    "contact",
    "credit_name",
)


def index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    return render(
        request,
        "collecting/index.html",
        {"archive": archive, "campaigns": selectors.campaign_list_public(archive=archive)},
    )


def _errors(exc: services.CollectingError) -> tuple[dict[str, list[str]], list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict, []
    return {}, list(exc.messages)


@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, slug: str, campaign: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        found = selectors.campaign_get_public(archive=archive, slug=campaign)
    except Campaign.DoesNotExist as exc:
        raise Http404(campaign) from exc
    context = {
        "archive": archive,
        "campaign": found,
        "open": services.campaign_accepts_offers(found),
        "transfers": Offer.Transfer.choices,
        "values": {name: "" for name in FIELDS} | {"transfer": Offer.Transfer.DONATION},
        "field_errors": {},
        "errors": [],
    }
    if request.method == "GET":
        return render(request, "collecting/campaign.html", context)
    # What the person typed comes back whatever goes wrong (files must be chosen again: no
    # browser lets a page refill a file field).
    context["values"] = {name: request.POST.get(name, "") for name in FIELDS}
    context["values"]["consent"] = bool(request.POST.get("consent"))
    context["values"]["credit"] = bool(request.POST.get("credit"))
    if not services.offer_rate_allowed(archive=archive, client=client_address(request)):
        context["errors"] = [
            _("Too many offers from your network; please wait an hour and try again.")
        ]
        return render(request, "collecting/campaign.html", context, status=429)
    uploads = request.FILES.getlist("files")
    try:
        offer = services.offer_submit(
            campaign=found,
            title=context["values"]["title"],
            story=context["values"]["story"],
            date_expression=context["values"]["date_expression"],
            place=context["values"]["place"],
            transfer=context["values"]["transfer"],
            name=context["values"]["name"],
            contact=context["values"]["contact"],
            credit_name=context["values"]["credit_name"] if context["values"]["credit"] else "",
            consent=context["values"]["consent"],
            files=[(upload.name, upload.read()) for upload in uploads],
        )
    except services.CollectingError as exc:
        context["field_errors"], context["errors"] = _errors(exc)
        return render(request, "collecting/campaign.html", context, status=400)
    return redirect("collecting:offer", slug=archive.slug, token=offer.token)


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        found = services.offer_get_by_token(token=token)
    except Offer.DoesNotExist as exc:
        raise Http404("offer") from exc
    if found.archive_id != archive.pk:
        raise Http404("offer")
    context = {
        "archive": archive,
        "offer": found,
        "files": list(found.files.all()),
        "reply": "",
        "field_errors": {},
        "errors": [],
    }
    if request.method == "POST":
        context["reply"] = request.POST.get("reply", "")
        try:
            services.offer_reply(offer=found, reply=context["reply"])
        except services.CollectingError as exc:
            context["field_errors"], context["errors"] = _errors(exc)
            return render(request, "collecting/offer.html", context, status=400)
        return redirect("collecting:offer", slug=archive.slug, token=found.token)
    return render(request, "collecting/offer.html", context)
