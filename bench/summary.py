"""The final table every benchmark prints (goal, measured, baseline, ratio, met), and the one
``bench/run.py`` prints over all of them (issue 24).

A benchmark calls ``report(rows)`` at its end. When ``BENCH_SUMMARY_FILE`` is set (bench/run.py
sets it), the rows are also appended there as JSON lines, so the summary survives benchmarks that
run in child processes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import machine  # bench/machine.py, next to this file


@dataclass
class Row:
    bench: str
    goal: str
    measured: str
    baseline: str = "—"
    ratio: str = "—"
    met: bool | None = None  # None: reported, not judged


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "NO")


def table(rows: list[Row]) -> str:
    header = ("benchmark", "goal", "measured", "baseline", "ratio", "met")
    cells = [header] + [
        (r.bench, r.goal, r.measured, r.baseline, r.ratio, verdict(r.met)) for r in rows
    ]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(header))]
    lines = []
    for number, line in enumerate(cells):
        lines.append("| " + " | ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)) + " |")
        if number == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def report(rows: list[Row]) -> None:
    """Print ``rows`` as this benchmark's final table, and keep them for bench/run.py."""
    print()
    print(table(rows))
    # The machine's load: on a shared machine a wall-clock figure means little without it.
    # And its speed: on a virtual machine the same work has taken twice as long in one day.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"(load average over the last minute: {load:.1f} on {os.cpu_count()} CPUs; "
        f"a 10^7-step Python loop: {machine.loop_seconds():.2f} s)",
        flush=True,
    )
    path = os.environ.get("BENCH_SUMMARY_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def collected(path: str) -> list[Row]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as lines:
        return [Row(**json.loads(line)) for line in lines if line.strip()]


def database(vendor: str) -> str:
    """A Django connection's ``vendor`` as the final tables name it."""
    return "PostgreSQL" if vendor == "postgresql" else "SQLite"


def ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 1000 else f"{value / 1000:,.2f} s"


def times(value: float) -> str:
    return f"{value:,.1f}×"
