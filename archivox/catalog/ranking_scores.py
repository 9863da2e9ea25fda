"""BM25 as SQLite's FTS5 computes it, over the segmented text of a window of descriptions
(catalog.ranking) or of harvested records (harvesting.search): for the windows whose words are
so common that FTS5's bm25() would read their whole posting lists (issue 24)."""

from __future__ import annotations

import math

# The columns' weights, as the catalog's FTS5 bm25() is called with them.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0

# BM25 as FTS5 computes it (k1, b and the column weights), over the segmented text.
BM25_K1, BM25_B = 1.2, 0.75


def bm25_window(rows: list[tuple], tokens: list[str], idf: list[float]) -> list[tuple]:
    """(id, tier, title text, body text, quality) rows as (id, tier, -bm25, quality)."""
    scores = bm25_scores([(title, body) for _, _, title, body, _ in rows], tokens, idf)
    return [
        (pk, tier, -score, quality)
        for (pk, tier, _, _, quality), score in zip(rows, scores, strict=True)
    ]


def bm25_scores(texts: list[tuple[str, str]], tokens: list[str], idf: list[float]) -> list[float]:
    """BM25 as FTS5 computes it (k1, b and the column weights) of each (title, body) text, for
    the catalog's window and the union catalog's harvested one alike. The text is
    space-separated tokens: a token's hits are counted as " token " in " text " (C string
    search, no word lists), its length as its spaces. The average length is the window's own,
    close enough to the index's for an order."""
    padded = [(f" {title or ''} ", f" {body or ''} ") for title, body in texts]
    lengths = [title.count(" ") + body.count(" ") - 2 for title, body in padded]
    average = max(sum(lengths) / len(lengths), 1.0) if lengths else 1.0
    needles = [(f" {token} ", weight) for token, weight in zip(tokens, idf, strict=True)]
    k1, lift = BM25_K1, BM25_K1 + 1
    scores = []
    for (title, body), length in zip(padded, lengths, strict=True):
        norm = k1 * (1 - BM25_B + BM25_B * length / average)
        score = 0.0
        for needle, weight in needles:
            hits = TITLE_WEIGHT * title.count(needle) + BODY_WEIGHT * body.count(needle)
            score += weight * hits * lift / (hits + norm)
        scores.append(score)
    return scores


def bm25_idf(size: float, n: float) -> float:
    """log((N - n + 0.5) / (n + 0.5)) as FTS5's bm25 has it; the size may be up to a minute
    old, and a word in over half the rows weighs about nothing."""
    return max(math.log((max(size, n) - n + 0.5) / (n + 0.5)), 1e-6)
