"""Server-side SVG charts of the survey report (matplotlib, no pyplot state).

Text stays text (``svg.fonttype = 'none'``): the browser's fonts draw the Chinese labels, and the
SVG names CJK fonts first so any system with one shows them. Titles and axis labels are in the
active language (translated when the chart is drawn, in the request's thread).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.thresholds import (
    BAND_ORDER,
    ORIGINALITY_LOW,
    READS_PER_POST_LOW,
    RESPONSE_HOURS_HIGH,
    STALE_DAYS,
    band_label,
)

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "archivox-survey",
    "font.family": "sans-serif",
    "font.sans-serif": [
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "PingFang SC",
        "Microsoft YaHei",
        "WenQuanYi Micro Hei",
        "DejaVu Sans",
    ],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = {"main": "#2f6f8f", "alert": "#c0392b", "muted": "#95a5a6", "second": "#e0a526"}
MAX_BARS = 25
_lock = threading.Lock()  # rc_context is process-wide


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    # Inline in HTML: drop the XML declaration and DOCTYPE.
    return re.sub(r"^.*?(<svg)", r"\1", svg, count=1, flags=re.S)


def _render(draw: Callable[[Figure], None], *, width: float, height: float) -> str:
    with _lock, matplotlib.rc_context(RC):
        figure = Figure(figsize=(width, height))
        draw(figure)
        return _svg(figure)


def _height(bars: int) -> float:
    return max(1.6, 0.6 + 0.28 * bars)


def followers_chart(indicators: Indicators) -> str | None:
    """How many accounts (and table observations) fall in each of the paper's bands."""
    reach = indicators.reach
    if not reach.band_observations:
        return None
    order = list(BAND_ORDER)
    if reach.bands.get("under_ten_thousand"):
        order.insert(-1, "under_ten_thousand")  # a bound below ten thousand, band unknown
    accounts = [reach.bands.get(band, 0) for band in order]
    table = [sum(1 for mention in reach.table_bands if mention.band == band) for band in order]
    labels = [band_label(band) for band in order]

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.bar(labels, accounts, color=COLOURS["main"], label=_("accounts"))
        axes.bar(labels, table, bottom=accounts, color=COLOURS["second"], label=_("tables"))
        axes.set_title(_("Followers by band"))
        axes.set_ylabel(_("observations"))
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(frameon=False)

    return _render(draw, width=5.5, height=3)


def freshness_chart(indicators: Indicators) -> str | None:
    """Days since each account's last original post, the stale line drawn."""
    rows = [a for a in indicators.accounts if a.days_since_original is not None]
    rows += [
        a
        for a in indicators.accounts
        if a.days_since_original is None and a.days_since_post is not None
    ]
    if not rows:
        return None
    rows = sorted(rows, key=lambda a: _days(a), reverse=True)[:MAX_BARS]

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        values = [_days(a) for a in rows]
        colours = [COLOURS["alert"] if a.stale else COLOURS["main"] for a in rows]
        axes.barh([a.label for a in rows][::-1], values[::-1], color=colours[::-1])
        axes.axvline(STALE_DAYS, color=COLOURS["muted"], linestyle="--")
        axes.set_title(_("Days since the last original post"))
        axes.set_xlabel(_("days (dashed line: %(days)d days = stale)") % {"days": STALE_DAYS})

    return _render(draw, width=6.5, height=_height(len(rows)))


def _days(a: AccountIndicators) -> int:
    if a.days_since_original is not None:
        return a.days_since_original
    return a.days_since_post or 0


def originality_chart(indicators: Indicators) -> str | None:
    rows = [a for a in indicators.accounts if a.originality is not None][:MAX_BARS]
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        values = [100 * (a.originality or 0) for a in rows]
        colours = [
            COLOURS["alert"] if (a.originality or 0) < ORIGINALITY_LOW else COLOURS["main"]
            for a in rows
        ]
        axes.barh([a.label for a in rows][::-1], values[::-1], color=colours[::-1])
        axes.axvline(100 * ORIGINALITY_LOW, color=COLOURS["muted"], linestyle="--")
        axes.set_xlim(0, 100)
        axes.set_title(_("Share of original posts (%)"))

    return _render(draw, width=6.5, height=_height(len(rows)))


def interaction_chart(indicators: Indicators) -> str | None:
    rows = [a for a in indicators.interaction.measured if a.reads_per_post is not None]
    rows = sorted(rows, key=lambda a: a.reads_per_post or 0)[:MAX_BARS]
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        reads_axes, likes_axes = figure.subplots(1, 2, sharey=True)
        labels = [a.label for a in rows]
        reads_axes.barh(labels, [a.reads_per_post or 0 for a in rows], color=COLOURS["main"])
        reads_axes.axvline(READS_PER_POST_LOW, color=COLOURS["muted"], linestyle="--")
        reads_axes.set_title(_("Reads per post"))
        likes_axes.barh(labels, [a.likes_per_post or 0 for a in rows], color=COLOURS["second"])
        likes_axes.set_title(_("Likes per post"))

    return _render(draw, width=7.5, height=_height(len(rows)))


def response_chart(response_hours: list[float]) -> str | None:
    """First-response times of consultations (hours), when the inbox supplies them."""
    if not response_hours:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.hist(response_hours, bins=min(20, max(5, len(response_hours) // 5)))
        axes.axvline(RESPONSE_HOURS_HIGH, color=COLOURS["alert"], linestyle="--")
        axes.set_title(_("First response (hours)"))

    return _render(draw, width=5.5, height=3)


def ranking_chart(indicators: Indicators) -> str | None:
    rows = indicators.ranking[:MAX_BARS]
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        labels = [f"{a.label} ({'WCI' if a.wci is not None else 'BCI'})" for a in rows]
        colours = [COLOURS["main"] if a.wci is not None else COLOURS["second"] for a in rows]
        axes.barh(labels[::-1], [a.index or 0 for a in rows][::-1], color=colours[::-1])
        axes.set_title(_("Communication index ranking"))

    return _render(draw, width=6.5, height=_height(len(rows)))


def report_charts(indicators: Indicators) -> dict[str, str | None]:
    """Every chart of the report by name; None where there is nothing to draw."""
    return {
        "followers": followers_chart(indicators),
        "freshness": freshness_chart(indicators),
        "originality": originality_chart(indicators),
        "interaction": interaction_chart(indicators),
        "responses": None,  # drawn when the engagement inbox supplies response times
        "ranking": ranking_chart(indicators),
    }
