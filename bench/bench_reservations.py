"""The reservation race under load: 500 concurrent booking requests for 50 places, on real
gunicorn processes, against a plain page of the same server.

    python bench/bench_reservations.py          # from the repository root

For each database (a temporary SQLite file in WAL mode; and, when DATABASE_URL is PostgreSQL, a
database ``archivox_bench_reservations`` on the same server, dropped at the end): migrate,
create an archive with a reading room whose one slot tomorrow has BENCH_RESERVATION_PLACES
places (50), start gunicorn (BENCH_RESERVATION_WORKERS sync workers, loopback only), then send
BENCH_RESERVATION_REQUESTS (500) booking requests at once, each from a different person, to the
JSON API. Reported: bookings made (must be exactly the places), "full" answers, errors, the
database's own count, the slot's counter, the time and throughput. Then the same number of
concurrent GETs of a plain page (the reservations page of the archive) as the baseline, and
the ratio of the two throughputs. Nothing is asserted; a capacity breach is printed loudly.

Environment: BENCH_RESERVATION_REQUESTS (500), BENCH_RESERVATION_PLACES (50),
BENCH_RESERVATION_WORKERS (4), BENCH_RESERVATION_KEEP=1 (keep the temporary directory and the
PostgreSQL database).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DB = "archivox_bench_reservations"
SLUG = "nanjing"
REQUESTS = int(os.environ.get("BENCH_RESERVATION_REQUESTS", "500"))
PLACES = int(os.environ.get("BENCH_RESERVATION_PLACES", "50"))
WORKERS = int(os.environ.get("BENCH_RESERVATION_WORKERS", "4"))
KEEP = os.environ.get("BENCH_RESERVATION_KEEP") == "1"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_wechat_callback as callback_bench  # noqa: E402
import summary  # noqa: E402

SETTINGS = '''
"""Benchmark only: Archivox's settings; every request comes from 127.0.0.1, so the per-address
rate limit of public booking is lifted (the limit is not what is measured)."""
from archivox.settings import *  # noqa: F403

ARCHIVOX_RESERVATION_RATE_LIMIT = (1_000_000, 60)
'''


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ── in a child process with Django set up ────────────────────────────────────────────────────


def inner(command: str) -> None:
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from archivox.core.models import Archive
    from archivox.reservations import services
    from archivox.reservations.models import Booking, Resource, Slot

    if command == "setup":
        archive, _ = Archive.objects.get_or_create(
            slug=SLUG, defaults={"name": "Nanjing Municipal Archives", "name_zh": "南京市档案馆",
                                 "level": Archive.Level.CITY},
        )  # fmt: skip
        room = Resource.objects.filter(archive=archive, slug="reading-room").first()
        if room is None:
            room = services.resource_create(
                actor=None, archive=archive, slug="reading-room", kind="reading_room",
                name="查档阅览室", capacity=PLACES, slot_minutes=480,
            )  # fmt: skip
            services.opening_hours_set(
                actor=None,
                resource=room,
                periods=[(day, datetime.time(9), datetime.time(17)) for day in range(7)],
            )
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        services.slots_generate(resource=room, first_day=tomorrow, last_day=tomorrow)
        slot = room.slots.order_by("starts_at").last()
        Booking.objects.filter(slot=slot).delete()
        Slot.objects.filter(pk=slot.pk).update(booked=0, capacity=PLACES)
        print(json.dumps({"slot": slot.pk}))
    elif command == "stats":
        slot_id = int(os.environ["BENCH_RESERVATION_SLOT"])
        slot = Slot.objects.get(pk=slot_id)
        print(
            json.dumps(
                {
                    "bookings": Booking.objects.filter(slot_id=slot_id, status="booked").count(),
                    "booked": slot.booked,
                    "capacity": slot.capacity,
                }
            )
        )


# ── databases and the server ─────────────────────────────────────────────────────────────────


def databases(tmp: Path) -> list[tuple[str, str]]:
    return callback_bench.databases(tmp, BENCH_DB)


# The database, process and server helpers are the callback benchmark's.
postgres_admin = callback_bench.postgres_admin
free_port = callback_bench.free_port
run = callback_bench.run


def Server(env: dict[str, str], log_path: Path) -> callback_bench.Server:
    return callback_bench.Server(env, log_path, workers=WORKERS, worker_class="sync", threads=1)


async def burst(base: str, requests: list[tuple[str, str, dict | None]]) -> tuple[list, float]:
    """Send every request at once (one connection each); the answers and the wall time."""
    import httpx

    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        gate = asyncio.Event()

        async def one(method: str, path: str, body: dict | None):
            await gate.wait()
            try:
                if method == "POST":
                    answer = await client.post(path, json=body)
                else:
                    answer = await client.get(path)
                return answer.status_code
            except Exception as exc:  # counted as an error below
                return type(exc).__name__

        tasks = [asyncio.create_task(one(*request)) for request in requests]
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        gate.set()
        answers = await asyncio.gather(*tasks)
        return answers, time.perf_counter() - started


def bench_database(label: str, url: str, tmp: Path) -> list[summary.Row]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        ARCHIVOX_VAR_DIR=str(tmp / "var"),
        ARCHIVOX_SANDBOX="0",
        ARCHIVOX_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="bench_reservation_settings",
        PYTHONPATH=os.pathsep.join([str(tmp), str(REPO), env.get("PYTHONPATH", "")]),
    )
    run(env, "manage.py", "migrate", "--no-input", "-v", "0")
    slot = json.loads(run(env, __file__, "--inner", "setup").strip().splitlines()[-1])["slot"]
    server = Server(env, tmp / f"gunicorn-{label.split()[0].lower()}.log")
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{server.port}"
        page = f"/archives/{SLUG}/reservations/"
        asyncio.run(burst(base, [("GET", page, None)] * 20))  # warm every worker
        plain, plain_seconds = asyncio.run(burst(base, [("GET", page, None)] * REQUESTS))
        booking_requests = [
            (
                "POST",
                f"/api/v1/engagement/reservations/{SLUG}/bookings",
                {"slot_id": slot, "name": f"读者{n}", "contact": f"reader{n}@example.com"},
            )
            for n in range(REQUESTS)
        ]
        answers, seconds = asyncio.run(burst(base, booking_requests))
    finally:
        server.stop()
    env["BENCH_RESERVATION_SLOT"] = str(slot)
    stats = json.loads(run(env, __file__, "--inner", "stats").strip().splitlines()[-1])
    counts = Counter(answers)
    made, full = counts.get(201, 0), counts.get(409, 0)
    errors = REQUESTS - made - full
    plain_ok = Counter(plain).get(200, 0)
    booking_rate = REQUESTS / seconds
    plain_rate = REQUESTS / plain_seconds
    exact = made == PLACES == stats["bookings"] == stats["booked"]
    print(f"-- {label}: {REQUESTS} concurrent booking requests for {PLACES} places, "
          f"{WORKERS} gunicorn workers")  # fmt: skip
    print(f"   bookings made (201): {made}   fully booked (409): {full}   other: {errors} "
          f"{dict((k, v) for k, v in counts.items() if k not in (201, 409))}")  # fmt: skip
    print(f"   in the database: {stats['bookings']} bookings, slot counter "
          f"{stats['booked']}/{stats['capacity']}")  # fmt: skip
    print("   capacity held exactly" if exact else "   !!! CAPACITY NOT HELD EXACTLY !!!")
    print(f"   booking burst: {seconds:.2f} s, {booking_rate:.0f} requests/s")
    print(f"   baseline (plain page GET, {plain_ok}/{REQUESTS} ok): {plain_seconds:.2f} s, "
          f"{plain_rate:.0f} requests/s")  # fmt: skip
    print(f"   ratio booking/plain page throughput: {booking_rate / plain_rate:.2f}")
    # The stated goal is the capacity held exactly; the throughput has none and is reported.
    name = f"reservations, {label.split(' ')[0]}"
    return [
        summary.Row(
            name,
            f"{REQUESTS} concurrent bookings for {PLACES} places: exactly {PLACES} made",
            f"{made} made, {full} full, {errors} other; stored {stats['bookings']}, "
            f"counter {stats['booked']}/{stats['capacity']}",
            met=exact,
        ),
        summary.Row(
            name,
            f"booking burst throughput, {WORKERS} sync workers",
            f"{booking_rate:.0f} req/s ({summary.ms(seconds * 1000)})",
            f"plain page GET: {plain_rate:.0f} req/s",
            f"{booking_rate / plain_rate:.2f}",
        ),
    ]


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-reservations-"))
    (tmp / "bench_reservation_settings.py").write_text(SETTINGS)
    rows: list[summary.Row] = []
    try:
        for label, url in databases(tmp):
            if label == "PostgreSQL":
                postgres_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
                postgres_admin(url, f"CREATE DATABASE {BENCH_DB}")
            try:
                rows += bench_database(label, url, tmp)
            finally:
                if label == "PostgreSQL" and not KEEP:
                    postgres_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    finally:
        if KEEP:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    summary.report(rows)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        sys.path.insert(0, str(REPO))
        inner(sys.argv[2])
    else:
        main()  # no sys.exit: bench/run.py runs the benchmarks one after the other
