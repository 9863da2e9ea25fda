"""The publishing desk: one post to all five channels for many archives, and rendering.

    python bench/bench_publishing.py          # from the repository root

On a throwaway database (a temporary SQLite file, or ``archivox_bench_publishing`` on the server
of DATABASE_URL when that is PostgreSQL): migrate, start gunicorn serving the WeChat and Weibo
sandboxes and the portal (loopback), give BENCH_PUBLISHING_ARCHIVES archives (default 100) a
sandbox WeChat and Weibo account, an open catalog item with an image, two email subscribers and
one approved post each (all through the real services). Then:

1. deliveries with workers: the desk publishes every post at once (``posts_publish_queue``:
   the caller checks and queues, in one transaction, issue 24), and 2 real ``manage.py
   run_huey`` worker processes (BENCH_PUBLISHING_THREADS threads each; by default the
   installation's own, ``ARCHIVOX_WORKER_THREADS``, 8), started and warmed up beforehand,
   render the posts and send the deliveries (5 channels each: 500 at the default scale; our
   own portal and feed are sent as the post is published); timed until every delivery is sent
   or failed, with each delivery's latency from its post queued to sent and the CPU the
   workers and the sandboxes' server used. The issue's targets: queued in under 2 s in the
   caller, all 500 done in under 10 s.
2. baseline: the same number of posts published again, every delivery sent one after the other
   in this one process (Huey's immediate mode); the ratio says what the workers buy.
3. rendering: a 5,000-character article rendered for all five channels (the desk's
   ``post_render``: content through the access gateway, then each channel's renderer), median of
   BENCH_PUBLISHING_RENDERS runs (default 30); baseline: nh3 cleaning the same body once. The
   issue's target: under 50 ms.

Nothing is asserted; the figures are printed with their ratios.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import summary  # noqa: E402
from machine import (  # noqa: E402
    children,
    cpu_seconds,
    loop_seconds,
    stolen_seconds,
    system_seconds,
)
from throwaway import run_on_throwaway_database  # noqa: E402

ARCHIVES = int(os.environ.get("BENCH_PUBLISHING_ARCHIVES", "100"))
# Unset: the threads a worker runs by default (settings.WORKER_THREADS). 32 were measured to
# cost a quarter more of the workers' CPU than 8 for the same deliveries (issue 24).
THREADS_ASKED = os.environ.get("BENCH_PUBLISHING_THREADS", "")
RENDERS = int(os.environ.get("BENCH_PUBLISHING_RENDERS", "30"))
WORKERS = 2
CHANNELS = ["wechat", "weibo", "portal", "feed", "email"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server stopped:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


def wait_idle(pids: list[int], timeout: float = 120) -> float:
    """Wait until the worker processes have started and warmed up (their CPU use settles), as
    they have long before anyone publishes; returns the seconds waited."""
    started = time.monotonic()
    time.sleep(1)
    quiet = 0
    last = cpu_seconds(pids)
    while quiet < 3 and time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = cpu_seconds(pids)
        quiet = quiet + 1 if now - last < 0.05 * len(pids) else 0
        last = now
    return time.monotonic() - started


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), "navy").save(out, "PNG")
    return out.getvalue()


def setup(count: int, offset: int) -> list:
    """``count`` archives with accounts, an item, subscribers and one approved post each."""
    from archivox.catalog import services as catalog
    from archivox.core.models import Archive, Membership, Region, Role, User
    from archivox.publishing import services
    from archivox.publishing.models import EmailSubscriber
    from archivox.sandbox.provisioning import sandbox_credentials_ensure

    region, _ = Region.objects.get_or_create(
        code="bench", defaults={"name": "Bench", "level": "city"}
    )
    author, _ = User.objects.get_or_create(username="bench-author", defaults={"is_staff": True})
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"is_staff": True})
    image = png()
    posts = []
    for n in range(offset, offset + count):
        archive = Archive.objects.create(
            slug=f"bench{n:03d}", name=f"Bench {n}", name_zh=f"测试档案馆{n}", level="city",
            region=region,
        )  # fmt: skip
        Membership.objects.create(user=author, archive=archive, role=Role.ARCHIVIST)
        Membership.objects.create(user=reviewer, archive=archive, role=Role.REVIEWER)
        sandbox_credentials_ensure(archive)
        item = catalog.description_create(
            actor=None, archive=archive, parent=None, reference_code=f"B-{n}", title="城墙图",
            level="item", scope_content="明代南京城墙全图。",
        )  # fmt: skip
        catalog.digital_object_add(actor=None, description=item, content=image)
        for k in range(2):
            EmailSubscriber.objects.create(
                archive=archive, email=f"r{k}@bench{n}.example", confirmed=True
            )
        post = services.post_create(
            actor=author,
            archive=archive,
            title=f"城墙里的南京 {n}",
            body_html="<p>南京城墙始建于明代，是世界上现存规模最大的城垣。</p>",
            digest="馆藏城墙图",
            channels=CHANNELS,
            items=[{"description": item, "use_image": True, "quote": True}],
        )
        services.post_submit(actor=author, post=post)
        posts.append(services.post_approve(actor=reviewer, post=post))
    return posts


def publish_all(posts: list, author) -> list[int]:
    from archivox.publishing import services

    ids: list[int] = []
    for post in posts:
        ids += [d.pk for d in services.post_publish_now(actor=author, post=post, rip="203.0.113.7")]
    return ids


def queue_all(posts: list, author) -> dict[int, object]:
    """The desk publishing every post at once (``posts_publish_queue``, one transaction): the
    caller only checks and queues (issue 24); the workers render and make the deliveries. When
    each post was queued, by post id."""
    from django.utils import timezone

    from archivox.publishing import services

    queued, refused = services.posts_publish_queue(actor=author, posts=posts, rip="203.0.113.7")
    if refused:
        raise SystemExit(f"posts refused: {refused}")
    now = timezone.now()
    return {post.pk: now for post in queued}


def timeline(ids: list[int], queued_at: dict, start) -> dict[str, float]:
    """Seconds from the first post queued until every delivery existed (the workers' rendering)
    and until the last was sent, and each delivery's latency from its post queued to sent."""
    from archivox.publishing.models import Delivery

    rows = list(Delivery.objects.filter(pk__in=ids).values_list("post_id", "created_at", "sent_at"))
    latency = sorted(
        (sent - queued_at[post]).total_seconds() for post, _created, sent in rows if sent
    )
    if not latency:
        return {"created": float("nan"), "p50": float("nan"), "p99": float("nan")}
    return {
        "created": max((created - start).total_seconds() for _post, created, _sent in rows),
        "p50": latency[len(latency) // 2],
        "p99": latency[min(len(latency) - 1, int(len(latency) * 0.99))],
    }


def deliveries_of(posts: list) -> list[int]:
    from archivox.publishing.models import Delivery

    return list(Delivery.objects.filter(post__in=posts).values_list("pk", flat=True))


def outcome(ids: list[int]) -> dict[str, int]:
    from collections import Counter

    from archivox.publishing.models import Delivery

    return dict(Counter(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)))


def latencies(ids: list[int]) -> str:
    """Median and slowest time from created to sent, per channel."""
    from archivox.publishing.models import Delivery

    by_channel: dict[str, list[float]] = {}
    for channel, created, sent in Delivery.objects.filter(
        pk__in=ids, sent_at__isnull=False
    ).values_list("channel", "created_at", "sent_at"):
        # Our portal and feed are sent as they are made: a few microseconds before the row's
        # creation time is stamped.
        by_channel.setdefault(channel, []).append(max(0.0, (sent - created).total_seconds()))
    return ", ".join(
        f"{c} {statistics.median(v):.1f}/{max(v):.1f} s" for c, v in sorted(by_channel.items())
    )


def render_timing() -> tuple[float, float]:
    from archivox.core.models import Archive, User
    from archivox.publishing import services
    from archivox.publishing.content import sanitise

    archive = Archive.objects.get(slug="bench000")
    author = User.objects.get(username="bench-author")
    paragraph = "南京城墙始建于明代，历时二十八年建成，是世界上现存规模最大、保存最完整的城垣。"
    body = "".join(f"<p>{paragraph}<strong>第{n}段</strong></p>" for n in range(125))[:9000]
    post = services.post_create(
        actor=author, archive=archive, title="五千字长文", body_html=body, channels=CHANNELS
    )
    item = archive.descriptions.first()
    services.post_update(actor=author, post=post, items=[{"description": item, "use_image": True}])
    text_length = len(services.screening_fields(post)["body"])
    services.post_render(post=post)  # warm caches (templates, channel registry)
    renders = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        services.post_render(post=post)
        renders.append(time.perf_counter() - start)
    cleans = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        sanitise(post.body_html)
        cleans.append(time.perf_counter() - start)
    print(f"render: article of {text_length} characters of text")
    return statistics.median(renders), statistics.median(cleans)


# PostgreSQL is deployed with Redis for the task queue (settings.HUEY, `make run-postgres`), so
# its run uses Redis too when one answers here, on a database of its own (emptied first);
# BENCH_PUBLISHING_QUEUE=sqlite keeps the embedded SQLite queue, for comparison.
QUEUE_REDIS_URL = os.environ.get("BENCH_PUBLISHING_REDIS_URL", "redis://127.0.0.1:6379/14")


def wechat_calls() -> dict[str, int]:
    """Calls of each WeChat API the sandbox has counted so far, all accounts: what the
    deliveries cost the platform. Only APIs with a daily quota are counted (``freepublish/get``,
    the publish job's polling, has none)."""
    from django.db.models import Sum

    from archivox.sandbox.wechat.models import QuotaUsage

    rows = QuotaUsage.objects.filter(period="day").values("api").annotate(calls=Sum("count"))
    return {row["api"]: row["calls"] for row in rows}


def task_queue() -> str:
    """The queue the workers read: Redis's URL, or a sentence saying it is SQLite's and why."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "SQLite (embedded, as with an SQLite database)"
    if os.environ.get("BENCH_PUBLISHING_QUEUE", "").lower() == "sqlite":
        return "SQLite (BENCH_PUBLISHING_QUEUE=sqlite)"
    import redis

    try:
        client = redis.Redis.from_url(QUEUE_REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as error:
        return f"SQLite (no Redis at {QUEUE_REDIS_URL}: {error})"
    return QUEUE_REDIS_URL


def run(scratch: Path) -> int:
    port = free_port()
    os.environ.update(
        ARCHIVOX_SANDBOX="1",
        ARCHIVOX_VAR_DIR=str(scratch / "var"),
        ARCHIVOX_BASE_URL=f"http://127.0.0.1:{port}",
        ARCHIVOX_ALLOWED_HOSTS="127.0.0.1,localhost",
        ARCHIVOX_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ARCHIVOX_LOG_LEVEL="WARNING",
        ARCHIVOX_MEDIA_ROOT=str(scratch / "media"),
    )
    original_redis = os.environ.pop("REDIS_URL", None)
    queue = task_queue()
    if queue.startswith("redis"):
        os.environ["REDIS_URL"] = queue
    print(f"task queue: {queue}")
    (scratch / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from huey.contrib.djhuey import HUEY

    from archivox.core.models import User

    call_command("migrate", verbosity=0)
    HUEY.immediate = True  # setup's own side effects run here
    server_log = scratch / "gunicorn.log"
    server = start(
        [
            sys.executable, "-m", "gunicorn", "archivox.wsgi:application", "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads", "4",
            "--timeout", "60",
        ],
        server_log,
    )  # fmt: skip
    workers: list[subprocess.Popen] = []
    try:
        wait_port(port, server, server_log)
        started = time.perf_counter()
        batch = setup(ARCHIVES, 0)
        again = setup(ARCHIVES, ARCHIVES)
        author = User.objects.get(username="bench-author")
        print(f"setup: {2 * ARCHIVES} archives in {time.perf_counter() - started:.1f} s")

        render, clean = render_timing()

        HUEY.immediate = False  # now into the queue the worker processes read
        from django.conf import settings

        threads = int(THREADS_ASKED or settings.WORKER_THREADS)
        worker = [sys.executable, "manage.py", "run_huey", "--workers", str(threads)]
        worker += ["--no-periodic", "--delay", "0.05", "--max-delay", "0.2"]
        for n in range(WORKERS):
            workers.append(start(worker, scratch / f"worker{n}.log"))
        waited = wait_idle([w.pid for w in workers])
        print(f"workers started and warmed up in {waited:.1f} s")
        serving = [server.pid, *children(server.pid)]
        measured = [w.pid for w in workers] + serving
        cpu_before = cpu_seconds(measured)
        workers_cpu_before = cpu_seconds([w.pid for w in workers])
        system_before = system_seconds(measured)
        stolen_before = stolen_seconds()
        from django.utils import timezone

        print(
            f"load average before the deliveries: {os.getloadavg()[0]:.1f}; a 10^7-step Python "
            f"loop: {loop_seconds():.2f} s"
        )
        calls_before = wechat_calls()
        start_wall = timezone.now()
        started = time.perf_counter()
        queued_at = queue_all(batch, author)
        queued = time.perf_counter() - started
        expected = len(batch) * len(CHANNELS)
        while True:
            ids = deliveries_of(batch)
            states = outcome(ids)
            done = len(ids) == expected
            if done and not states.get("pending") and not states.get("sending"):
                break
            if time.perf_counter() - started > 600:
                print(f"gave up after 600 s: {states}")
                break
            time.sleep(0.25)
        with_workers = time.perf_counter() - started
        cpu = cpu_seconds(measured) - cpu_before
        workers_cpu = cpu_seconds([w.pid for w in workers]) - workers_cpu_before
        system_cpu = system_seconds(measured) - system_before
        stolen = stolen_seconds() - stolen_before
        print(
            f"deliveries: {len(ids)} ({len(batch)} posts × {len(CHANNELS)} channels) with "
            f"{WORKERS} worker processes × {threads} threads: {with_workers:.1f} s {states}"
        )
        print(f"  all {len(batch)} posts queued by the caller after {queued:.2f} s")
        print(
            f"  CPU used meanwhile by the workers and the sandboxes' server: {cpu:.1f} s, of "
            f"which the workers {workers_cpu:.1f} s, the kernel {system_cpu:.1f} s (on "
            f"{os.cpu_count()} CPUs shared with whatever else runs; taken by the host meanwhile: "
            f"{stolen:.1f} s)"
        )
        if with_workers > 10:
            # Slower than the goal: what the workers said, for whoever reads the run.
            for n in range(WORKERS):
                tail = (scratch / f"worker{n}.log").read_text(errors="replace")[-2000:]
                print(f"  worker {n} log (end):\n{tail}", file=sys.stderr)
        calls = {api: n - calls_before.get(api, 0) for api, n in wechat_calls().items()}
        print(
            "  WeChat API calls meanwhile: "
            + ", ".join(f"{api} {n}" for api, n in sorted(calls.items()) if n)
        )
        print(f"  created → sent, median/slowest: {latencies(ids)}")
        from archivox.publishing.models import Delivery

        retried = Delivery.objects.filter(pk__in=ids, attempts__gt=1)
        print(f"  deliveries that needed more than one try: {retried.count()}")
        steps = timeline(ids, queued_at, start_wall)
        print(
            f"  every delivery created (posts rendered) {steps['created']:.1f} s after the first "
            f"was queued; each delivery from its post queued to sent: p50 {steps['p50']:.1f} s, "
            f"p99 {steps['p99']:.1f} s (load average {os.getloadavg()[0]:.1f})"
        )

        # The WARC copies follow the sends (services.deliveries.ARCHIVE_AFTER_SECONDS): waited
        # for here, so that the baseline below runs alone, and reported.
        archived_in = None
        while time.perf_counter() - started < 600:
            if not Delivery.objects.filter(
                pk__in=ids, status="sent", archived_at__isnull=True
            ).exists():
                archived_in = time.perf_counter() - started
                break
            time.sleep(0.5)
        archiving_cpu = cpu_seconds(measured) - cpu_before - cpu
        print(
            f"  WARC copies of the sent deliveries written after "
            f"{archived_in if archived_in is not None else float('nan'):.1f} s "
            f"(their CPU, workers and server: {archiving_cpu:.1f} s)"
        )

        HUEY.immediate = True  # baseline: every delivery sent in turn, in this process
        started = time.perf_counter()
        ids = publish_all(again, author)
        sequential = time.perf_counter() - started
        print(f"baseline: the same {len(ids)} deliveries one after the other in one process: "
              f"{sequential:.1f} s {outcome(ids)}")  # fmt: skip
        print(f"ratio workers/sequential: {with_workers / sequential:.2f} (target < 30 s for 500)")
        print(
            f"render for all 5 channels: {render * 1000:.1f} ms (target < 50 ms); "
            f"nh3 clean of the same body: {clean * 1000:.2f} ms; ratio {render / clean:.0f}×"
        )
        sent = states.get("sent", 0)
        postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
        database = "PostgreSQL" if postgres else "SQLite"
        if os.environ.get("REDIS_URL"):
            database += " + Redis queue"
        name = f"publishing, {database}"
        summary.report(
            [
                summary.Row(
                    name,
                    f"{len(batch)} posts × {len(CHANNELS)} channels queued in < 2 s (caller)",
                    summary.ms(queued * 1000),
                    f"publish_now and send in one process: {summary.ms(sequential * 1000)}",
                    summary.times(sequential / max(queued, 0.001)),
                    queued < 2,
                ),
                summary.Row(
                    name,
                    f"{expected} deliveries done in < 10 s, {WORKERS} workers",
                    f"{summary.ms(with_workers * 1000)}, {sent} sent",
                    f"one process: {summary.ms(sequential * 1000)}",
                    summary.times(sequential / max(with_workers, 0.001)),
                    with_workers < 10 and sent == expected,
                ),
                summary.Row(
                    name,
                    "each delivery, post queued → sent (p50 / p99)",
                    f"{summary.ms(steps['p50'] * 1000)} / {summary.ms(steps['p99'] * 1000)}",
                    f"one process: {summary.ms(sequential * 1000)} for all",
                ),
                summary.Row(
                    name,
                    "their WARC copies written (after the sends, reported)",
                    "not all" if archived_in is None else summary.ms(archived_in * 1000),
                    f"CPU of the archiving {archiving_cpu:.1f} s",
                ),
                summary.Row(
                    name,
                    "render for 5 channels < 50 ms",
                    summary.ms(render * 1000),
                    f"nh3 clean {summary.ms(clean * 1000)}",
                    summary.times(render / max(clean, 1e-9)),
                    render < 0.05,
                ),
            ]
        )
    finally:
        for worker in workers:
            stop(worker)
        stop(server)
        os.environ.pop("REDIS_URL", None)
        if original_redis is not None:
            os.environ["REDIS_URL"] = original_redis
    return 0


if __name__ == "__main__":
    sys.exit(run_on_throwaway_database("archivox_bench_publishing", run))
