"""Current documents in the console: the list, recording a document, publishing it with its
announcement to the desk, amending and repealing. Views parse input and call one service or
selector; the services check permissions and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.core.access import archive_for_staff, archives_for_staff
from archivox.core.forms import errors_to_form
from archivox.core.selectors import Capability
from archivox.current_documents import selectors, services
from archivox.current_documents.forms import ChangeForm, DocumentForm
from archivox.current_documents.models import CurrentDocument


@login_required
def index(request: HttpRequest) -> HttpResponse:
    archives = archives_for_staff(request.user, Capability.CATALOG_EDIT)
    if len(archives) == 1:
        return redirect("console_current_documents:list", slug=archives[0].slug)
    return render(request, "current_documents/console/index.html", {"archives": archives})


@login_required
@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    form = DocumentForm()
    status = 200
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["pdf"]
            try:
                document = services.document_create(
                    actor=request.user,
                    archive=archive,
                    issuer=data["issuer"],
                    doc_number=data["doc_number"],
                    issued_on=data["issued_on"],
                    title=data["title"],
                    subject=data["subject"],
                    full_text=data["full_text"],
                    pdf=upload.read() if upload else None,
                    pdf_name=upload.name if upload else "",
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The document is recorded as a draft."))
                return redirect("console_current_documents:detail", slug=slug, pk=document.pk)
        status = 400
    return render(
        request,
        "current_documents/console/list.html",
        {
            "archive": archive,
            "documents": selectors.document_list_for_staff(user=request.user, archive=archive),
            "form": form,
        },
        status=status,
    )


def _document(request: HttpRequest, slug: str, pk: int) -> CurrentDocument:
    archive = archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)
    try:
        return selectors.document_get_for_staff(user=request.user, archive=archive, pk=pk)
    except CurrentDocument.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(request, slug, pk)
    return render(
        request,
        "current_documents/console/detail.html",
        {"archive": document.archive, "document": document, "form": ChangeForm()},
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(request, slug, pk)
    try:
        services.document_publish(
            actor=request.user, document=document, announce=bool(request.POST.get("announce"))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document is public; its announcement awaits review."))
    return redirect("console_current_documents:detail", slug=slug, pk=pk)


@login_required
@require_POST
def change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _document(request, slug, pk)
    form = ChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "document": document,
            "by_number": data["by_number"],
            "effective_on": data["effective_on"],
            "note": data["note"],
        }
        try:
            if request.POST.get("kind") == "repeal":
                services.document_repeal(**common)
            else:
                services.document_amend(full_text=data["full_text"], **common)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The change is recorded in the document's history."))
            return redirect("console_current_documents:detail", slug=slug, pk=pk)
    return render(
        request,
        "current_documents/console/detail.html",
        {"archive": document.archive, "document": document, "form": form},
        status=400,
    )
