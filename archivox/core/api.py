"""Public API of archives: which archives this installation serves."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from archivox.core import selectors
from archivox.core.models import Archive

router = Router(tags=["archives"])


class RegionOut(Schema):
    code: str
    name: str
    name_zh: str
    tier: int | None
    level: str
    province: str


class ArchiveOut(Schema):
    slug: str
    name: str
    name_zh: str
    level: str
    parent: str | None
    region: RegionOut | None
    address: str
    opening_hours: str
    website: str

    @staticmethod
    def resolve_parent(archive: Archive) -> str | None:
        return archive.parent.slug if archive.parent_id else None


@router.get("/archives", response=list[ArchiveOut], summary="List the archives served here")
def archives_list(request):
    return list(selectors.archive_list())


@router.get("/archives/{slug}", response=ArchiveOut, summary="One archive")
def archive_detail(request, slug: str):
    return get_object_or_404(selectors.archive_list(), slug=slug)
