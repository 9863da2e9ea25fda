"""Survey indicators at (a fraction of) national scale, with their baselines.

The issue's national scale is 4,000 archives, 12,000 accounts, 12,000,000 post records and
13,000,000 metric snapshots. BENCH_SURVEY_SCALE (default 0.05) is the fraction generated here:
archives and accounts shrink with it, each account keeps its national load (1,000 posts in the
year, 1,083 daily snapshots). BENCH_SURVEY_SCALE=1 is the full national scale.

Measured, in one run, on a throwaway database (a temporary SQLite file, or a database
``archivox_bench_survey`` on the server of DATABASE_URL when that is PostgreSQL):

1. import: the generated CSV files through ``survey.imports.survey_import`` (the
   ``import_survey`` path: every row checked, all or nothing, the monthly roll-up of the posts
   written at its end);
2. indicators: everything the report computes for the year (``indicators_compute``: presence,
   coverage, reach, content, interaction, security, per-account WCI/BCI; activity by month and
   region; WCI/BCI by month and account), the year's whole months read from the roll-up; and,
   beside it, the same rows by a scan of every post, as they were computed before the roll-up;
3. baselines over the same rows:
   - DuckDB (when installed: ``pip install duckdb``, a dev dependency) running the same
     aggregations straight over the CSV data loaded into its own tables;
   - a naive loop: per account, fetch its posts and snapshots and aggregate in Python, timed on
     a sample of accounts and extrapolated.

Nothing is asserted about time; the figures are printed with their ratios.
"""

from __future__ import annotations

import csv
import datetime
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SURVEY_SCALE", "0.05"))
NATIONAL = {"archives": 4_000, "accounts": 12_000, "posts": 12_000_000, "snapshots": 13_000_000}
POSTS_PER_ACCOUNT = NATIONAL["posts"] // NATIONAL["accounts"]
SNAPSHOTS_PER_ACCOUNT = NATIONAL["snapshots"] // NATIONAL["accounts"]
AS_OF = datetime.date(2023, 12, 31)
YEAR_START = datetime.date(2023, 1, 1)
NAIVE_SAMPLE = 30
sys.path.insert(0, str(Path(__file__).resolve().parent))
import summary  # noqa: E402
from throwaway import run_on_throwaway_database, vacuum_analyze  # noqa: E402

BENCH_DATABASE = "archivox_bench_survey"
PLATFORMS = ("wechat", "weibo", "website")
TITLES = ["馆藏精品推荐", "档案里的城市记忆", "老照片", "红色档案", "名人手迹", "转发：本地新闻"]


def generate(folder: Path, seed: int = 2016) -> dict[str, int]:
    """accounts.csv, snapshots.csv and posts.csv in the documented import format."""
    rng = random.Random(seed)  # noqa: S311 - test data
    archives = max(12, round(NATIONAL["archives"] * SCALE))
    regions = max(3, archives // 12)
    counts = {"regions": regions, "archives": archives, "accounts": 0, "posts": 0, "snapshots": 0}
    accounts = []
    with (folder / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "institution",
                "institution_name",
                "region",
                "level",
                "platform",
                "handle",
                "opened_on",
            ]
        )
        for n in range(archives):
            region = f"r{n % regions:04d}"
            level = "city" if n < regions else ("district" if n % 3 else "county")
            slug = f"{region}-a{n:05d}"
            for platform in PLATFORMS:
                handle_name = f"{slug}-{platform}"
                opened = AS_OF - datetime.timedelta(
                    days=SNAPSHOTS_PER_ACCOUNT + rng.randint(0, 300)
                )
                writer.writerow(
                    [slug, f"Archive {n}", region, level, platform, handle_name, opened.isoformat()]
                )
                accounts.append((slug, platform, handle_name, rng.randint(50, 60_000)))
    counts["accounts"] = len(accounts)
    with (folder / "snapshots.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["institution", "platform", "handle", "date", "followers", "posts_total"])
        for slug, platform, handle_name, followers in accounts:
            for day in range(SNAPSHOTS_PER_ACCOUNT):
                date = AS_OF - datetime.timedelta(days=SNAPSHOTS_PER_ACCOUNT - 1 - day)
                writer.writerow(
                    [slug, platform, handle_name, date.isoformat(), followers + day * 3, day]
                )
                counts["snapshots"] += 1
    with (folder / "posts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "institution",
                "platform",
                "handle",
                "published",
                "title",
                "column",
                "original",
                "reads",
                "likes",
                "comments",
                "shares",
            ]
        )
        for index, (slug, platform, handle_name, followers) in enumerate(accounts):
            silent = index % 97 == 0  # some accounts stop posting in the autumn
            last_day = 250 if silent else 364
            for post in range(POSTS_PER_ACCOUNT):
                day = YEAR_START + datetime.timedelta(days=post * last_day // POSTS_PER_ACCOUNT)
                moment = f"{day.isoformat()} {8 + post % 12:02d}:{(post * 7) % 60:02d}"
                title = rng.choice(TITLES)
                original = "no" if title.startswith("转发") else "yes"
                reads = rng.randint(0, max(10, followers // 10))
                writer.writerow(
                    [
                        slug,
                        platform,
                        handle_name,
                        moment,
                        f"{title} {post}",
                        "精品" if original == "yes" else "",
                        original,
                        reads if platform != "website" else "",
                        reads // 20,
                        reads // 100,
                        reads // 50,
                    ]
                )
                counts["posts"] += 1
    return counts


def main() -> int:
    return run_on_throwaway_database(BENCH_DATABASE, _run)


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _run(scratch: Path) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from archivox.core.models import Region
    from archivox.survey import indicators as ind
    from archivox.survey import selectors, services
    from archivox.survey.imports import SurveyImportError, survey_import
    from archivox.survey.models import Account, MetricSnapshot, PostRecord

    call_command("migrate", verbosity=0)
    elapsed, counts = _timed(lambda: generate(scratch))
    print(
        f"database: {connection.vendor}; scale {SCALE:g} of national "
        f"({NATIONAL['archives']:,} archives, {NATIONAL['accounts']:,} accounts, "
        f"{NATIONAL['posts']:,} posts, {NATIONAL['snapshots']:,} snapshots)"
    )
    print(
        f"generated {counts['regions']:,} regions, {counts['archives']:,} archives, "
        f"{counts['accounts']:,} accounts, {counts['posts']:,} post records, "
        f"{counts['snapshots']:,} snapshots in {elapsed:.1f} s"
    )
    regions = [
        Region.objects.create(code=f"r{n:04d}", name=f"Region {n}", level="city", tier=2)
        for n in range(counts["regions"])
    ]
    survey = services.survey_create(
        actor=None, slug="bench", title="Bench", cutoff=AS_OF, regions=regions
    )
    files = [scratch / "accounts.csv", scratch / "snapshots.csv", scratch / "posts.csv"]
    try:
        import_seconds, report = _timed(lambda: survey_import(actor=None, sources=files))
    except SurveyImportError as exc:
        print("import failed:", *exc.report.lines()[:10], sep="\n  ")
        return 1
    rows = counts["posts"] + counts["snapshots"] + counts["accounts"]
    print(
        f"import_survey: {rows:,} rows in {import_seconds:.1f} s ({rows / import_seconds:,.0f} "
        f"rows/s): {report.summary()}"
    )
    national_rows = sum(NATIONAL[k] for k in ("accounts", "posts", "snapshots"))
    import_estimate = national_rows / (rows / import_seconds)
    print(
        f"  → national scale ({national_rows:,} rows) at this rate: "
        f"~{import_estimate / 60:.1f} min (target < 10 min)"
    )
    # The import's last step, timed alone: the monthly roll-up of every account rebuilt.
    from archivox.survey.services.post_months import post_months_refresh

    accounts = list(Account.objects.values_list("pk", flat=True))
    roll_up_seconds, _ = _timed(lambda: post_months_refresh(accounts))
    print(f"  of which the monthly roll-up (rebuilt again, timed alone): ~{roll_up_seconds:.1f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does on a server after an import this size: statistics, and the
        # visibility map that lets the scan read the index alone (this machine's server runs
        # with autovacuum off, so every post would otherwise be read from the table too).
        vacuum_analyze(PostRecord, MetricSnapshot, Account)

    scope = selectors.scope_get(survey=survey, as_of=AS_OF, start=YEAR_START)

    def everything() -> object:
        # As the report does: one scan of the posts by account and month feeds everything.
        result = ind.indicators_compute(scope)
        monthly = ind.activity_by_period(scope, period="month", period_rows=result.monthly)
        indices = ind.indices_by_period(scope, period="month", period_rows=result.monthly)
        return result, monthly, indices

    everything()  # warm the page cache once, as a served report would find it
    ours, (result, monthly, indices) = _timed(everything)
    print(
        f"indicators for the year {YEAR_START.year}: {ours:.2f} s "
        f"({len(result.accounts):,} accounts, {len(monthly):,} month×region rows, "
        f"{len(indices):,} month×account indices; {len(result.content.stale):,} stale accounts)"
    )
    national_estimate = ours / SCALE
    print(f"  → national scale, linear estimate: ~{national_estimate:.0f} s (target < 20 s)")
    # What the monthly roll-up spares: the same period rows from a scan of every post.
    scan_seconds, scanned = _timed(
        lambda: ind.account_period_rows(scope, period="month", from_posts=True)
    )
    same = len(scanned) == len(result.monthly)
    print(
        f"  the year's rows by account and month: {len(result.monthly):,} from the monthly "
        f"roll-up (written by the import) in the time above; a scan of the {counts['posts']:,} "
        f"posts gives {'the same' if same else 'DIFFERENT'} rows in {scan_seconds:.2f} s"
    )
    if not same:
        return 1

    # Baseline: a naive per-account loop in Python over the same database.
    sample = list(Account.objects.order_by("pk").values_list("pk", flat=True)[:NAIVE_SAMPLE])

    def naive() -> None:
        for account_id in sample:
            posts = list(
                PostRecord.objects.filter(
                    account_id=account_id, published_on__range=(YEAR_START, AS_OF)
                ).values("published_on", "is_original", "reads", "likes", "comments", "shares")
            )
            snapshots = list(
                MetricSnapshot.objects.filter(account_id=account_id, date__lte=AS_OF)
                .order_by("-date")
                .values("followers")[:1]
            )
            originals = [p for p in posts if p["is_original"]]
            reads = [p["reads"] or 0 for p in posts]
            likes = [p["likes"] or 0 for p in posts]
            if posts:
                ind.wci(
                    posts=len(posts),
                    reads=sum(reads),
                    reads_max=max(reads),
                    likes=sum(likes),
                    likes_max=max(likes),
                )
            by_month: dict[tuple[int, int], int] = {}
            for post in posts:
                key = (post["published_on"].year, post["published_on"].month)
                by_month[key] = by_month.get(key, 0) + 1
            _ = (snapshots, max((p["published_on"] for p in originals), default=None))

    naive_seconds, _ = _timed(naive)
    naive_total = naive_seconds / len(sample) * counts["accounts"]
    print(
        f"baseline naive per-account Python loop: {naive_seconds / len(sample) * 1000:.1f} ms per "
        f"account on {len(sample)} accounts → ~{naive_total:.1f} s for all "
        f"→ database aggregation is {naive_total / ours:.1f}× faster"
    )
    bench = f"survey, {summary.database(connection.vendor)}, {counts['posts']:,} posts"
    final = [
        summary.Row(
            bench,
            "import at national scale (25M rows) < 10 min",
            f"{import_seconds:,.0f} s for {rows:,} rows"
            + ("" if SCALE == 1 else f" → ~{import_estimate / 60:.1f} min at national scale"),
            "—",
            "—",
            import_estimate < 600,
        ),
        summary.Row(
            bench,
            "indicators for the year at national scale < 20 s",
            f"{summary.ms(ours * 1000)}"
            + ("" if SCALE == 1 else f" → ~{national_estimate:.0f} s at national scale"),
            f"naive per-account loop ~{summary.ms(naive_total * 1000)}",
            summary.times(naive_total / ours),
            national_estimate < 20,
        ),
    ]

    try:
        import duckdb
    except ImportError:
        print("baseline DuckDB: not installed (pip install duckdb); skipped")
        summary.report(final)
        return 0
    duck = duckdb.connect()

    def duck_load() -> None:
        for name in ("accounts", "snapshots"):
            duck.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{scratch / (name + '.csv')}')"  # noqa: S608
            )
        duck.execute(
            "CREATE TABLE posts AS SELECT * REPLACE (original = 'yes' AS original) "  # noqa: S608
            f"FROM read_csv('{scratch / 'posts.csv'}', types={{'original': 'VARCHAR'}})"
        )

    load_seconds, _ = _timed(duck_load)

    def duck_everything() -> object:
        per_account = duck.execute(
            """
            SELECT institution, platform, handle,
                   count(*) FILTER (WHERE published >= $start::DATE) AS posts,
                   count(*) FILTER (WHERE original AND published >= $start::DATE),
                   count(*) FILTER (WHERE NOT original AND published >= $start::DATE),
                   sum(reads), count(reads), max(reads), sum(likes), max(likes),
                   sum(comments), sum(shares), max(published::DATE),
                   max(published::DATE) FILTER (WHERE original)
            FROM posts WHERE published::DATE <= $as_of::DATE
            GROUP BY ALL
            """,
            {"start": YEAR_START, "as_of": AS_OF},
        ).fetchall()
        followers = duck.execute(
            """
            SELECT institution, platform, handle, arg_max(followers, date)
            FROM snapshots WHERE date <= $as_of::DATE GROUP BY ALL
            """,
            {"as_of": AS_OF},
        ).fetchall()
        monthly = duck.execute(
            """
            SELECT date_trunc('month', p.published)::DATE AS period, a.region,
                   count(DISTINCT (p.institution, p.platform, p.handle)), count(*),
                   count(*) FILTER (WHERE original), count(*) FILTER (WHERE NOT original),
                   sum(reads), sum(likes), sum(comments), sum(shares)
            FROM posts p JOIN accounts a USING (institution, platform, handle)
            WHERE p.published >= $start::DATE AND p.published::DATE <= $as_of::DATE
            GROUP BY ALL
            """,
            {"start": YEAR_START, "as_of": AS_OF},
        ).fetchall()
        indices = duck.execute(
            """
            SELECT date_trunc('month', published)::DATE, institution, platform, handle,
                   count(*), count(reads), sum(reads), max(reads), sum(likes), max(likes),
                   sum(comments), sum(shares)
            FROM posts
            WHERE published >= $start::DATE AND published::DATE <= $as_of::DATE
              AND platform IN ('wechat', 'weibo')
            GROUP BY ALL
            """,
            {"start": YEAR_START, "as_of": AS_OF},
        ).fetchall()
        coverage = duck.execute(
            "SELECT level, count(DISTINCT institution) FROM accounts GROUP BY level"
        ).fetchall()
        return per_account, followers, monthly, indices, coverage

    duck_everything()
    duck_seconds, (per_account, _, duck_monthly, duck_indices, _) = _timed(duck_everything)
    # DuckDB runs a query on every core, SQLite on one: its time, and so the ratio, moves with
    # the machine's other load; the thread count is printed beside it.
    (threads,) = duck.execute("SELECT current_setting('threads')").fetchone()
    print(
        f"baseline DuckDB {duckdb.__version__} on {threads} thread(s) (same aggregations over the "
        f"same rows, loaded in {load_seconds:.1f} s): {duck_seconds:.2f} s "
        f"({len(per_account):,} accounts, "
        f"{len(duck_monthly):,} month×region rows, {len(duck_indices):,} month×account rows) "
        f"→ ours is {ours / duck_seconds:.1f}× DuckDB (target within 3×)"
    )
    final.append(
        summary.Row(
            bench,
            "indicators ≤ 3× DuckDB (same results; DuckDB aggregates the posts)",
            f"{summary.ms(ours * 1000)} (whole months from the roll-up; the scan of the "
            f"posts it spares alone: {summary.ms(scan_seconds * 1000)})",
            f"DuckDB {summary.ms(duck_seconds * 1000)} on {threads} thread(s)",
            summary.times(ours / duck_seconds),
            ours / duck_seconds <= 3,
        )
    )
    summary.report(final)
    return 0


def _django_already_set_up() -> bool:
    try:
        from django.apps import apps
    except ImportError:  # pragma: no cover
        return False
    return apps.ready


if __name__ == "__main__":
    if _django_already_set_up():
        status = subprocess.run([sys.executable, __file__], check=False).returncode
    else:
        status = main()
    if status:
        sys.exit(status)
