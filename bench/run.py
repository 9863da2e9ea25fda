"""Run every benchmark in bench/ (bench_*.py); each prints its figure next to its baseline.

Benchmarks are not tests: they print ratios measured in the same run and assert nothing about time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    benches = sorted(HERE.glob("bench_*.py"))
    if not benches:
        print("no benchmarks yet")
        return 0
    sys.path.insert(0, str(HERE))
    import summary

    # Every benchmark appends its final table's rows here (bench/summary.py), also from the
    # child processes some of them run in; the summary of them all is printed at the end.
    handle, collected = tempfile.mkstemp(prefix="bench_summary_", suffix=".jsonl")
    os.close(handle)
    os.environ["BENCH_SUMMARY_FILE"] = collected
    failed = []
    for bench in benches:
        print(f"== {bench.stem}", flush=True)
        # Each benchmark runs as its own script, in a process of its own: a benchmark configures
        # Django from the environment it sets (its database, var dir, site address), which one
        # process can do only once. (In one process the publishing benchmark queued its tasks
        # where its workers did not look, and sent to the first benchmark's address.) One that
        # stops (an error, a missing tool) does not stop the others.
        done = subprocess.run([sys.executable, str(bench)], cwd=HERE.parent, check=False)
        if done.returncode != 0:
            print(f"{bench.stem} stopped: {done.returncode}", flush=True)
            failed.append(bench.stem)
    rows = summary.collected(collected)
    os.unlink(collected)
    print("\n== summary: every goal, measured in this run")
    if rows:
        print(summary.table(rows))
        unmet = [row for row in rows if row.met is False]
        print(f"{len(rows) - len(unmet)} of {len(rows)} rows met or reported; {len(unmet)} not met")
    if failed:
        print(f"benchmarks that stopped: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
