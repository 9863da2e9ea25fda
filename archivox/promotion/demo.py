"""Demo demand: searches of Nanjing's portal over the last weeks, run for real against the demo
catalog (so what finds nothing is what the demo catalog lacks), counted as the portal counts."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from archivox.catalog.demand import demand_add_demo
from archivox.catalog.models import PublicDemand
from archivox.catalog.search import SearchFilters, search_descriptions
from archivox.catalog.selectors import public_demand_counts
from archivox.core.models import Archive

# (term, searches per week): what visitors of a city archive look for.
DEMO_SEARCHES = (
    ("白崇禧", 14),
    ("总统府", 11),
    ("中山陵", 9),
    ("颐和路", 7),
    ("南京长江大桥", 8),
    ("知青档案", 9),
    ("婚姻登记", 12),
    ("老地图", 6),
    ("南京大屠杀", 10),
)
WEEKS = 6


@transaction.atomic
def demo_demand_load(*, slug: str = "nanjing") -> list[str]:
    archive = Archive.objects.filter(slug=slug).first()
    if archive is None:
        return [f"demand: no {slug} archive"]
    today = timezone.localdate()
    since = today - datetime.timedelta(weeks=WEEKS)
    if public_demand_counts(archives=[archive], kind=PublicDemand.Kind.SEARCH, since=since):
        return [f"demand: {slug} has counted searches already"]
    found = []
    for term, per_week in DEMO_SEARCHES:
        total = search_descriptions(term, filters=SearchFilters(archive_id=archive.pk)).total
        found.append(f"{term}: {total}")
        for week in range(WEEKS):
            # A little growth week on week, as a promoted service would see.
            day = today - datetime.timedelta(weeks=week, days=1)
            demand_add_demo(
                archive=archive, query=term, total=total, day=day, searches=per_week - week
            )
    return [f"demand: {slug} searches ({', '.join(found)})"]
