"""Staff pages: register repositories, start harvests and follow them (counts and log per run),
choose harvested collections to show on an archive's home."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archivox.core.selectors import ArchivePermissionDenied
from archivox.harvesting import selectors, services
from archivox.harvesting.forms import RepositoryForm, SharedCollectionForm
from archivox.harvesting.models import HarvestRun, Repository


def _archive(request: HttpRequest, slug: str):
    return next((a for a in selectors.archives_managed(user=request.user) if a.slug == slug), None)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    archives = selectors.archives_managed(user=request.user)
    repository_form = RepositoryForm(prefix="repository")
    shared_form = SharedCollectionForm(prefix="shared")
    if request.method == "POST":
        if request.POST.get("action") == "shared":
            shared_form = SharedCollectionForm(request.POST, prefix="shared")
            done = _shared_create(request, shared_form)
        else:
            repository_form = RepositoryForm(request.POST, prefix="repository")
            done = _repository_create(request, repository_form)
        if done:
            return redirect("console_harvesting:index")
    repositories = [
        (
            repository,
            selectors.repository_record_count(repository=repository),
            selectors.run_list(repository=repository, limit=5),
        )
        for repository in selectors.repository_list_for_staff(user=request.user)
    ]
    return render(
        request,
        "harvesting/console/index.html",
        {
            "archives": archives,
            "repositories": repositories,
            "all_repositories": Repository.objects.filter(is_active=True),
            "shared": selectors.shared_collection_list_for_staff(user=request.user),
            "repository_form": repository_form,
            "shared_form": shared_form,
            "prefixes": Repository.MetadataPrefix.choices,
            "schedules": Repository.Schedule.choices,
        },
        status=200 if request.method == "GET" else 400,
    )


def _refused(request: HttpRequest, form, exc: ValidationError) -> bool:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    messages.error(request, " ".join(exc.messages))
    return False


def _repository_create(request: HttpRequest, form: RepositoryForm) -> bool:
    if not form.is_valid():
        messages.error(request, _("Choose an archive, a metadata format and a schedule."))
        return False
    data = form.cleaned_data
    archive = _archive(request, data.pop("archive"))
    if archive is None:
        messages.error(request, _("You may not register repositories for that archive."))
        return False
    try:
        repository = services.repository_create(actor=request.user, archive=archive, **data)
    except ValidationError as exc:
        return _refused(request, form, exc)
    messages.success(request, _("Registered %s. Start a harvest when ready.") % repository.name)
    return True


def _shared_create(request: HttpRequest, form: SharedCollectionForm) -> bool:
    if not form.is_valid():
        messages.error(request, _("Choose an archive and a repository."))
        return False
    data = form.cleaned_data
    archive = _archive(request, data.pop("archive"))
    repository = Repository.objects.filter(pk=data.pop("repository"), is_active=True).first()
    if archive is None or repository is None:
        messages.error(request, _("Choose an archive you manage and a repository."))
        return False
    try:
        services.shared_collection_create(
            actor=request.user, archive=archive, repository=repository, **data
        )
    except ValidationError as exc:
        return _refused(request, form, exc)
    messages.success(request, _("The collection is shown on the archive's home."))
    return True


def _repository(request: HttpRequest, pk: int) -> Repository:
    try:
        return selectors.repository_get_for_staff(user=request.user, pk=pk)
    except Repository.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


@login_required
@require_POST
def harvest(request: HttpRequest, pk: int) -> HttpResponse:
    repository = _repository(request, pk)
    run = services.harvest_start(
        actor=request.user, repository=repository, full=request.POST.get("full") == "1"
    )
    return redirect("console_harvesting:run", pk=run.pk)


@login_required
@require_POST
def repository_delete(request: HttpRequest, pk: int) -> HttpResponse:
    repository = _repository(request, pk)
    removed = services.repository_delete(actor=request.user, repository=repository)
    messages.success(
        request,
        _("%(name)s removed with its %(count)d records.")
        % {"name": repository.name, "count": removed},
    )
    return redirect("console_harvesting:index")


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = selectors.run_get_for_staff(user=request.user, pk=pk)
    except HarvestRun.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    return render(
        request,
        "harvesting/console/run.html",
        {
            "run": run,
            "in_progress": run.status in (HarvestRun.Status.QUEUED, HarvestRun.Status.RUNNING),
        },
    )


@login_required
@require_POST
def shared_delete(request: HttpRequest, pk: int) -> HttpResponse:
    collection = selectors.shared_collection_list_for_staff(user=request.user).filter(pk=pk).first()
    if collection is None:
        raise Http404(str(pk))
    try:
        services.shared_collection_delete(actor=request.user, collection=collection)
    except ArchivePermissionDenied as exc:
        raise Http404(str(pk)) from exc
    messages.success(request, _("Removed."))
    return redirect("console_harvesting:index")
