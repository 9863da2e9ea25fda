"""Harvesting: BENCH_HARVEST_RECORDS (default 100,000) oai_dc records from a local provider, in
pages of 500 with resumption tokens, into the union catalog (records, index), against a
baseline measured in the same run:

- floor: the same pages fetched over HTTP and parsed by the same bounded parser, nothing
  written: what any harvest must pay at least.

The provider is a small HTTP server over pages rendered beforehand, so it costs almost nothing
itself. Runs on a throwaway database (see throwaway.py). A second, incremental harvest with
nothing changed is timed too. Nothing is asserted about time."""

from __future__ import annotations

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
RECORDS = int(os.environ.get("BENCH_HARVEST_RECORDS", "100000"))
PAGE = 500
sys.path.insert(0, str(Path(__file__).resolve().parent))
import summary  # noqa: E402
from throwaway import run_on_throwaway_database  # noqa: E402

BENCH_DATABASE = "archivox_bench_harvest"
PLACES = ["南京", "苏州", "扬州", "无锡", "镇江", "常州"]
TOPICS = ["民国建筑", "园林修缮", "城市建设", "道路修筑", "学校管理", "商会往来"]
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>{date}</responseDate><request>http://bench/oai</request>"
)


def render_pages(records: int) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    starts = list(range(0, records, PAGE))
    for index, start in enumerate(starts):
        items = []
        for number in range(start, min(start + PAGE, records)):
            place, topic = PLACES[number % len(PLACES)], TOPICS[number % len(TOPICS)]
            items.append(
                f"<record><header><identifier>oai:bench:{number}</identifier>"
                f"<datestamp>2026-11-01T00:00:00Z</datestamp></header><metadata>"
                '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{escape(place)}{escape(topic)}档案第{number}号</dc:title>"
                f"<dc:identifier>BENCH-{number}</dc:identifier>"
                f"<dc:identifier>http://bench.example/records/{number}</dc:identifier>"
                f"<dc:publisher>{escape(place)}市档案馆</dc:publisher>"
                f"<dc:description>{escape(place)}关于{escape(topic)}的案卷，民国时期。</dc:description>"
                f"<dc:subject>{escape(topic)}</dc:subject><dc:date>1930</dc:date>"
                "</oai_dc:dc></metadata></record>"
            )
        token = (
            f"<resumptionToken>p{index + 1}</resumptionToken>" if index + 1 < len(starts) else ""
        )
        body = (
            HEAD.format(date="2026-11-02T00:00:00Z")
            + "<ListRecords>"
            + "".join(items)
            + token
            + "</ListRecords></OAI-PMH>"
        )
        pages["" if index == 0 else f"p{index}"] = body.encode("utf-8")
    return pages


IDENTIFY = (
    HEAD.format(date="2026-11-02T00:00:00Z")
    + "<Identify><repositoryName>bench</repositoryName><baseURL>http://bench/oai</baseURL>"
    "<protocolVersion>2.0</protocolVersion><adminEmail>a@b.c</adminEmail>"
    "<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
    "<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
    "</Identify></OAI-PMH>"
).encode()
NO_RECORDS = (
    HEAD.format(date="2026-11-03T00:00:00Z")
    + '<error code="noRecordsMatch">nothing changed</error></OAI-PMH>'
).encode()


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query))
            if params.get("verb") == "Identify":
                body = IDENTIFY
            elif "from" in params:
                body = NO_RECORDS
            else:
                body = pages[params.get("resumptionToken", "")]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/oai"


def _run(scratch: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from archivox.core.models import Archive, Region
    from archivox.harvesting import services
    from archivox.harvesting.models import HarvestedRecord, HarvestRun
    from archivox.harvesting.oai_client import Client

    pages = render_pages(RECORDS)
    httpd, base_url = serve(pages)
    try:
        started = time.perf_counter()
        with Client(base_url) as client:
            seen = sum(len(page.records) for page in client.list_records(metadata_prefix="oai_dc"))
        floor = time.perf_counter() - started
        region = Region.objects.create(code="bench", name="Bench", name_zh="基准", tier=2)
        archive = Archive.objects.create(
            slug="bench", name="Bench", name_zh="基准馆", region=region
        )
        repository = services.repository_create(
            actor=None, archive=archive, name="bench", base_url=base_url
        )
        started = time.perf_counter()
        run = services.harvest_run_execute(HarvestRun.objects.create(repository=repository).pk)
        full = time.perf_counter() - started
        started = time.perf_counter()
        again = services.harvest_run_execute(HarvestRun.objects.create(repository=repository).pk)
        incremental = time.perf_counter() - started
    finally:
        httpd.shutdown()
    stored = HarvestedRecord.objects.count()
    print(
        f"records: {RECORDS:,} in {len(pages)} pages; floor saw {seen:,}, harvest stored {stored:,}"
    )
    print(f"floor (fetch + bounded parse): {floor:.1f} s ({seen / floor:,.0f} records/s)")
    print(
        f"harvest (+ records, index): {full:.1f} s ({run.seen / full:,.0f} records/s), "
        f"{full / floor:.1f}x the floor; status {run.status}, errors {run.errors}"
    )
    print(f"incremental harvest, nothing changed: {incremental:.2f} s ({again.status})")
    complete = run.status == "succeeded" and stored == RECORDS
    # No time goal is stated: the times are reported; a complete harvest is judged (the exit
    # status already requires it).
    name = f"harvest, {summary.database(connection.vendor)}"
    summary.report(
        [
            summary.Row(
                name,
                f"{RECORDS:,} records harvested, all stored",
                f"{stored:,} stored, status {run.status}, errors {run.errors}",
                met=complete,
            ),
            summary.Row(
                name,
                f"full harvest of {RECORDS:,} records, against the floor",
                f"{summary.ms(full * 1000)} ({run.seen / full:,.0f} records/s)",
                f"fetch + bounded parse: {summary.ms(floor * 1000)}",
                summary.times(full / floor),
            ),
            summary.Row(
                name,
                "incremental harvest, nothing changed",
                f"{summary.ms(incremental * 1000)} ({again.status})",
                f"full harvest: {summary.ms(full * 1000)}",
            ),
        ]
    )
    return 0 if complete else 1


def main() -> int:
    return run_on_throwaway_database(BENCH_DATABASE, _run)


if __name__ == "__main__":
    sys.exit(main())
