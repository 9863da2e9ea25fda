"""The catalog in the console: browse an archive's tree, edit descriptions, upload digital
objects, import CSV/EAD and manage featured collections. Views parse input, call one catalog
service or selector, and render; the services check permissions and audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archivox.catalog import selectors, services
from archivox.catalog.imports import ImportFormatError, catalog_import
from archivox.catalog.models import Description, DigitalObject, FeaturedCollection, Level
from archivox.console.forms import (
    CollectionEntriesForm,
    CollectionForm,
    DescriptionForm,
    ImportForm,
    MoveForm,
    UploadForm,
)
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_for_staff
from archivox.core.forms import errors_to_form
from archivox.core.models import Archive
from archivox.core.selectors import Capability

CHILDREN_PER_PAGE = 100


def _view(request: HttpRequest, slug: str) -> Archive:
    return archive_for_staff(request.user, slug, Capability.CATALOG_VIEW_CLOSED)


def _edit(request: HttpRequest, slug: str) -> Archive:
    return archive_for_staff(request.user, slug, Capability.CATALOG_EDIT)


def _description(request: HttpRequest, archive: Archive, pk: int) -> Description:
    try:
        return selectors.description_get_for_staff_by_id(user=request.user, archive=archive, pk=pk)
    except Description.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _can_edit(request: HttpRequest, archive: Archive) -> bool:
    return core_selectors.user_can(
        user=request.user, archive=archive, capability=Capability.CATALOG_EDIT
    )


def _levels_below(parent: Description | None) -> list[str]:
    return [
        level
        for level in Level.values
        if services.level_allowed_below(parent and parent.level, level)
    ]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    archives = core_selectors.archive_list_with_capability(
        user=request.user, capability=Capability.CATALOG_VIEW_CLOSED
    )
    if len(archives) == 1:
        return redirect("console:catalog_tree", slug=archives[0].slug)
    return render(request, "console/catalog/index.html", {"archives": archives})


def _children_page(request: HttpRequest, archive: Archive, parent: Description | None):
    children = selectors.description_children_for_staff(
        user=request.user, archive=archive, parent=parent
    )
    return Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def tree(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _view(request, slug)
    return render(
        request,
        "console/catalog/tree.html",
        {
            "archive": archive,
            "page": _children_page(request, archive, None),
            "can_edit": _can_edit(request, archive),
            "closing": (
                selectors.description_closures_ending(user=request.user, archive=archive)[:200]
                if request.GET.get("closing")
                else None
            ),
        },
    )


@login_required
@require_GET
def children(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One level of the tree as an HTML fragment, for expanding a node in place."""
    archive = _view(request, slug)
    parent = _description(request, archive, pk)
    return render(
        request,
        "console/catalog/_children.html",
        {"archive": archive, "parent": parent, "page": _children_page(request, archive, parent)},
    )


def _detail_context(
    request: HttpRequest,
    archive: Archive,
    description: Description,
    upload_form=None,
    move_form=None,
) -> dict:
    return {
        "archive": archive,
        "description": description,
        "breadcrumbs": selectors.description_breadcrumbs(description=description),
        "page": _children_page(request, archive, description),
        "objects": selectors.digital_object_list_for_staff(
            user=request.user, description=description
        ),
        "can_edit": _can_edit(request, archive),
        "upload_form": upload_form or UploadForm(),
        "move_form": move_form
        or MoveForm(
            initial={
                "parent": description.parent.reference_code if description.parent else "",
                "position": description.position,
            }
        ),
        "is_public": description.is_public_on(),
        "objects_public": description.objects_public_on(),
    }


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _view(request, slug)
    description = _description(request, archive, pk)
    return render(
        request, "console/catalog/detail.html", _detail_context(request, archive, description)
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _edit(request, slug)
    parent = None
    parent_pk = request.POST.get("parent") or request.GET.get("parent")
    if parent_pk:
        try:
            parent = _description(request, archive, int(parent_pk))
        except ValueError as exc:
            raise Http404(parent_pk) from exc
    levels = _levels_below(parent)
    if not levels:
        messages.error(request, _("An item is the lowest level: nothing can stand below it."))
        return redirect("console:catalog_detail", slug=slug, pk=parent.pk)
    if request.method == "POST":
        form = DescriptionForm(request.POST, allowed_levels=levels)
        if form.is_valid():
            try:
                description = services.description_create(
                    actor=request.user, archive=archive, parent=parent, **form.values()
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Description %(code)s created.") % {"code": description.reference_code},
                )
                return redirect("console:catalog_detail", slug=slug, pk=description.pk)
    else:
        initial = {"level": levels[0], "access_level": parent.access_level if parent else "open"}
        form = DescriptionForm(initial=initial, allowed_levels=levels)
    return render(
        request,
        "console/catalog/edit.html",
        {
            "archive": archive,
            "form": form,
            "parent": parent,
            "description": None,
            "breadcrumbs": (
                [*selectors.description_breadcrumbs(description=parent), parent] if parent else []
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _edit(request, slug)
    description = _description(request, archive, pk)
    levels = _levels_below(description.parent)
    if request.method == "POST":
        form = DescriptionForm(request.POST, allowed_levels=levels)
        if form.is_valid():
            try:
                services.description_update(
                    actor=request.user, description=description, **form.values()
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("console:catalog_detail", slug=slug, pk=description.pk)
    else:
        form = DescriptionForm(
            initial=DescriptionForm.initial_from(description), allowed_levels=levels
        )
    return render(
        request,
        "console/catalog/edit.html",
        {
            "archive": archive,
            "form": form,
            "parent": description.parent,
            "description": description,
            "breadcrumbs": selectors.description_breadcrumbs(description=description),
        },
    )


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _edit(request, slug)
    description = _description(request, archive, pk)
    try:
        services.description_delete(actor=request.user, description=description)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console:catalog_detail", slug=slug, pk=pk)
    messages.success(
        request, _("Description %(code)s deleted.") % {"code": description.reference_code}
    )
    if description.parent_id:
        return redirect("console:catalog_detail", slug=slug, pk=description.parent_id)
    return redirect("console:catalog_tree", slug=slug)


@login_required
@require_POST
def upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _edit(request, slug)
    description = _description(request, archive, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        # One byte past the limit is enough for the service to refuse with the sizes.
        content = uploaded.read(settings.MAX_UPLOAD_BYTES + 1)
        try:
            services.digital_object_add(
                actor=request.user,
                description=description,
                content=content,
                original_name=uploaded.name or "",
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("File added."))
            return redirect(reverse("console:catalog_detail", args=[slug, pk]) + "#objects")
    context = _detail_context(request, archive, description, upload_form=form)
    return render(request, "console/catalog/detail.html", context)


@login_required
@require_POST
def move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _edit(request, slug)
    description = _description(request, archive, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["parent"].strip()
        new_parent = None
        if code:
            try:
                new_parent = selectors.description_get_for_staff(
                    user=request.user, archive=archive, reference_code=code
                )
            except Description.DoesNotExist:
                form.add_error(
                    "parent", _("There is no description %(code)s here.") % {"code": code}
                )
        if form.is_valid():
            try:
                services.description_move(
                    actor=request.user,
                    description=description,
                    new_parent=new_parent,
                    position=form.cleaned_data["position"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Moved."))
                return redirect("console:catalog_detail", slug=slug, pk=pk)
    context = _detail_context(request, archive, description, move_form=form)
    return render(request, "console/catalog/detail.html", context)


@login_required
@require_POST
def object_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _edit(request, slug)
    digital_object = _object(request, pk)
    if digital_object.description.archive_id != archive.pk:
        raise Http404(str(pk))
    services.digital_object_delete(actor=request.user, digital_object=digital_object)
    messages.success(request, _("File removed."))
    return redirect(
        reverse("console:catalog_detail", args=[slug, digital_object.description_id]) + "#objects"
    )


def _object(request: HttpRequest, pk: int) -> DigitalObject:
    try:
        return selectors.digital_object_get_for_staff(user=request.user, pk=pk)
    except DigitalObject.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
@require_GET
def object_file(request: HttpRequest, pk: int, thumbnail: bool = False) -> FileResponse:
    """A digital object for staff, whatever its access (the portal serves only public ones)."""
    digital_object = _object(request, pk)
    field = digital_object.thumbnail if thumbnail else digital_object.file
    if not field:
        raise Http404(str(pk))
    response = FileResponse(
        field.open("rb"), content_type="image/jpeg" if thumbnail else digital_object.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _edit(request, slug)
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = catalog_import(
                    actor=request.user,
                    archive=archive,
                    file_path_or_fileobj=form.cleaned_data["file"],
                    format=form.cleaned_data["format"] or None,
                    update=form.cleaned_data["update"],
                )
            except ImportFormatError as exc:
                form.add_error("format", str(exc))
            else:
                if report.ok:
                    messages.success(
                        request,
                        _(
                            "Imported: %(created)d created, %(updated)d updated, "
                            "%(unchanged)d unchanged."
                        )
                        % {
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                    )
                else:
                    form.add_error(
                        "file", _("Nothing was imported: the file has problems, listed below.")
                    )
    else:
        form = ImportForm()
    return render(
        request,
        "console/catalog/import.html",
        {"archive": archive, "form": form, "report": report},
    )


@login_required
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _view(request, slug)
    if request.method == "POST":
        archive = _edit(request, slug)
        form = CollectionForm(request.POST)
        if form.is_valid():
            values = form.values()
            try:
                collection = services.collection_create(
                    actor=request.user,
                    archive=archive,
                    slug=values.pop("slug"),
                    title=values.pop("title"),
                    **values,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Collection created."))
                return redirect("console:collection_detail", slug=slug, pk=collection.pk)
    else:
        form = CollectionForm(initial={"is_published": False})
    return render(
        request,
        "console/catalog/collections.html",
        {
            "archive": archive,
            "collections": selectors.collection_list_for_staff(user=request.user, archive=archive),
            "form": form,
            "can_edit": _can_edit(request, archive),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = _view(request, slug)
    try:
        collection = selectors.collection_get_for_staff(user=request.user, archive=archive, pk=pk)
    except FeaturedCollection.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    codes = "\n".join(entry.description.reference_code for entry in collection.staff_entries)
    covers = selectors.collection_cover_candidates(user=request.user, collection=collection)
    initial = {name: getattr(collection, name) for name in CollectionForm().fields}
    form = CollectionForm(initial={**initial, "cover": collection.cover_id})
    form.set_covers(covers)
    entries_form = CollectionEntriesForm(initial={"reference_codes": codes})
    if request.method == "POST":
        archive = _edit(request, slug)
        if request.POST.get("form") == "entries":
            entries_form = CollectionEntriesForm(request.POST)
            if entries_form.is_valid() and _save_entries(
                request, archive, collection, entries_form
            ):
                messages.success(request, _("Contents saved."))
                return redirect("console:collection_detail", slug=slug, pk=pk)
        else:
            form = CollectionForm(request.POST)
            form.set_covers(covers)
            if form.is_valid():
                try:
                    services.collection_update(
                        actor=request.user, collection=collection, **form.values()
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    messages.success(request, _("Changes saved."))
                    return redirect("console:collection_detail", slug=slug, pk=pk)
    return render(
        request,
        "console/catalog/collection.html",
        {
            "archive": archive,
            "collection": collection,
            "form": form,
            "entries_form": entries_form,
            "can_edit": _can_edit(request, archive),
        },
    )


def _save_entries(
    request: HttpRequest,
    archive: Archive,
    collection: FeaturedCollection,
    form: CollectionEntriesForm,
) -> bool:
    codes = form.codes()
    found = {
        description.reference_code: description
        for description in selectors.description_list_for_staff(
            user=request.user, archive=archive
        ).filter(reference_code__in=codes)
    }
    missing = [code for code in codes if code not in found]
    if missing:
        form.add_error(
            "reference_codes",
            _("Not in this archive's catalog: %(codes)s") % {"codes": ", ".join(missing)},
        )
        return False
    try:
        services.collection_set_entries(
            actor=request.user, collection=collection, descriptions=[found[code] for code in codes]
        )
    except ValidationError as exc:
        errors_to_form(form, exc)
        return False
    return True
