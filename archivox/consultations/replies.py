"""The engagement hook: what we answer to a message the public sent us on WeChat.

``reply_for`` is called with a stored ``InboundMessage`` whose ``archive`` and ``account`` are
already loaded. It runs under a time budget in the callback (a worker thread), and again without
one in a task when the budget ran out, so it may be called twice for one message: it reads
(rules, the catalog through the access gateway) and never sends anything itself; the one thing
it writes is the cache of the catalog rule's answers (``kept_answers``).

Order: a subscription gets the welcome; a menu click gets the rule with its event key; a text
message gets the first active rule (by priority) that matches and has something to say (a
catalog rule whose search finds no open item steps aside); anything else a person wrote goes to
the inbox, and a text is told when to expect an answer (``Reply.to_staff``).
"""

from __future__ import annotations

import functools
import html
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.urls import reverse

from archivox.consultations import kept_answers
from archivox.consultations.models import AutoReplyRule, InboundMessage
from archivox.consultations.rules import CompiledRule
from archivox.core.models import Archive

ACKNOWLEDGEMENT_TEMPLATE = (
    "我们已收到您的留言，工作人员将在{days}个工作日内答复。\n"
    "We have received your message; our staff will answer within {days_en}."
)
DEFAULT_PROMISE_DAYS = 1


def acknowledgement(days: int) -> str:
    """What a person is told when a question goes to staff: when to expect the answer."""
    days_en = "1 working day" if days == 1 else f"{days} working days"
    return ACKNOWLEDGEMENT_TEMPLATE.format(days=days, days_en=days_en)


ACKNOWLEDGEMENT = acknowledgement(DEFAULT_PROMISE_DAYS)
DEFAULT_WELCOME = (
    "感谢关注{name_zh}！在这里可以查询馆藏、了解展览和活动，给我们留言，工作人员会尽快答复。\n"
    "Thank you for following {name}! Search our holdings, find exhibitions and events, "
    "or leave us a message and our staff will answer soon."
)
# Messages a person writes that staff should see when no rule answered them.
TO_STAFF_TYPES = frozenset({"text", "voice", "image", "link", "location", "video", "shortvideo"})
# How long this process trusts its copy of an archive's rules (changes saved in this process
# clear it at once, see services).
RULES_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Article:
    """One card of a news reply."""

    title: str
    description: str
    url: str
    picurl: str = ""
    # The catalog description a card names: kept with the stored answer, so that a retry can
    # check it again through the access gateway (never sent to the platform).
    description_id: int | None = None

    def as_dict(self) -> dict[str, str | int]:
        card: dict[str, str | int] = {
            "title": self.title,
            "description": self.description,
            "url": self.url,
            "picurl": self.picurl,
        }
        if self.description_id is not None:
            card["description_id"] = self.description_id
        return card


@dataclass(frozen=True)
class Reply:
    """An answer to one message: text, or news (cards with a title, text, link and picture).

    ``to_staff``: the message goes to the inbox (no rule answered it); ``rule_id``: the rule
    that answered."""

    text: str
    kind: Literal["text", "news"] = "text"
    articles: tuple[Article, ...] = field(default=())
    rule_id: int | None = None
    to_staff: bool = False


def welcome_for(message: InboundMessage) -> str:
    account = message.account
    if account is not None and account.welcome_text.strip():
        return account.welcome_text.strip()
    archive = message.archive
    return DEFAULT_WELCOME.format(name_zh=archive.name_zh or archive.name, name=archive.name)


class NotInMemory(Exception):
    """Answering needs the database or a catalog search (``memory_only=True`` was asked): the
    callback then asks again in a worker thread, under its time budget."""


def promise_days(archive: Archive, *, memory_only: bool = False) -> int:
    from archivox.consultations.selectors import inbox_settings_cached

    return inbox_settings_cached(archive.pk, memory_only=memory_only).promise_working_days


def reply_for(message: InboundMessage, *, memory_only: bool = False) -> Reply | None:
    """The reply to ``message``, or None when it needs none (WeChat is then told ``success``).

    ``memory_only``: answer from the per-process caches or raise ``NotInMemory``; most messages
    (an acknowledgement, a keyword rule's text) are answered so, without a thread or a query,
    and a catalog rule's kept answer with one query by primary key (the access gateway)."""
    if message.msg_type == "event":
        if message.event == "subscribe":
            return Reply(text=welcome_for(message))
        if message.event == "CLICK":
            key = str((message.payload or {}).get("EventKey", "")).strip()
            for rule in rules_for(message.archive, memory_only=memory_only):
                if rule.match == "click" and rule.pattern == key:
                    return reply_of_rule(rule, message.archive, "", memory_only=memory_only)
        return None
    if message.msg_type == "text":
        found = answer_text(message.archive, message.content, memory_only=memory_only)
        if found is not None:
            return found
        days = promise_days(message.archive, memory_only=memory_only)
        return Reply(text=acknowledgement(days), to_staff=True)
    return None


def answer_text(archive: Archive, text: str, *, memory_only: bool = False) -> Reply | None:
    """The first rule's answer to ``text``, or None when no rule has one."""
    for rule in rules_for(archive, memory_only=memory_only):
        if rule.match == "click":
            continue
        words = rule.matches(text)
        if words is None:
            continue
        reply = reply_of_rule(rule, archive, words, memory_only=memory_only)
        if reply is not None:
            return reply
    return None


def needs_consultation(message: InboundMessage, reply: Reply | None) -> bool:
    """Whether a WeChat message goes to the inbox: a person wrote something no rule answered."""
    if message.msg_type not in TO_STAFF_TYPES:
        return False
    return reply is None or reply.to_staff


def reply_of_rule(
    rule: CompiledRule, archive: Archive, words: str, *, memory_only: bool = False
) -> Reply | None:
    if rule.kind == "text":
        return Reply(text=rule.text, rule_id=rule.pk)
    if rule.kind == "link":
        # WeChat shows <a href> in a text message as a link.
        link = f'<a href="{html.escape(rule.url, quote=True)}">{html.escape(rule.title)}</a>'
        text = f"{rule.text.strip()}\n{link}" if rule.text.strip() else link
        return Reply(text=text, rule_id=rule.pk)
    if rule.kind == "news":
        card = Article(rule.title, rule.description, rule.url, rule.picurl)
        return Reply(text=rule.title, kind="news", articles=(card,), rule_id=rule.pk)
    if rule.kind == "catalog":
        if memory_only:
            # A kept answer is read by key and its items again by primary key, in the
            # callback's own thread; a search waits for the reply thread and its time budget.
            cards = kept_catalog_articles(archive, words, limit=rule.max_hits)
            if cards is None:
                raise NotInMemory("a catalog search")
        else:
            cards = catalog_articles(archive, words, limit=rule.max_hits)
        if not cards:
            return None
        return Reply(
            text="\n".join(card.title for card in cards),
            kind="news",
            articles=tuple(cards),
            rule_id=rule.pk,
        )
    return None


_TAGS = re.compile(r"<[^>]*>")


def catalog_articles(archive: Archive, words: str, *, limit: int) -> list[Article]:
    """The top ``limit`` OPEN descriptions of ``archive`` for ``words``, through the access
    gateway (``catalog.search.best_descriptions``); restricted ones are left out too, as an
    automatic answer should point only to what anyone may consult. What any process found for
    the same words within ANSWERS_CACHE_SECONDS is read again instead of searched for."""
    from archivox.catalog.search import SearchFilters, best_descriptions

    hits = _kept_hits(archive, words, limit)
    if hits is None:
        hits = best_descriptions(
            words, filters=SearchFilters(archive_id=archive.pk, open_only=True), limit=limit
        )
        key = _answer_key(archive, words, limit)
        ids = [hit.description.pk for hit in hits]
        _keep_here(key, ids, ANSWERS_CACHE_SECONDS)
        kept_answers.keep(
            archive_id=archive.pk, words=key[1], limit=limit, ids=ids, seconds=ANSWERS_CACHE_SECONDS
        )
    return _cards(archive, hits, limit)


def kept_catalog_articles(archive: Archive, words: str, *, limit: int) -> list[Article] | None:
    """``catalog_articles`` from what was found for the same words within
    ANSWERS_CACHE_SECONDS (this process's copy, else the one every process keeps), read again
    through the access gateway (a read by key and one by primary key, cheap enough for the
    callback's own thread); None when nothing usable is kept."""
    hits = _kept_hits(archive, words, limit)
    return None if hits is None else _cards(archive, hits, limit)


def _answer_key(archive: Archive, words: str, limit: int) -> tuple[int, str, int]:
    return (archive.pk, " ".join(words.split()), limit)


def _keep_here(key: tuple[int, str, int], ids: list[int], seconds: float) -> None:
    with _cache_lock:
        _answers_cache[key] = (time.monotonic() + seconds, ids)
        _answers_cache.move_to_end(key)
        while len(_answers_cache) > ANSWERS_CACHE_SIZE:
            _answers_cache.popitem(last=False)


def _kept_hits(archive: Archive, words: str, limit: int) -> list | None:
    """The hits kept for these words, still open and public today; None when none are kept or
    one of them no longer passes (closed, withdrawn or deleted since: search again)."""
    from archivox.catalog.search import open_hits_again

    key = _answer_key(archive, words, limit)
    kept = _answers_cache.get(key)
    if kept is not None and kept[0] > time.monotonic():
        ids = kept[1]
    else:
        # Another process may have searched it: its answer is kept for all of them.
        shared = kept_answers.kept_ids(archive_id=archive.pk, words=key[1], limit=limit)
        if shared is None:
            return None
        ids, seconds = shared
        _keep_here(key, ids, seconds)
    hits = open_hits_again(ids, words, archive_id=archive.pk)
    return hits if len(hits) == len(ids) else None


def _cards(archive: Archive, hits: list, limit: int) -> list[Article]:
    from archivox.catalog.models import Access

    cards: list[Article] = []
    for hit in hits:
        description = hit.description
        if description.effective_access != Access.OPEN:  # open_only asked it; checked again
            continue
        path = _item_path(archive.slug, description.reference_code)
        summary = html.unescape(_TAGS.sub("", str(hit.snippet_html))).strip()
        about = " · ".join(
            part for part in (description.reference_code, description.date_expression) if part
        )
        cards.append(
            Article(
                title=description.title[:64],
                description=(f"{about}\n{summary}" if summary else about)[:120],
                url=f"{settings.BASE_URL}{path}",
                description_id=description.pk,
            )
        )
        if len(cards) >= limit:
            break
    return cards


@functools.lru_cache(maxsize=4096)
def _item_path(slug: str, reference_code: str) -> str:
    # Kept: the same few items are named to many followers, and reverse() costs more than
    # the rest of a card.
    return reverse("portal:description", kwargs={"slug": slug, "reference_code": reference_code})


def stored_reply_still_public(message: InboundMessage) -> bool:
    """Whether ``message``'s stored answer may go out again (a WeChat retry of the same MsgId):
    every catalog item its cards name must still pass the access gateway as open, since the
    item may have been made confidential, restricted or closed since it was answered. An
    answer of catalog cards stored without their items (before they were kept) is never
    repeated: it cannot be checked."""
    from archivox.catalog.selectors import description_ids_open_public

    cards = message.reply_articles or []
    named = {card["description_id"] for card in cards if card.get("description_id") is not None}
    if len(named) < len(cards):
        # Read from the row: a retry's copy may predate the first delivery's answer.
        rule_kind = (
            InboundMessage.objects.filter(pk=message.pk)
            .values_list("auto_rule__kind", flat=True)
            .first()
        )
        if rule_kind == "catalog":
            return False
    return not named or description_ids_open_public(ids=named) == named


# ── the rules of each archive and the catalog's answers, cached per process ──────────────────

_cache_lock = threading.Lock()
_rules_cache: dict[int, tuple[float, list[CompiledRule]]] = {}
# The items a catalog rule found for the same words in the same archive, reused for
# ANSWERS_CACHE_SECONDS (this process's copy here, every process's in ``kept_answers``): when a
# post draws a crowd, its followers send the same few words (查档, a name in the post), and
# ranking a million descriptions again for each costs more than the rest of the answer. Only
# the ids are kept: every answer reads its items again through the access gateway
# (``open_hits_again``), so an item made confidential or closed since is never named; an item
# catalogued since is found once the entry expires (five minutes at most, where a search page
# finds it at once).
ANSWERS_CACHE_SECONDS = 300.0
ANSWERS_CACHE_SIZE = 4096
_answers_cache: OrderedDict[tuple[int, str, int], tuple[float, list[int]]] = OrderedDict()


def rules_for(archive: Archive, *, memory_only: bool = False) -> list[CompiledRule]:
    """An archive's active rules in priority order (kept ``RULES_CACHE_SECONDS`` per process)."""
    now = time.monotonic()
    cached = _rules_cache.get(archive.pk)
    if cached is not None and cached[0] > now:
        return cached[1]
    if memory_only:
        raise NotInMemory("the rules")
    compiled = []
    for rule in AutoReplyRule.objects.filter(archive_id=archive.pk, is_active=True).order_by(
        "priority", "id"
    ):
        try:
            compiled.append(CompiledRule.of(rule))
        except re.error:  # saved before validation tightened: skipped, never a crash
            continue
    with _cache_lock:
        _rules_cache[archive.pk] = (now + RULES_CACHE_SECONDS, compiled)
    return compiled


def rules_cache_clear(archive_id: int | None = None) -> None:
    from archivox.consultations.selectors import inbox_settings_cache_clear

    inbox_settings_cache_clear()
    with _cache_lock:
        if archive_id is None:
            _rules_cache.clear()
            _answers_cache.clear()
        else:
            _rules_cache.pop(archive_id, None)
            for key in [key for key in _answers_cache if key[0] == archive_id]:
                del _answers_cache[key]
    if archive_id is not None:
        # And every process's: a changed rule, or staff testing one, asks afresh.
        kept_answers.forget(archive_id=archive_id)
