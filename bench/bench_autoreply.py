"""The WeChat auto-reply path under load: callback → rule or catalog search → passive reply.

    python bench/bench_autoreply.py          # from the repository root

Builds (or reuses) the catalog of ``bench_catalog_search`` — BENCH_AUTOREPLY_ROWS descriptions
(default 1,000,000) in eight archives, with Zipf-distributed words and a share of confidential,
restricted and closed items — on a throwaway SQLite file or, when DATABASE_URL is PostgreSQL, a
database ``archivox_bench_search`` on that server. Then three archives get a WeChat account each:

- ``bench1`` has no rule: every message goes to the inbox and is acknowledged (the baseline,
  "the bare callback with no rule": store, thread into a consultation, passive text);
- ``bench2`` has keyword rules (contains / exact / regex): a passive text reply;
- ``bench3`` has a catalog rule: the top 3 open items for the message, as a passive news reply.

gunicorn serves the project (BENCH_AUTOREPLY_WORKERS workers, loopback only) and
BENCH_AUTOREPLY_USERS simulated followers (default 100, all at once) each send
BENCH_AUTOREPLY_MESSAGES text messages (default 5) one after the other, as fast as answers come,
following WeChat's rule (5 s a try, 3 tries). Requests are signed before the clock starts
(plaintext mode, so that the load generator stays light; the callback benchmark covers AES).

Each scenario runs twice, 2,000 messages a pass by default: paced (the users together send
BENCH_AUTOREPLY_RATE messages a second, as people pause between messages) and all at once
(each next message as soon as the answer comes: latency is then queueing, and throughput the
server's capacity; the target is judged on this pass, issue 24). Reported per pass: p50/p99
latency of the first try, throughput, replies of the expected kind, and for the catalog
scenario whether any reply pointed at material that is not open (it must be 0). Then the
ratio of the catalog path's p99 to the baseline's. The issue's target: p99 < 500 ms for the
auto-reply path with 100 users at once. Nothing is asserted; the final table says what holds.

Environment: BENCH_AUTOREPLY_ROWS (1000000), BENCH_AUTOREPLY_USERS (100),
BENCH_AUTOREPLY_MESSAGES (20), BENCH_AUTOREPLY_RATE (50 messages a second from all users
together in the paced pass), BENCH_AUTOREPLY_WORKERS (4), BENCH_AUTOREPLY_WORKER_CLASS (sync),
BENCH_AUTOREPLY_THREADS (1), BENCH_AUTOREPLY_REUSE=1 (keep the catalog for the next run and
reuse a kept one of the same size: building 1M rows takes a long while; the same files as
``BENCH_SEARCH_KEEP``/``BENCH_SEARCH_REUSE`` of the search benchmark).
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

ROWS = int(os.environ.get("BENCH_AUTOREPLY_ROWS", "1000000"))
USERS = int(os.environ.get("BENCH_AUTOREPLY_USERS", "100"))
# 100 users × 20 = 2,000 messages a pass (issue 24).
MESSAGES = int(os.environ.get("BENCH_AUTOREPLY_MESSAGES", "20"))
REUSE = os.environ.get("BENCH_AUTOREPLY_REUSE") == "1"
# Messages a second from all users together in the paced pass (people pause between messages);
# the saturated pass sends each next message as soon as the answer comes.
RATE = float(os.environ.get("BENCH_AUTOREPLY_RATE", "50"))
# Judged on the all-at-once pass (issue 24).
TARGET_MS = 500.0

# The search benchmark's data set and the callback benchmark's server and load generator,
# configured through their environment (restored at the end, for bench/run.py's next bench).
_SAVED_ENV = {
    name: os.environ.get(name)
    for name in (
        "BENCH_SEARCH_ROWS",
        "BENCH_SEARCH_KEEP",
        "BENCH_SEARCH_REUSE",
        "BENCH_CALLBACK_WORKERS",
        "BENCH_CALLBACK_WORKER_CLASS",
        "BENCH_CALLBACK_THREADS",
    )
}
os.environ["BENCH_SEARCH_ROWS"] = str(ROWS)
if REUSE:
    os.environ["BENCH_SEARCH_KEEP"] = "1"
    os.environ["BENCH_SEARCH_REUSE"] = "1"
os.environ["BENCH_CALLBACK_WORKERS"] = os.environ.get("BENCH_AUTOREPLY_WORKERS", "4")
os.environ["BENCH_CALLBACK_WORKER_CLASS"] = os.environ.get("BENCH_AUTOREPLY_WORKER_CLASS", "sync")
os.environ["BENCH_CALLBACK_THREADS"] = os.environ.get("BENCH_AUTOREPLY_THREADS", "1")
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

import bench_catalog_search as catalog_bench  # noqa: E402
import bench_wechat_callback as callback_bench  # noqa: E402
import summary  # noqa: E402
from throwaway import vacuum_analyze  # noqa: E402

# What the followers write to each archive. The catalog's followers ask CATALOG_QUERIES
# different things, from rare to common words, each as often as its rank says (Zipf, s = 1:
# a few questions are asked by many, most by one or two), so the catalog rule's answers kept
# for five minutes (consultations.replies.ANSWERS_CACHE_SECONDS, shared by the worker processes
# through consultations.kept_answers) help as much as they would there, and no more: in the
# all-at-once pass after the paced one about 11 % of the answered messages ask something no one
# asked before (simulated), and about a quarter what their worker process had not kept itself.
CATALOG_QUERIES = int(os.environ.get("BENCH_AUTOREPLY_QUERIES", "600"))
NAMED = ["白崇禧公馆", "拙政园", "南京 照片", "都江堰", "丝绸", "西南联大", "中山陵 照片", "档案"]


def catalog_queries(count: int = CATALOG_QUERIES) -> list[str]:
    """``count`` different questions in the catalog's words, most popular first."""
    rng = random.Random(20161206)  # noqa: S311 - a fixed mix of questions, not a secret
    places = [zh for zh, _ in catalog_bench.PLACES]
    subjects = [zh for zh, _ in catalog_bench.SUBJECTS]
    kinds = [zh for zh, _ in catalog_bench.DOC_TYPES]
    rare = [zh for zh, _, _ in catalog_bench.RARE]
    seen, queries = set(NAMED), list(NAMED)
    shapes = (
        lambda: f"{rng.choice(places)}{rng.choice(subjects)}{rng.choice(kinds)}",
        lambda: f"{rng.choice(places)} {rng.choice(kinds)}",
        lambda: f"{rng.choice(subjects)}{rng.choice(kinds)}",
        lambda: f"{rng.choice(rare)} {rng.choice(kinds)}",
        lambda: f"有没有{rng.choice(places)}的{rng.choice(subjects)}资料",
        lambda: rng.choice(subjects + rare + places),
    )
    while len(queries) < count:
        query = rng.choice(shapes)()
        if query not in seen:
            seen.add(query)
            queries.append(query)
    rng.shuffle(queries)
    return queries[:count]


SCENARIOS = {
    "bench1": ("no rule (baseline)", ["请问如何查询档案？", "我想预约", "你好", "谢谢"]),
    "bench2": ("keyword rules", ["请问开放时间？", "预约", "地址在哪里", "查档 须知"]),
    "bench3": ("catalog search hits", []),  # catalog_queries(), drawn by popularity
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_accounts() -> dict[str, dict[str, str]]:
    """A WeChat account for each scenario archive, and the rules of bench2 and bench3."""
    from archivox.consultations import services
    from archivox.consultations.models import (
        AutoReplyRule,
        Consultation,
        InboundMessage,
        KeptAnswer,
    )
    from archivox.core.models import Archive, PlatformAccount

    InboundMessage.objects.all().delete()
    Consultation.objects.all().delete()
    AutoReplyRule.objects.all().delete()
    accounts = {}
    for slug in SCENARIOS:
        archive = Archive.objects.get(slug=slug)
        credentials = {
            "appid": "wx" + secrets.token_hex(8),
            "app_secret": secrets.token_hex(16),
            "token": secrets.token_hex(8),
            "encoding_aes_key": base64.b64encode(os.urandom(32)).decode().rstrip("="),
            "original_id": f"gh_{secrets.token_hex(6)}",
        }
        # Replaced, not updated: a kept catalog may have been made with another var dir, whose
        # field key cannot decrypt the old account's secrets (`make bench` after a run alone).
        PlatformAccount.objects.filter(
            archive=archive, platform=PlatformAccount.Platform.WECHAT
        ).only("pk").delete()
        PlatformAccount.objects.create(
            archive=archive,
            platform=PlatformAccount.Platform.WECHAT,
            # The followers below send plaintext, so the account is set to take it.
            **credentials,
            is_active=True,
            message_mode="plaintext",
        )
        accounts[slug] = credentials
    bench2 = Archive.objects.get(slug="bench2")
    for values in (
        {"match": "contains", "pattern": "开放时间", "kind": "text", "text": "周一至周五 9-17 时"},
        {"match": "exact", "pattern": "预约", "kind": "link", "title": "预约查档",
         "url": "https://example.org/book"},
        {"match": "regex", "pattern": r"地址|在哪", "kind": "text", "text": "北京东路41号"},
        {"match": "contains", "pattern": "须知", "kind": "news", "title": "查档须知",
         "description": "证件与流程", "url": "https://example.org/rules"},
    ):  # fmt: skip
        services.autoreply_rule_create(actor=None, archive=bench2, name=values["pattern"], **values)
    services.autoreply_rule_create(
        actor=None,
        archive=Archive.objects.get(slug="bench3"),
        name="catalog",
        match="any",
        kind="catalog",
        max_hits=3,
    )
    # The rows the last run left dead, cleared, and statistics for the planner (97,000 dead
    # messages after a few runs on a server with autovacuum off, the inbox never analysed).
    vacuum_analyze(InboundMessage, Consultation, KeptAnswer)
    return accounts


PREPARED: list[str] = []  # each load draws its own questions


def prepare(
    slug: str, credentials: dict[str, str], users: int = USERS, messages_each: int = MESSAGES
) -> list[list[tuple[str, str, bytes]]]:
    from archivox.platforms.wechat.xml import parse_xml
    from archivox.sandbox.wechat_user import WeChatUser

    texts = SCENARIOS[slug][1]
    popular: list[str] = []
    if not texts:
        popular = catalog_queries()
        weights = [1.0 / rank for rank in range(1, len(popular) + 1)]
        rng = random.Random(f"{slug}-{users}-{messages_each}-{len(PREPARED)}")  # noqa: S311
    PREPARED.append(slug)
    load = []
    for index in range(users):
        user = WeChatUser(
            "http://127.0.0.1", slug, credentials["token"], credentials["encoding_aes_key"],
            credentials["appid"], mode="plain", to=credentials["original_id"],
            touch_sandbox=False,
        )  # fmt: skip
        messages = []
        for number in range(messages_each):
            if texts:
                text = texts[(index + number) % len(texts)]
            else:
                text = rng.choices(popular, weights)[0]
            plaintext = user.message_xml("text", {"Content": text})
            prepared = user.prepare(plaintext)
            target = f"/wechat/{slug}/callback?{urlencode(prepared.params)}"
            messages.append((str(parse_xml(plaintext)["MsgId"]), target, prepared.body))
        load.append(messages)
    return load


def check(slug: str, result) -> dict[str, object]:
    """Reply kinds, and for the catalog: every linked item must be open."""
    from archivox.catalog.models import Access, Description
    from archivox.platforms.wechat.xml import parse_xml

    kinds: dict[str, int] = {}
    codes: set[str] = set()
    for outcome in result.outcomes:
        if outcome.status != 200 or outcome.body.strip() in (b"", b"success"):
            kinds["success/none"] = kinds.get("success/none", 0) + 1
            continue
        fields = parse_xml(outcome.body)
        kind = str(fields.get("MsgType"))
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "news":
            items = fields["Articles"]["item"]
            for item in items if isinstance(items, list) else [items]:
                path = urlsplit(str(item["Url"])).path
                if "/catalog/" in path:
                    codes.add(path.split("/catalog/", 1)[1].rstrip("/"))
    leaked = 0
    if codes:
        leaked = (
            Description.objects.filter(archive__slug=slug, reference_code__in=codes)
            .exclude(effective_access=Access.OPEN)
            .count()
        )
    return {"kinds": kinds, "items": len(codes), "not_open": leaked}


def main() -> int:
    from django.conf import settings

    if settings.configured:
        import subprocess

        return subprocess.run([sys.executable, __file__], check=False).returncode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archivox.settings")
    os.environ.setdefault("ARCHIVOX_VAR_DIR", str(REPO / "var" / "bench-search"))
    original_url = os.environ.get("DATABASE_URL")
    where, cleanup = catalog_bench.prepare_database()
    server = None
    try:
        import django

        django.setup()
        import jieba
        from django.core.management import call_command

        from archivox.catalog.models import Description

        call_command("migrate", verbosity=0)
        catalog_bench.describe_columns()
        jieba.initialize()
        print(f"auto-reply benchmark: {ROWS:,} descriptions on {where}; {USERS} users")
        existing = Description.objects.count()
        if REUSE and existing == ROWS:
            print(f"reusing the {existing:,} descriptions already there")
        else:
            if existing:
                raise SystemExit(f"{where} already holds {existing:,} descriptions")
            seconds = catalog_bench.load(ROWS)
            print(f"catalog loaded and indexed in {seconds:.0f} s")
        accounts = setup_accounts()
        loads = {
            (slug, paced): prepare(slug, accounts[slug])
            for slug in SCENARIOS
            for paced in (True, False)
        }
        from django.db import connections

        connections.close_all()
        env = {
            **os.environ,
            "ARCHIVOX_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ARCHIVOX_SANDBOX": "0",
        }
        log_path = Path(tempfile.mkdtemp(prefix="bench_autoreply_")) / "gunicorn.log"
        server = callback_bench.Server(env, log_path)
        server.wait_ready()
        # Warm every worker (imports, jieba's dictionary, the rule cache).
        for slug in SCENARIOS:
            warmup = prepare(slug, accounts[slug], users=8, messages_each=3)
            asyncio.run(callback_bench.drive(server.port, warmup))
        figures: dict[tuple[str, bool], float] = {}
        medians: dict[tuple[str, bool], float] = {}
        print(
            f"\n{'scenario':<24} {'pass':<10} {'messages':>8} {'p50':>8} {'p99':>8} {'msg/s':>8}"
            "  replies"
        )
        for slug, (label, _texts) in SCENARIOS.items():
            for paced in (True, False):
                result = callback_bench.measure(
                    server, loads[(slug, paced)], rate=RATE if paced else None
                )
                latencies = [o.latency * 1000 for o in result.outcomes if o.status == 200]
                p50 = callback_bench.percentile(latencies, 0.5)
                p99 = callback_bench.percentile(latencies, 0.99)
                checked = check(slug, result)
                figures[(slug, paced)] = p99
                medians[(slug, paced)] = p50
                throughput = len(result.outcomes) / result.elapsed if result.elapsed else 0.0
                failed = sum(1 for o in result.outcomes if o.status != 200)
                extra = ""
                if slug == "bench3":
                    extra = f" items={checked['items']} not_open={checked['not_open']}"
                name = f"paced {RATE:g}/s" if paced else "all at once"
                print(
                    f"{label:<24} {name:<10} {len(result.outcomes):>8} {p50:>6.0f}ms {p99:>6.0f}ms "
                    f"{throughput:>8.1f}  {checked['kinds']} failed={failed}{extra}",
                    flush=True,
                )
        for paced in (True, False):
            baseline = figures[("bench1", paced)]
            name = "paced" if paced else "all at once"
            print(
                f"{name}: catalog p99 / baseline p99 = "
                f"{figures[('bench3', paced)] / max(baseline, 0.001):.2f}x; keyword p99 / "
                f"baseline p99 = {figures[('bench2', paced)] / max(baseline, 0.001):.2f}x"
            )
        worst = max(figures[("bench3", False)], figures[("bench2", False)])
        print(
            f"target (issue): auto-reply p99 < {TARGET_MS:.0f} ms with {USERS} users at once "
            f"-> {'met' if worst < TARGET_MS else 'NOT met'} ({worst:.0f} ms)"
        )
        database = "PostgreSQL" if where.startswith("PostgreSQL") else "SQLite"
        baseline = figures[("bench1", False)]
        rows = []
        for slug in ("bench3", "bench2"):
            label = SCENARIOS[slug][0]
            rows.append(
                summary.Row(
                    f"auto-reply, {database}",
                    f"{label}: p99 < {TARGET_MS:.0f} ms, {USERS} at once, {ROWS:,} items",
                    f"p99 {summary.ms(figures[(slug, False)])} "
                    f"(p50 {summary.ms(medians[(slug, False)])}); paced {RATE:g}/s: "
                    f"p99 {summary.ms(figures[(slug, True)])}",
                    f"no rule p99 {summary.ms(baseline)}",
                    summary.times(figures[(slug, False)] / max(baseline, 0.001)),
                    figures[(slug, False)] < TARGET_MS,
                )
            )
        summary.report(rows)
    finally:
        if server is not None:
            server.stop()
        cleanup()
        if original_url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = original_url
        for name, value in _SAVED_ENV.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return 0


if __name__ == "__main__":
    status = main()
    if status:
        sys.exit(status)
