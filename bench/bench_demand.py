"""Public searches and item views while their demand is counted (issue 24).

    python bench/bench_demand.py            # from the repository root; needs Debian's wrk

On a throwaway database (SQLite, or PostgreSQL when DATABASE_URL names one) with the demo
catalog: gunicorn (BENCH_DEMAND_WORKERS gthread workers × BENCH_DEMAND_THREADS) serves only public
searches (three in four requests, over nine terms, some finding nothing) and description pages;
wrk keeps BENCH_DEMAND_CONNECTIONS connections busy for BENCH_DEMAND_SECONDS (default 30).

Measured: requests per second and p50/p99 with the counts batched in memory (the default,
``ARCHIVOX_DEMAND_FLUSH_HITS=200``). Baseline, same run, same server settings: every hit written
as it happens (``ARCHIVOX_DEMAND_FLUSH_HITS=1``, the behaviour before issue 24: one upsert per
public request, serialised on SQLite's write lock). Both passes then check that every counted
search reached the database (none lost once the server has stopped). Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import summary  # noqa: E402

from bench.bench_load import WRK_REPORT_LUA, free_port, manage, wrk  # noqa: E402
from bench.throwaway import run_on_throwaway_database  # noqa: E402

SECONDS = int(os.environ.get("BENCH_DEMAND_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_DEMAND_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_DEMAND_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_DEMAND_THREADS", "4"))
SEARCHES = ["白崇禧", "公馆", "园林", "哈密", "民国 建筑", "档案", "garden", "修缮 报告", "无此词"]

LUA = (
    r"""
local counter = 0
local paths = %(paths)s
local searches = %(searches)s

function request()
  counter = counter + 1
  if counter %% 4 == 0 then
    return wrk.format("GET", paths[(counter %% #paths) + 1])
  end
  return wrk.format("GET", "/search/?archive=nanjing&q=" .. searches[(counter %% #searches) + 1])
end

"""
    + WRK_REPORT_LUA
)


def counted(env: dict[str, str]) -> int:
    return int(
        manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "from django.db.models import Sum;"
            "from archivox.catalog.models import PublicDemand as P;"
            "print(P.objects.filter(kind__in=['search', 'description'])"
            ".aggregate(n=Sum('count'))['n'] or 0)",
        ).strip()
    )


def serve_and_load(env: dict[str, str], port: int, script: Path, scratch: Path, name: str):
    gunicorn = [
        sys.executable, "-m", "gunicorn", "archivox.wsgi:application", "--no-control-socket",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
        "--worker-class", "gthread", "--threads", str(THREADS),
        "--backlog", "2048", "--timeout", "60",
    ]  # fmt: skip
    server = subprocess.Popen(
        gunicorn, cwd=REPO, env=env, stdout=(scratch / f"{name}.log").open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        before = counted(env)
        warm = wrk(port, script, 5)  # warm-up: imports, connections, caches
        load = os.getloadavg()[0]
        result = wrk(port, script, SECONDS)
        result["answered"] = warm["requests"] + result["requests"]
    finally:
        server.send_signal(signal.SIGTERM)  # a graceful stop: workers write what is pending
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    result["load"] = load
    result["counted"] = counted(env) - before
    return result


def bench(scratch: Path) -> int:
    env = dict(os.environ, ARCHIVOX_SANDBOX="1", ARCHIVOX_VAR_DIR=str(scratch / "var"))
    env.pop("REDIS_URL", None)
    port = free_port()
    env["ARCHIVOX_BASE_URL"] = f"http://127.0.0.1:{port}"
    env["ARCHIVOX_LOG_LEVEL"] = "WARNING"
    print("preparing: migrate, paper survey, demo catalog …", flush=True)
    manage(env, "migrate", "-v0")
    manage(env, "load_paper_survey")
    manage(env, "load_demo_catalog")
    codes = json.loads(
        manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "import json; from archivox.catalog.models import Description as D;"
            "print(json.dumps(list(D.objects.filter(archive__slug='nanjing',"
            " effective_access='open').values_list('reference_code', flat=True)[:40])))",
        )
    )
    paths = [f"/archives/nanjing/catalog/{code}/" for code in codes]
    script = scratch / "demand.lua"
    script.write_text(
        LUA
        % {
            "paths": "{" + ", ".join(f'"{quote(p)}"' for p in paths) + "}",
            "searches": "{" + ", ".join(f'"{quote(s)}"' for s in SEARCHES) + "}",
        }
    )
    results = {}
    for name, hits in (("each hit written", "1"), ("batched", "200")):
        print(f"{name}: wrk for {SECONDS} s with {CONNECTIONS} connections …", flush=True)
        pass_env = dict(env, ARCHIVOX_DEMAND_FLUSH_HITS=hits, ARCHIVOX_DEMAND_FLUSH_SECONDS="10")
        results[name] = serve_and_load(pass_env, port, script, scratch, name.replace(" ", "_"))
    engine = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(f"\npublic searches and views on {engine}, {WORKERS}×{THREADS} gthread")
    for name, r in results.items():
        rate = r["requests"] / r["seconds"]
        # Each search and each view counts once (a search finding nothing also counts as such,
        # not added here): once the server has stopped, the hits written should equal the
        # requests answered (a few more: requests wrk sent but stopped waiting for).
        print(
            f"  {name:17s} {rate:8.1f} req/s  p50 {r['p50_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms"
            f"  errors {int(r['non_2xx'] + r['socket_errors'])}  hits written {r['counted']}"
            f" for {r['answered']} requests answered  (load average {r['load']:.1f})"
        )
    new, old = results["batched"], results["each hit written"]
    new_rate, old_rate = new["requests"] / new["seconds"], old["requests"] / old["seconds"]
    name = f"public search + views, {engine}"
    summary.report(
        [
            summary.Row(
                name,
                "demand counted off the request path: req/s",
                f"{new_rate:,.0f} req/s",
                f"each hit written: {old_rate:,.0f} req/s",
                summary.times(new_rate / max(old_rate, 1e-9)),
            ),
            summary.Row(
                name,
                "p99 latency",
                summary.ms(new["p99_ms"]),
                f"each hit written: {summary.ms(old['p99_ms'])}",
                summary.times(new["p99_ms"] / max(old["p99_ms"], 1e-9)),
            ),
            summary.Row(
                name,
                "no hit lost after a graceful stop",
                f"{new['counted']} hits written, {new['answered']} requests",
                f"each hit written: {old['counted']} of {old['answered']}",
                met=new["counted"] >= new["answered"],
            ),
        ]
    )
    return 0


def main() -> int:
    import shutil

    if shutil.which("wrk") is None:
        print("bench_demand: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return 0
    name = os.environ.get("BENCH_DB_PREFIX", "archivox_bench") + "_demand"
    return run_on_throwaway_database(name, bench)


if __name__ == "__main__":
    sys.exit(main())
