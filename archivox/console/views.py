from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    archives = list(core_selectors.archive_list_for_staff(user=request.user))
    roles = core_selectors.user_role_labels_by_archive(user=request.user)
    rows = [(archive, roles.get(archive.pk, [])) for archive in archives]
    return render(request, "console/dashboard.html", {"rows": rows})


@login_required
def audit_log(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    archive = None
    if slug is not None:
        try:
            archive = core_selectors.archive_get(slug=slug)
        except Archive.DoesNotExist as exc:
            raise Http404(slug) from exc
    entries = core_selectors.audit_entry_list(user=request.user, archive=archive)
    return render(request, "console/audit.html", {"archive": archive, "entries": entries})
