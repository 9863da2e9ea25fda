"""Run every benchmark in bench/ (bench_*.py); each prints its figure next to its baseline.

Benchmarks are not tests: they print ratios measured in the same run and assert nothing about time.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    benches = sorted(HERE.glob("bench_*.py"))
    if not benches:
        print("no benchmarks yet")
        return 0
    for bench in benches:
        print(f"== {bench.stem}")
        runpy.run_path(str(bench), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
