"""Server-side SVG charts of the survey report (matplotlib, no pyplot state).

Text stays text (``svg.fonttype = 'none'``): the browser's fonts draw the Chinese labels, and the
SVG names CJK fonts first so any system with one shows them. Titles and axis labels are in the
active language (translated when the chart is drawn, in the request's thread).
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.figure import Figure

from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.thresholds import (
    BAND_ORDER,
    ORIGINALITY_LOW,
    REACTIONS_PER_POST_LOW,
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
# Debian's CJK fonts (.ci/run installs them). matplotlib keeps its font list in a cache built
# the first time it ran, so fonts installed after that are unknown to it until added by path.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
_fonts_added = False


def _add_cjk_fonts() -> None:
    global _fonts_added
    if _fonts_added:
        return
    known = {Path(entry.fname).name for entry in font_manager.fontManager.ttflist}
    for path in CJK_FONT_FILES:
        if Path(path).is_file() and Path(path).name not in known:
            font_manager.fontManager.addfont(path)
    _fonts_added = True


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    # Inline in HTML: drop the XML declaration and DOCTYPE.
    return re.sub(r"^.*?(<svg)", r"\1", svg, count=1, flags=re.S)


def _render(draw: Callable[[Figure], None], *, width: float, height: float) -> str:
    with _lock, matplotlib.rc_context(RC), warnings.catch_warnings():
        _add_cjk_fonts()
        # Without any CJK font on the server only the layout's text widths are estimates: the
        # SVG keeps the text and the reader's browser draws it, so the warning is noise.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure = Figure(figsize=(width, height))
        draw(figure)
        return _svg(figure)


def _values(axes, container, fmt: str = "{:,.0f}") -> None:
    """Each bar's value written at its end."""
    axes.bar_label(container, labels=[fmt.format(v) for v in container.datavalues], padding=2)


def _threshold(axes, value: float, label: str, *, colour: str = COLOURS["muted"]) -> None:
    """The dashed threshold line, named in the legend."""
    axes.axvline(value, color=colour, linestyle="--", label=label)
    axes.legend(frameon=False, loc="lower right", fontsize=7)


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
        stacked = axes.bar(
            labels, table, bottom=accounts, color=COLOURS["second"], label=_("tables")
        )
        axes.bar_label(
            stacked,
            labels=[str(a + t) if a + t else "" for a, t in zip(accounts, table, strict=True)],
        )
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
        bars = axes.barh([a.label for a in rows][::-1], values[::-1], color=colours[::-1])
        _values(axes, bars)
        _threshold(axes, STALE_DAYS, _("stale after %(days)d days") % {"days": STALE_DAYS})
        axes.set_title(_("Days since the last update (forwards aside)"))
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
        bars = axes.barh([a.label for a in rows][::-1], values[::-1], color=colours[::-1])
        _values(axes, bars, "{:.0f}%")
        _threshold(
            axes,
            100 * ORIGINALITY_LOW,
            _("threshold: %(share)d%% originals") % {"share": 100 * ORIGINALITY_LOW},
        )
        axes.set_xlim(0, 110)
        axes.set_title(_("Share of original posts (%)"))

    return _render(draw, width=6.5, height=_height(len(rows)))


def interaction_chart(indicators: Indicators) -> str | None:
    """Reads per post (WeChat publishes them) and likes and comments per post, both platforms."""
    measured = indicators.interaction.measured
    reads = sorted(
        (a for a in measured if a.reads_per_post is not None), key=lambda a: a.reads_per_post or 0
    )[:MAX_BARS]
    reactions = sorted(
        (a for a in measured if _reactions(a) is not None), key=lambda a: _reactions(a) or 0
    )[:MAX_BARS]
    if not reads and not reactions:
        return None

    def draw(figure: Figure) -> None:
        panels = [p for p in (reads, reactions) if p]
        axes_list = figure.subplots(1, len(panels), squeeze=False)[0]
        index = 0
        if reads:
            axes = axes_list[index]
            index += 1
            bars = axes.barh([a.label for a in reads], [a.reads_per_post or 0 for a in reads])
            for bar in bars:
                bar.set_color(COLOURS["main"])
            _values(axes, bars)
            _threshold(axes, READS_PER_POST_LOW, _("weak under %(n)d") % {"n": READS_PER_POST_LOW})
            axes.set_title(_("Reads per post"))
        if reactions:
            axes = axes_list[index]
            bars = axes.barh(
                [a.label for a in reactions],
                [_reactions(a) or 0 for a in reactions],
                color=COLOURS["second"],
            )
            _values(axes, bars, "{:,.1f}")
            _threshold(
                axes, REACTIONS_PER_POST_LOW, _("weak under %(n)d") % {"n": REACTIONS_PER_POST_LOW}
            )
            axes.set_title(_("Likes and comments per post"))

    return _render(draw, width=8.5, height=_height(max(len(reads), len(reactions))))


def _reactions(a: AccountIndicators) -> float | None:
    parts = [v for v in (a.likes_per_post, a.comments_per_post) if v is not None]
    return sum(parts) if parts else None


def response_chart(response_hours: list[float]) -> str | None:
    """First-response times of consultations (hours), when the inbox supplies them."""
    if not response_hours:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.hist(response_hours, bins=min(20, max(5, len(response_hours) // 5)))
        _threshold(
            axes,
            RESPONSE_HOURS_HIGH,
            _("%(hours)d h: WeChat's limit") % {"hours": RESPONSE_HOURS_HIGH},
            colour=COLOURS["alert"],
        )
        axes.set_title(_("First response (hours)"))

    return _render(draw, width=5.5, height=3)


def _index_chart(rows: list[AccountIndicators], name: str, colour: str) -> str | None:
    """One index's ranking: WCI and BCI are on different scales, so never on one axis."""
    rows = rows[:MAX_BARS]
    if not rows:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        bars = axes.barh(
            [a.label for a in rows][::-1], [a.index or 0 for a in rows][::-1], color=colour
        )
        _values(axes, bars, "{:,.1f}")
        axes.set_title(_("%(index)s ranking") % {"index": name})

    return _render(draw, width=6.5, height=_height(len(rows)))


def wci_chart(indicators: Indicators) -> str | None:
    return _index_chart(
        [a for a in indicators.ranking if a.wci is not None], "WCI", COLOURS["main"]
    )


def bci_chart(indicators: Indicators) -> str | None:
    return _index_chart(
        [a for a in indicators.ranking if a.bci is not None], "BCI", COLOURS["second"]
    )


def report_charts(indicators: Indicators) -> dict[str, str | None]:
    """Every chart of the report by name; None where there is nothing to draw."""
    return {
        "followers": followers_chart(indicators),
        "freshness": freshness_chart(indicators),
        "originality": originality_chart(indicators),
        "interaction": interaction_chart(indicators),
        "responses": None,  # drawn when the engagement inbox supplies response times
        "wci": wci_chart(indicators),
        "bci": bci_chart(indicators),
    }
