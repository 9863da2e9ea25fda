"""/sitemap.xml: the archives, their featured collections and their open descriptions, so
search engines find the holdings. Only what the access gateway lets out."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Description, FeaturedCollection
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


class ArchiveSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> QuerySet[Archive]:
        return core_selectors.archive_list().order_by("slug")

    def location(self, archive: Archive) -> str:
        return reverse("portal:archive", args=[archive.slug])


class CollectionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[FeaturedCollection]:
        return catalog_selectors.collection_list_public().select_related("archive").order_by("pk")

    def location(self, collection: FeaturedCollection) -> str:
        return reverse("portal:collection", args=[collection.archive.slug, collection.slug])


class DescriptionSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5
    limit = 10_000  # per sitemap page; the index lists the pages

    def items(self) -> QuerySet[Description]:
        return (
            catalog_selectors.description_list_public()
            .order_by("pk")
            .only("pk", "reference_code", "archive__slug")
            .select_related("archive")
        )

    def location(self, description: Description) -> str:
        return reverse(
            "portal:description", args=[description.archive.slug, description.reference_code]
        )


SITEMAPS = {
    "archives": ArchiveSitemap,
    "collections": CollectionSitemap,
    "descriptions": DescriptionSitemap,
}
