"""Reads: what the public asks for most (paper §4.1 "the most concentrated archives", §4.5 user
needs), per archive or across the installation, each with the action it suggests.

Every figure is a count over many people and small counts are suppressed (fewer than
``ARCHIVOX_DEMAND_MIN_COUNT``, default 5), so no one person's search, question or visit can be
picked out. The data come from the other apps' selectors: the catalog's counts of searches and
views, the inbox's tags and subjects, the topics' comments."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import PublicDemand
from archivox.catalog.search import segment
from archivox.consultations import selectors as consultation_selectors
from archivox.core.models import Archive
from archivox.promotion import selectors as promotion_selectors
from archivox.records_requests import selectors as records_selectors
from archivox.topics import selectors as topic_selectors

TOP = 10
WEEKS = 8
# Words of a question that say nothing about its subject.
STOPWORDS = frozenset(
    (
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "有",
        "我",
        "你",
        "您",
        "我们",
        "请问",
        "请",
        "想",
        "查询",
        "查",
        "一下",
        "怎么",
        "如何",
        "什么",
        "哪里",
        "可以",
        "能否",
        "是否",
        "需要",
        "关于",
        "一个",
        "这个",
        "那个",
        "吗",
        "呢",
        "吧",
        "啊",
        "谢谢",
        "您好",
        "你好",
    )
)


def min_count() -> int:
    return catalog_selectors.demand_min_count()


@dataclass
class Row:
    label: str
    count: int
    action: str = ""
    link: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    hidden: int = 0  # entries under the minimum count, not shown


def _kept(pairs: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    """The pairs counted at least ``min_count()`` times (the top ``TOP``), and how many not."""
    threshold = min_count()
    kept = [(key, n) for key, n in pairs if n >= threshold]
    return kept[:TOP], len(pairs) - len(kept)


def _one(archives: list[Archive] | None) -> Archive | None:
    return archives[0] if archives and len(archives) == 1 else None


def _search_sections(archives, since) -> list[Section]:
    one = _one(archives)
    collections = reverse("console:collections", args=[one.slug]) if one else ""
    catalog = reverse("console:catalog_tree", args=[one.slug]) if one else ""
    rules = reverse("console_inbox:rules", args=[one.slug]) if one else ""
    zero, zero_hidden = _kept(
        catalog_selectors.public_demand_counts(
            archives=archives, kind=PublicDemand.Kind.ZERO_HITS, since=since
        )
    )
    searched, hidden = _kept(
        catalog_selectors.public_demand_counts(
            archives=archives, kind=PublicDemand.Kind.SEARCH, since=since
        )
    )
    top = Section(_("Most searched terms"), hidden=hidden)
    nothing_found = {term for term, _n in zero}
    for term, n in searched:
        if term in nothing_found:  # nothing to feature yet: the row below says what to add
            top.rows.append(Row(term, n, _("Found nothing: see below"), ""))
            continue
        top.rows.append(
            Row(
                term,
                n,
                _("Feature it: a featured collection or an exhibition about “%s”") % term,
                collections,
            )
        )
    empty = Section(_("Searched terms that found nothing"), hidden=zero_hidden)
    for term, n in zero:
        empty.rows.append(
            Row(
                term,
                n,
                _("Add descriptions or subjects for “%s”, or a canned answer saying where to look")
                % term,
                catalog or rules,
            )
        )
    return [top, empty]


def _consultation_sections(archives, since_moment) -> list[Section]:
    one = _one(archives)
    rules = reverse("console_inbox:rules", args=[one.slug]) if one else ""
    tags, hidden = _kept(
        consultation_selectors.consultation_tag_counts(archives=archives, since=since_moment)
    )
    asked = Section(_("Most asked consultation topics (tags)"), hidden=hidden)
    for tag, n in tags:
        asked.rows.append(
            Row(tag, n, _("Add a canned answer or an auto-reply for “%s”") % tag, rules)
        )
    words: Counter[str] = Counter()
    for subject in consultation_selectors.consultation_subjects_since(
        archives=archives, since=since_moment
    ):
        # A word counts once per question.
        words.update(
            {w for w in segment(subject, for_index=False) if len(w) > 1 and w not in STOPWORDS}
        )
    recurring, hidden = _kept(words.most_common())
    said = Section(_("Recurring words in questions"), hidden=hidden)
    for word, n in recurring:
        said.rows.append(
            Row(word, n, _("Add a canned answer for questions about “%s”") % word, rules)
        )
    return [asked, said]


def _topic_section(archives, since_moment) -> Section:
    counted = topic_selectors.topic_comment_counts(archives=archives, since=since_moment)
    kept, hidden = _kept([(topic.pk, n) for topic, n in counted])
    by_pk = {topic.pk: topic for topic, _n in counted}
    section = Section(_("Most discussed topics"), hidden=hidden)
    for pk, n in kept:
        topic = by_pk[pk]
        section.rows.append(
            Row(
                f"#{topic.name}#",
                n,
                _("Answer the discussion in a post, or feature the topic's items"),
                reverse("console_publishing:new", args=[topic.archive.slug]),
            )
        )
    return section


def _viewed_sections(archives, since) -> list[Section]:
    one = _one(archives)
    items, hidden = _kept(
        catalog_selectors.public_demand_counts(
            archives=archives, kind=PublicDemand.Kind.DESCRIPTION, since=since
        )
    )
    titles = (
        catalog_selectors.description_titles(
            archive_ids=[a.pk for a in archives], codes=[code for code, _n in items]
        )
        if archives
        else {}
    )
    viewed = Section(_("Most viewed items"), hidden=hidden)
    for code, n in items:
        viewed.rows.append(
            Row(
                f"{code} {titles.get(code, '')}".strip(),
                n,
                _("Put it in a featured collection or an exhibition"),
                reverse("console:collections", args=[one.slug]) if one else "",
            )
        )
    collections, hidden = _kept(
        catalog_selectors.public_demand_counts(
            archives=archives, kind=PublicDemand.Kind.COLLECTION, since=since
        )
    )
    favourite = Section(_("Most viewed featured collections"), hidden=hidden)
    for slug, n in collections:
        favourite.rows.append(
            Row(
                slug,
                n,
                _("Promote it offline with a poster"),
                reverse("console_promotion:posters", args=[one.slug]) if one else "",
            )
        )
    return [viewed, favourite]


def _requested_section(archives, since) -> Section:
    """Records-use requests (查档) per record category: what the public needs from the
    archives' holdings most (§4.5), counted without who, small counts suppressed."""
    one = _one(archives)
    counted = records_selectors.request_category_counts(
        archive_ids=[a.pk for a in archives] if archives is not None else None, since=since
    )
    labels = {category: label for category, label, _n in counted}
    kept, hidden = _kept([(category, n) for category, _label, n in counted])
    section = Section(_("Most requested record categories"), hidden=hidden)
    for category, n in kept:
        label = labels[category]
        section.rows.append(
            Row(
                label,
                n,
                _(
                    "Publish a guide for “%s” requests (what to bring, how long it takes), "
                    "link it from the service hall menu, and check the promised days"
                )
                % label,
                reverse("console_records:report", args=[one.slug]) if one else "",
            )
        )
    return section


def _poster_section(archives, since) -> Section:
    """Visitors who came through each poster's short link (a count, nothing about them)."""
    counted = promotion_selectors.poster_visit_counts(archives=archives, since=since)
    by_pk = {poster.pk: poster for poster, _n in counted}
    kept, hidden = _kept([(poster.pk, n) for poster, n in counted])
    section = Section(_("Visitors from posters"), hidden=hidden)
    for pk, n in kept:
        poster = by_pk[pk]
        section.rows.append(
            Row(
                f"{poster.title} · {poster.name}",
                n,
                _("It works here: hang more like it in similar places"),
                reverse("console_promotion:poster", args=[poster.archive.slug, poster.pk]),
            )
        )
    return section


@dataclass
class Week:
    monday: datetime.date
    searches: int = 0
    zero_hits: int = 0
    views: int = 0


def _weeks(archives, since: datetime.date) -> list[Week]:
    monday = since - datetime.timedelta(days=since.weekday())
    weeks = {monday + datetime.timedelta(weeks=n): None for n in range(WEEKS + 1)}
    rows = {key: Week(key) for key in weeks if key <= timezone.localdate()}
    for kind, attribute in (
        (PublicDemand.Kind.SEARCH, "searches"),
        (PublicDemand.Kind.ZERO_HITS, "zero_hits"),
        (PublicDemand.Kind.DESCRIPTION, "views"),
    ):
        for day, n in catalog_selectors.public_demand_by_day(
            archives=archives, kind=kind, since=since
        ):
            week = rows.get(day - datetime.timedelta(days=day.weekday()))
            if week is not None:
                setattr(week, attribute, getattr(week, attribute) + n)
    threshold = min_count()
    for week in rows.values():  # a quiet week's small numbers are not shown either
        for attribute in ("searches", "zero_hits", "views"):
            if getattr(week, attribute) < threshold:
                setattr(week, attribute, None)
    return sorted(rows.values(), key=lambda week: week.monday)


@dataclass
class Demand:
    since: datetime.date
    threshold: int
    sections: list[Section]
    weeks: list[Week]


def demand_report(*, archives: list[Archive] | None, days: int = 56) -> Demand:
    """What the public asked of ``archives`` (the whole installation when None) in the last
    ``days`` days. The caller has checked that the reader may see these archives."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    since_moment = timezone.now() - datetime.timedelta(days=days)
    sections = [
        *_search_sections(archives, since),
        *_consultation_sections(archives, since_moment),
        _topic_section(archives, since_moment),
        *_viewed_sections(archives, since),
        _requested_section(archives, since),
        _poster_section(archives, since),
    ]
    return Demand(since, min_count(), sections, _weeks(archives, since))
