"""The console's dashboard and audit log viewer."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archivox.console.forms import AuditFilterForm
from archivox.console.needs import needs_me, needs_me_grouped
from archivox.core import selectors as core_selectors
from archivox.core.audit_labels import FILE_NAMED
from archivox.core.models import Archive
from archivox.core.selectors import Capability
from archivox.survey import reports as survey_reports
from archivox.survey import selectors as survey_selectors

AUDIT_PER_PAGE = 50


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _area_links(archive: Archive, caps: frozenset[str]) -> list[Link]:
    """The console areas this user may use in ``archive``, in the order of a working day."""
    query = f"?archive={archive.slug}"
    links = []
    if Capability.POST_COMPOSE in caps or Capability.POST_REVIEW in caps:
        links.append(Link(_("Publishing"), reverse("console_publishing:index") + query))
    if Capability.CONSULTATION_ANSWER in caps:
        links.append(Link(_("Inbox"), reverse("console_inbox:index") + query))
    if Capability.CATALOG_VIEW_CLOSED in caps:
        links.append(Link(_("Catalog"), reverse("console:catalog_tree", args=[archive.slug])))
        links.append(
            Link(_("Featured collections"), reverse("console:collections", args=[archive.slug]))
        )
    if Capability.CATALOG_EDIT in caps:
        links.append(Link(_("Import"), reverse("console:catalog_import", args=[archive.slug])))
        links.append(
            Link(
                _("Collecting from the public"),
                reverse("console_collecting:offers", args=[archive.slug]),
            )
        )
    if caps:
        for label, name in (
            (_("Reservations"), "console_reservations:index"),
            (_("Exhibitions and events"), "console_exhibitions:index"),
            (_("Polls"), "console_polls:index"),
            (_("Topics"), "console_topics:index"),
        ):
            links.append(Link(label, reverse(name) + query))
        links.append(Link(_("Survey and diagnosis"), reverse("console:survey:index")))
    if Capability.ARCHIVE_MANAGE in caps:
        links.append(
            Link(_("Archive profile"), reverse("console:archive_profile", args=[archive.slug]))
        )
        links.append(Link(_("Platform accounts"), reverse("console:accounts", args=[archive.slug])))
    if Capability.STAFF_MANAGE in caps:
        links.append(Link(_("Staff and roles"), reverse("console:members", args=[archive.slug])))
    if Capability.AUDIT_VIEW in caps:
        links.append(Link(_("Audit log"), reverse("console:archive_audit", args=[archive.slug])))
    return links


OWN_DIAGNOSES = 5  # at most this many archives' diagnoses computed on one dashboard


def _own_diagnoses(user, archives: list[Archive], capabilities) -> dict[int, dict]:
    """An archive's own staff see their archive's diagnosis in its latest survey period and its
    three most useful actions, linking to the report filtered to it. Supervisors read the full
    reports instead (nothing is computed for them here)."""
    if survey_selectors.survey_reader_is_supervisor(user):
        return {}
    own = [
        archive for archive in archives if Capability.SURVEY_VIEW_OWN in capabilities[archive.pk]
    ][:OWN_DIAGNOSES]
    latest = survey_selectors.survey_latest_for_archives(archive_ids=[a.pk for a in own])
    found = {}
    for archive in own:
        survey = latest.get(archive.pk)
        if survey is None:
            continue
        summary = survey_reports.archive_summary_for_staff(
            user=user, survey=survey, archive=archive.slug
        )
        found[archive.pk] = {
            "summary": summary,
            "url": reverse("console:survey:report", args=[survey.slug])
            + "?"
            + urlencode({"archive": archive.slug}),
        }
    return found


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    archives = list(core_selectors.archive_list_for_staff(user=request.user))
    roles = core_selectors.user_role_labels_by_archive(user=request.user)
    capabilities = core_selectors.user_capabilities_by_archive(user=request.user, archives=archives)
    diagnoses = _own_diagnoses(request.user, archives, capabilities)
    cards = [
        {
            "archive": archive,
            "roles": roles.get(archive.pk, []),
            "links": _area_links(archive, capabilities[archive.pk]),
            "diagnosis": diagnoses.get(archive.pk),
        }
        for archive in archives
    ]
    needs = needs_me(request.user, archives, capabilities)
    return render(
        request,
        "console/dashboard.html",
        {
            "cards": cards,
            "needs_me": needs,
            "needs_me_groups": needs_me_grouped(needs),
        },
    )


@login_required
@require_GET
def audit_log(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    archive = None
    if slug is None:
        slug = request.GET.get("archive") or None
    if slug is not None:
        try:
            archive = core_selectors.archive_get(slug=slug)
        except Archive.DoesNotExist as exc:
            raise Http404(slug) from exc
    auditable = core_selectors.archive_list_with_capability(
        user=request.user, capability=Capability.AUDIT_VIEW
    )
    data = request.GET.copy()
    if archive is not None:
        data["archive"] = archive.slug
    form = AuditFilterForm(data, archives=auditable)
    filters = {}
    if form.is_valid():
        filters = {
            name: form.cleaned_data[name]
            for name in ("actor", "action", "object_type", "date_from", "date_to")
        }
    elif archive is not None and "archive" in form.errors:
        # An archive the user does not audit: the selector refuses with 403.
        form.errors.pop("archive")
    entries = core_selectors.audit_entry_list(
        user=request.user, archive=archive, limit=None, **filters
    )
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/audit.html",
        {
            "archive": archive,
            "entries": page,
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "file_named": FILE_NAMED,
        },
    )
