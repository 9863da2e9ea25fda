"""/api/v1/catalog: public search and reads (through the access gateway), staff edits."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from archivox.catalog import search, selectors, services
from archivox.catalog.iiif import manifests as iiif_manifests
from archivox.catalog.models import Access, Description, DigitalObject, Level
from archivox.core.access import archive_or_404

router = Router(tags=["catalog"])


def description_url(description: Description) -> str:
    return settings.BASE_URL + reverse(
        "portal:description", args=[description.archive.slug, description.reference_code]
    )


class DescriptionSummary(Schema):
    archive: str
    reference_code: str
    title: str
    title_en: str
    level: str
    date_expression: str
    url: str

    @staticmethod
    def resolve_archive(obj: Description) -> str:
        return obj.archive.slug

    @staticmethod
    def resolve_url(obj: Description) -> str:
        return description_url(obj)


class DigitalObjectOut(Schema):
    id: int
    kind: str
    media_type: str
    caption: str
    width: int | None
    height: int | None
    url: str
    thumbnail_url: str | None
    # The IIIF Image API service (append /info.json), for images the public may see.
    iiif_image: str | None = None


class DescriptionOut(DescriptionSummary):
    start_year: int | None
    end_year: int | None
    extent: str
    creator: str
    scope_content: str
    access_conditions: str
    language: str
    subjects: list[str]
    places: list[str]
    people: list[str]
    access: str
    breadcrumbs: list[DescriptionSummary]
    children: list[DescriptionSummary]
    digital_objects: list[DigitalObjectOut]
    # The IIIF Presentation 3.0 manifest, when the public may see an image of it.
    iiif_manifest: str | None = None

    @staticmethod
    def resolve_children(obj: Description) -> list[Description]:
        return obj.children_out

    @staticmethod
    def resolve_digital_objects(obj: Description) -> list[DigitalObjectOut]:
        return obj.objects_out


class SearchHitOut(Schema):
    description: DescriptionSummary
    title_html: str
    snippet_html: str


class SearchOut(Schema):
    query: str
    tokens: list[str]
    total: int
    total_is_lower_bound: bool
    # A broad query's total is estimated (from a sample); the hits are still ranked.
    total_is_estimate: bool
    page: int
    pages: int
    per_page: int
    hits: list[SearchHitOut]


class SearchParams(Schema):
    q: str = Field(max_length=500)
    archive: str | None = Field(None, max_length=100)
    level: list[Level] = []
    # Bounded so that out-of-range numbers are a 422, not a database error.
    year_from: int | None = Field(None, ge=-9999, le=9999)
    year_to: int | None = Field(None, ge=-9999, le=9999)
    collection: int | None = Field(None, ge=1, le=2**53)
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class CollectionOut(Schema):
    archive: str
    slug: str
    title: str
    title_en: str
    introduction: str
    region: str | None

    @staticmethod
    def resolve_archive(obj) -> str:
        return obj.archive.slug

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.region.code if obj.region_id else None


class CollectionDetailOut(CollectionOut):
    descriptions: list[DescriptionSummary]

    @staticmethod
    def resolve_descriptions(obj) -> list[Description]:
        return [entry.description for entry in obj.public_entries]


def _object_out(digital_object, *, in_iiif: bool) -> DigitalObjectOut:
    base = settings.BASE_URL
    return DigitalObjectOut(
        id=digital_object.pk,
        kind=digital_object.kind,
        media_type=digital_object.media_type,
        caption=digital_object.caption,
        width=digital_object.width,
        height=digital_object.height,
        url=base + reverse("portal:digital_object", args=[digital_object.pk]),
        thumbnail_url=(
            base + reverse("portal:digital_object_thumbnail", args=[digital_object.pk])
            if digital_object.thumbnail
            else None
        ),
        iiif_image=base + iiif_manifests.image_service_path(digital_object.pk) if in_iiif else None,
    )


def _description_out(description: Description, *, public: bool) -> Description:
    """The description with what DescriptionOut adds: breadcrumbs, children, objects."""
    if public:
        children = list(selectors.description_children_public(description=description))
        objects = selectors.digital_objects_public(description=description)
    else:
        children = list(description.children.select_related("archive"))
        objects = list(description.digital_objects.all())
    description.access = description.effective_access
    description.breadcrumbs = selectors.description_breadcrumbs(description=description)
    description.children_out = children
    # What IIIF serves: images the public may see (the rule of ``selectors.images_public``,
    # without asking again); staff see every object here, IIIF only these.
    shown = description.objects_public_on()
    in_iiif = {
        o.pk for o in objects if shown and o.public_file and o.kind == DigitalObject.Kind.IMAGE
    }
    description.objects_out = [_object_out(o, in_iiif=o.pk in in_iiif) for o in objects]
    description.iiif_manifest = (
        settings.BASE_URL + iiif_manifests.manifest_path(description.pk) if in_iiif else None
    )
    return description


@router.get("/catalog/search", response=SearchOut, summary="Search the public catalog")
def catalog_search(request: HttpRequest, params: Query[SearchParams]):
    archive_id = archive_or_404(params.archive).pk if params.archive else None
    page = search.search_descriptions(
        params.q,
        filters=search.SearchFilters(
            archive_id=archive_id,
            levels=tuple(params.level),
            year_from=params.year_from,
            year_to=params.year_to,
            collection_id=params.collection,
        ),
        page=params.page,
        per_page=params.per_page,
        public=True,
    )
    return {
        "query": page.query,
        "tokens": page.tokens,
        "total": page.total,
        "total_is_lower_bound": page.total_is_lower_bound,
        "total_is_estimate": page.total_is_estimate,
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
        "hits": [
            {
                "description": hit.description,
                "title_html": str(hit.title_html),
                "snippet_html": str(hit.snippet_html),
            }
            for hit in page.hits
        ],
    }


@router.get(
    "/catalog/archives/{slug}/descriptions",
    response=list[DescriptionSummary],
    summary="Top-level descriptions (fonds) of an archive",
)
def catalog_roots(request: HttpRequest, slug: str):
    return list(selectors.description_roots_public(archive=archive_or_404(slug)))


@router.get(
    "/catalog/archives/{slug}/descriptions/{path:reference_code}",
    response=DescriptionOut,
    summary="A description with its breadcrumbs, children and digital objects",
)
def catalog_description(request: HttpRequest, slug: str, reference_code: str):
    try:
        description = selectors.description_get_public(
            archive=archive_or_404(slug), reference_code=reference_code
        )
    except Description.DoesNotExist as exc:
        raise Http404(reference_code) from exc
    return _description_out(description, public=True)


@router.get(
    "/catalog/archives/{slug}/collections",
    response=list[CollectionOut],
    summary="Featured collections of an archive",
)
def catalog_collections(request: HttpRequest, slug: str):
    return list(selectors.collection_list_public(archive=archive_or_404(slug)))


@router.get(
    "/catalog/archives/{slug}/collections/{collection}",
    response=CollectionDetailOut,
    summary="A featured collection with its public descriptions",
)
def catalog_collection(request: HttpRequest, slug: str, collection: str):
    from archivox.catalog.models import FeaturedCollection

    try:
        return selectors.collection_get_public(archive=archive_or_404(slug), slug=collection)
    except FeaturedCollection.DoesNotExist as exc:
        raise Http404(collection) from exc


# Staff ------------------------------------------------------------------------------------


class DescriptionIn(Schema):
    reference_code: str
    title: str
    level: Level
    parent_reference_code: str | None = None
    title_en: str = ""
    date_expression: str = ""
    start_year: int | None = None
    end_year: int | None = None
    extent: str = ""
    creator: str = ""
    scope_content: str = ""
    access_conditions: str = ""
    language: str = ""
    subjects: list[str] = []
    places: list[str] = []
    people: list[str] = []
    access_level: Access = Access.OPEN
    closed_until: datetime.date | None = None
    position: int = 0


class DescriptionPatch(Schema):
    title: str | None = None
    title_en: str | None = None
    date_expression: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    extent: str | None = None
    creator: str | None = None
    scope_content: str | None = None
    access_conditions: str | None = None
    language: str | None = None
    subjects: list[str] | None = None
    places: list[str] | None = None
    people: list[str] | None = None
    access_level: Access | None = None
    closed_until: datetime.date | None = None
    position: int | None = None


def _staff_description(request: HttpRequest, slug: str, reference_code: str) -> Description:
    try:
        return selectors.description_get_for_staff(
            user=request.user, archive=archive_or_404(slug), reference_code=reference_code
        )
    except Description.DoesNotExist as exc:
        raise Http404(reference_code) from exc


@router.post(
    "/catalog/archives/{slug}/descriptions",
    response={201: DescriptionOut},
    auth=django_auth,
    summary="Create a description (staff)",
)
def catalog_description_create(request: HttpRequest, slug: str, payload: DescriptionIn):
    archive = archive_or_404(slug)
    values = payload.dict()
    parent_code = values.pop("parent_reference_code")
    parent = None
    if parent_code:
        parent = _staff_description(request, slug, parent_code)
    description = services.description_create(
        actor=request.user, archive=archive, parent=parent, **values
    )
    return Status(201, _description_out(description, public=False))


@router.patch(
    "/catalog/archives/{slug}/descriptions/{path:reference_code}",
    response=DescriptionOut,
    auth=django_auth,
    summary="Change a description (staff); access changes reach its whole subtree",
)
def catalog_description_update(
    request: HttpRequest, slug: str, reference_code: str, payload: DescriptionPatch
):
    description = _staff_description(request, slug, reference_code)
    changes = payload.dict(exclude_unset=True)
    description = services.description_update(
        actor=request.user, description=description, **changes
    )
    return _description_out(description, public=False)
