"""Reads of the harvesting app: repositories and runs for staff, the province-wide union
search (our public holdings through catalog's gateway next to harvested records), and the
shared collections an archive's home shows."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from urllib.parse import quote

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from archivox.catalog.search import SearchFilters, search_descriptions
from archivox.core.models import Archive
from archivox.core.selectors import Capability, archive_list_for_staff, user_can
from archivox.harvesting.models import HarvestedRecord, HarvestRun, Repository, SharedCollection
from archivox.harvesting.search import search_harvested, set_spec_pattern

LOCAL = "local"
# Each side of the union offers at most this many of its best matches (ten pages of results).
PER_SIDE = 100
PER_PAGE = 20


def repository_list_for_staff(*, user: User) -> QuerySet[Repository]:
    return Repository.objects.filter(archive__in=archives_managed(user=user)).select_related(
        "archive"
    )


def repository_get_for_staff(*, user: User, pk: int) -> Repository:
    """The repository, if ``user`` manages its archive; Repository.DoesNotExist otherwise."""
    return repository_list_for_staff(user=user).get(pk=pk)


def run_list(*, repository: Repository, limit: int = 20) -> list[HarvestRun]:
    return list(repository.runs.all()[:limit])


def run_get_for_staff(*, user: User, pk: int) -> HarvestRun:
    return HarvestRun.objects.select_related("repository").get(
        pk=pk, repository__in=repository_list_for_staff(user=user)
    )


def repository_record_count(*, repository: Repository) -> int:
    return repository.records.count()


def archives_managed(*, user: User) -> list[Archive]:
    """The archives whose repositories and shared collections ``user`` manages."""
    return [
        archive
        for archive in archive_list_for_staff(user=user)
        if user_can(user=user, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    ]


def shared_collection_list_for_staff(*, user: User) -> QuerySet[SharedCollection]:
    return SharedCollection.objects.filter(archive__in=archives_managed(user=user)).select_related(
        "archive", "repository"
    )


def repository_list_public() -> QuerySet[Repository]:
    return Repository.objects.filter(is_active=True)


@dataclasses.dataclass
class UnionHit:
    local: bool
    title_html: SafeString
    snippet_html: SafeString
    url: str
    source: str
    holder: str
    date_expression: str
    reference_code: str
    manifest_url: str = ""


@dataclasses.dataclass
class Facet:
    key: str
    label: str
    count: int
    selected: bool


@dataclasses.dataclass
class UnionPage:
    query: str
    hits: list[UnionHit]
    total: int
    total_is_lower_bound: bool
    page: int
    pages: int
    repositories: list[Facet]
    archives: list[Facet]


def _local_hits(
    query: str, archive: Archive | None, wanted: int
) -> tuple[list[UnionHit], int, bool, Counter, dict[str, str]]:
    found = search_descriptions(
        query,
        filters=SearchFilters(archive_id=archive.pk if archive else None),
        per_page=wanted,
        public=True,
    )
    hits, by_archive, names = [], Counter(), {}
    catalog_urls: dict[str, str] = {}
    for hit in found.hits:
        description = hit.description
        slug = description.archive.slug
        by_archive[slug] += 1
        names[slug] = description.archive.name_zh or slug
        if slug not in catalog_urls:
            # Reversed once per archive, not once per hit (a page of hits is 20 reversals):
            # the code is quoted as reverse() quotes it.
            catalog_urls[slug] = reverse("portal:description", args=[slug, "0"]).removesuffix("0/")
        hits.append(
            UnionHit(
                local=True,
                title_html=hit.title_html,
                snippet_html=hit.snippet_html,
                url=catalog_urls[slug]
                + quote(description.reference_code, safe=RFC3986_SUBDELIMS + "/~:@")
                + "/",
                source=_("Our holdings"),
                holder=str(description.archive),
                date_expression=description.date_expression,
                reference_code=description.reference_code,
            )
        )
    broad = found.total_is_lower_bound or found.total > len(found.hits)
    return hits, found.total, broad and found.total_is_lower_bound, by_archive, names


def union_search(
    query: str, *, repository: str = "", archive: str = "", page: int = 1
) -> UnionPage:
    """Our public holdings and every active repository's records matching ``query``, merged
    (one of ours, one harvested, …), with a facet per repository and per archive.
    ``repository`` is ``local`` or a repository id; ``archive`` is ``local:<slug>`` or
    ``holder:<name>`` as the facets give them."""
    query = (query or "").strip()
    # Records of a paused repository stay out. Excluding the few paused ones (usually none, so
    # no condition at all) costs the full-text query less than listing every active one.
    every = list(Repository.objects.only("pk", "name", "is_active"))
    repositories = {str(r.pk): r for r in every if r.is_active}
    paused = [r.pk for r in every if not r.is_active]
    local_archive: Archive | None = None
    holder = ""
    if archive.startswith("local:"):
        local_archive = Archive.objects.filter(slug=archive.removeprefix("local:")).first()
    elif archive.startswith("holder:"):
        holder = archive.removeprefix("holder:")
    # Merged one by one, page n needs at most n pages' worth from each side: the first page
    # costs about two searches, not two hundred highlighted hits.
    page = max(1, page)
    wanted = min(PER_SIDE, page * PER_PAGE)
    want_local = repository in ("", LOCAL) and not holder
    want_harvested = repository != LOCAL and not local_archive
    local_hits: list[UnionHit] = []
    local_total, local_broad, by_archive = 0, False, Counter()
    archive_names: dict[str, str] = {}
    if want_local and query:
        local_hits, local_total, local_broad, by_archive, archive_names = _local_hits(
            query, local_archive, wanted
        )
    harvested_hits: list[UnionHit] = []
    harvested_total, harvested_broad = 0, False
    by_repository: Counter = Counter()
    by_holder: Counter = Counter()
    if want_harvested and query:
        chosen = repositories.get(repository)
        results = search_harvested(
            query,
            repository_id=chosen.pk if chosen else None,
            exclude_repository_ids=paused,
            holder=holder or None,
            limit=wanted,
        )
        harvested_total, harvested_broad = results.total, results.total_is_lower_bound
        by_repository, by_holder = results.by_repository, results.by_holder
        harvested_hits = [
            UnionHit(
                local=False,
                title_html=hit.title_html,
                snippet_html=hit.snippet_html,
                url=hit.record.source_url,
                source=repositories[str(hit.record.repository_id)].name,
                holder=hit.record.holder or repositories[str(hit.record.repository_id)].name,
                date_expression=hit.record.date_expression,
                reference_code=hit.record.reference_code,
                manifest_url=hit.record.manifest_url,
            )
            for hit in results.hits
        ]
    merged = [
        hit
        for pair in itertools.zip_longest(local_hits, harvested_hits)
        for hit in pair
        if hit is not None
    ]
    available = min(local_total, PER_SIDE) + min(harvested_total, PER_SIDE)
    pages = max(1, -(-available // PER_PAGE))
    page = min(page, pages)
    repository_facets = []
    if local_total:
        repository_facets.append(Facet(LOCAL, _("Our holdings"), local_total, repository == LOCAL))
    for pk, count in by_repository.most_common():
        repository_facets.append(
            Facet(str(pk), repositories[str(pk)].name, count, repository == str(pk))
        )
    archive_facets = [
        Facet(f"local:{slug}", archive_names.get(slug) or slug, count, archive == f"local:{slug}")
        for slug, count in by_archive.most_common()
    ]
    archive_facets += [
        Facet(f"holder:{name}", name, count, archive == f"holder:{name}")
        for name, count in by_holder.most_common()
        if name
    ]
    return UnionPage(
        query=query,
        hits=merged[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=local_total + harvested_total,
        total_is_lower_bound=local_broad or harvested_broad,
        page=page,
        pages=pages,
        repositories=repository_facets,
        archives=archive_facets,
    )


@dataclasses.dataclass
class SharedShowcase:
    collection: SharedCollection
    records: list[HarvestedRecord]


def shared_collections_public(*, archive: Archive, per_collection: int = 6) -> list[SharedShowcase]:
    """The harvested collections ``archive`` shows on its home, with their first records."""
    showcases = []
    for collection in SharedCollection.objects.filter(
        archive=archive, is_published=True, repository__is_active=True
    ).select_related("repository"):
        if collection.query:
            records = [
                hit.record
                for hit in search_harvested(
                    collection.query,
                    repository_id=collection.repository_id,
                    set_spec=collection.set_spec,
                    limit=per_collection,
                ).hits
            ]
        else:
            queryset = HarvestedRecord.objects.filter(repository=collection.repository)
            if collection.set_spec:
                queryset = queryset.extra(
                    where=["CAST(set_specs AS TEXT) LIKE %s ESCAPE '\\'"],
                    params=[set_spec_pattern(collection.set_spec)],
                )
            records = list(queryset.order_by("title", "id")[:per_collection])
        showcases.append(SharedShowcase(collection, records))
    return showcases
