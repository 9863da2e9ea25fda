"""The published indices (WCI 2.0 for WeChat, BCI for Weibo), the paper's follower bands, and
the median and share every finding's measures are made of."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

from archivox.survey.models import FollowersBand


def _component(total: float, average: float, peak: float) -> float:
    return 0.4 * math.log(total + 1) + 0.45 * math.log(average + 1) + 0.15 * math.log(peak + 1)


def wci_from_averages(
    *,
    reads: float,
    reads_per_post: float,
    reads_max: float,
    likes: float,
    likes_per_post: float,
    likes_max: float,
) -> float:
    """WCI 2.0 = (0.8·Read + 0.2·Like)² × 10, Read = 0.4·ln(R+1) + 0.45·ln(R/n+1) +
    0.15·ln(Rmax+1), Like the same on likes (Z, Z/n, Zmax)."""
    read = _component(reads, reads_per_post, reads_max)
    like = _component(likes, likes_per_post, likes_max)
    return (0.8 * read + 0.2 * like) ** 2 * 10


def wci(
    *, posts: int, reads: float, reads_max: float, likes: float, likes_max: float
) -> float | None:
    """WCI 2.0 of ``posts`` articles with ``reads`` reads and ``likes`` likes in all; None when
    there is no article."""
    if posts <= 0:
        return None
    return wci_from_averages(
        reads=reads,
        reads_per_post=reads / posts,
        reads_max=reads_max,
        likes=likes,
        likes_per_post=likes / posts,
        likes_max=likes_max,
    )


def bci(*, posts: float, reposts: float, comments: float, likes: float) -> float:
    """BCI = (0.2·ln(posts+1) + 0.8·(0.4·ln(reposts+1) + 0.4·ln(comments+1) +
    0.2·ln(likes+1))) × 160."""
    spread = 0.4 * math.log(reposts + 1) + 0.4 * math.log(comments + 1) + 0.2 * math.log(likes + 1)
    return (0.2 * math.log(posts + 1) + 0.8 * spread) * 160


def followers_band(followers: int | None) -> str:
    """The paper's band of a follower count: few (<10), hundreds (10–999), thousands, tens of
    thousands (≥10,000); the paper has no "tens" band, so 10–99 counts as hundreds."""
    if followers is None:
        return ""
    if followers < 10:
        return FollowersBand.FEW.value
    if followers < 1_000:
        return FollowersBand.HUNDREDS.value
    if followers < 10_000:
        return FollowersBand.THOUSANDS.value
    return FollowersBand.TEN_THOUSANDS.value


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
