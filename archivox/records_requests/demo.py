"""Demo records-use requests: request kinds for the paper's archives (Nanjing and its district
archives, Suzhou, Sichuan), a holiday calendar, and a few requests in every status, worked by
the demo staff (idempotent: kinds are updated, requests made once)."""

from __future__ import annotations

import datetime
import io

from django.db import transaction

from archivox.core.models import Archive, User
from archivox.records_requests.codes import id_number_complete
from archivox.records_requests.models import Category, Delivery, Proof, RecordsRequest
from archivox.records_requests.services import copies, workflow
from archivox.records_requests.services.applying import Application, request_apply
from archivox.records_requests.services.setup import holidays_set, request_kind_save

DEMO_MAIL = "demo.archivox.invalid"
ALL_DELIVERIES = [
    Delivery.DOWNLOAD,
    Delivery.EMAIL,
    Delivery.POST,
    Delivery.COLLECT,
    Delivery.COLLECT_NEAREST,
]
KINDS = {
    "nanjing": [
        (Category.SCHOOL, 1949, 2010, [], 5),
        (Category.EMPLOYMENT, 1949, 2005, [], 5),
        (Category.RETIREMENT, 1956, 2010, [], 5),
        (Category.SENT_DOWN, 1962, 1980, [], 5),
    ],
    "nanjing-xuanwu": [(Category.MARRIAGE, 1956, 2012, ["玄武区"], 3)],
    "nanjing-gulou": [(Category.MARRIAGE, 1956, 2012, ["鼓楼区"], 3)],
    "nanjing-qixia": [(Category.MARRIAGE, 1958, 2012, ["栖霞区"], 3)],
    "suzhou": [
        (Category.MARRIAGE, 1950, 2010, ["姑苏区", "吴中区", "相城区"], 3),
        (Category.SCHOOL, 1950, 2010, [], 5),
        (Category.SOCIAL_INSURANCE, 1993, 2015, [], 7),
    ],
    "sichuan": [
        (Category.SENT_DOWN, 1962, 1980, [], 10),
        (Category.LAND, 1950, 2000, [], 10),
    ],
}
# The public holidays of 2026 as announced (days off, and weekend days worked).
HOLIDAYS_2026 = [
    ("元旦", ["2026-01-01", "2026-01-02", "2026-01-03"], ["2026-01-04"]),
    ("春节", [f"2026-02-{d}" for d in range(15, 24)], ["2026-02-14", "2026-02-28"]),
    ("清明节", ["2026-04-04", "2026-04-05", "2026-04-06"], []),
    ("劳动节", [f"2026-05-0{d}" for d in range(1, 6)], ["2026-05-09"]),
    ("端午节", ["2026-06-19", "2026-06-20", "2026-06-21"], []),
    ("中秋节", ["2026-09-25", "2026-09-26", "2026-09-27"], []),
    ("国庆节", [f"2026-10-0{d}" for d in range(1, 8)], ["2026-09-20", "2026-10-10"]),
]


def demo_id_number(serial: int) -> str:
    """A well-formed, made-up ID number (Nanjing's Xuanwu code, born 1955, a serial)."""
    return id_number_complete(f"32010219550101{serial % 1000:03d}")


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (230, 230, 240)).save(out, "PNG")
    return out.getvalue()


@transaction.atomic
def demo_records_requests_load() -> list[str]:
    lines = []
    archives = {a.slug: a for a in Archive.objects.filter(slug__in=KINDS)}
    for slug, kinds in KINDS.items():
        archive = archives.get(slug)
        if archive is None:
            lines.append(f"{slug}: no such archive (load the paper survey first)")
            continue
        for category, first, last, districts, days in kinds:
            request_kind_save(
                actor=None,
                archive=archive,
                category=category,
                years_from=first,
                years_to=last,
                districts=districts,
                proofs=[Proof.PERSON, Proof.AGENT, Proof.UNIT],
                working_days=days,
                deliveries=ALL_DELIVERIES,
                fee="",
            )
        for name, off, worked in HOLIDAYS_2026:
            holidays_set(
                actor=None,
                archive=archive,
                days_off=[(datetime.date.fromisoformat(d), name) for d in off],
                days_worked=[(datetime.date.fromisoformat(d), f"{name}调休") for d in worked],
            )
        lines.append(f"{slug}: {len(kinds)} request kinds, holiday calendar 2026")
    lines.append(_demo_requests(archives))
    return lines


def _demo_requests(archives: dict[str, Archive]) -> str:
    nanjing, xuanwu = archives.get("nanjing"), archives.get("nanjing-xuanwu")
    staff = User.objects.filter(username="demo").first()
    if nanjing is None or xuanwu is None:
        return "demo requests: Nanjing or Xuanwu missing"
    if RecordsRequest.objects.filter(email__endswith=f"@{DEMO_MAIL}").exists():
        return "demo requests: already there"
    # (name, category, year, how far it goes)
    plan = [
        ("张建国", Category.MARRIAGE, 1982, "submitted"),
        ("李秀英", Category.MARRIAGE, 1979, "needs_more"),
        ("王志强", Category.MARRIAGE, 1990, "refused"),
        ("赵丽华", Category.SCHOOL, 1985, "accepted"),
        ("陈卫东", Category.MARRIAGE, 1986, "forwarded"),
        ("刘桂兰", Category.MARRIAGE, 1975, "not_found"),
        ("孙建华", Category.MARRIAGE, 1984, "found"),
        ("杨小平", Category.MARRIAGE, 1988, "issued"),
        ("周红梅", Category.SCHOOL, 1978, "closed"),
    ]
    made = 0
    for serial, (name, category, year, goal) in enumerate(plan, start=1):
        request = request_apply(
            archive=nanjing,
            data=Application(
                holding="unknown",
                category=category,
                proof=Proof.PERSON,
                name=name,
                id_number=demo_id_number(serial),
                years_from=str(year),
                district="玄武区" if category == Category.MARRIAGE else "",
                purpose="办理退休手续（演示）",
                email=f"applicant{serial}@{DEMO_MAIL}",
                delivery=Delivery.DOWNLOAD,
            ),
            uploads={"id": _png()},
        )
        made += 1
        if staff is not None:
            _advance(request, goal, staff, nanjing, xuanwu)
    return f"demo requests: {made} made" + ("" if staff else " (no demo staff: left submitted)")


def _demo_register(archive: Archive):
    """A restricted marriage register of the district archive for the demo to find (made
    through the catalog's services, marked as demo)."""
    from archivox.catalog.models import Description
    from archivox.catalog.services import description_create

    code = f"{archive.slug.upper()}-HY-1988-001"
    found = Description.objects.filter(archive=archive, reference_code=code).first()
    if found is None and archive.level == Archive.Level.DISTRICT:
        found = description_create(
            actor=None,
            archive=archive,
            reference_code=code,
            title="1988年结婚登记档案（演示）",
            level="file",
            access_level="restricted",
            is_demo=True,
        )
    return found or Description.objects.filter(archive=archive).order_by("pk").first()


def _advance(request, goal, staff, nanjing, xuanwu) -> None:
    def go(fn, archive, **kwargs):
        request.refresh_from_db()
        return fn(
            actor=staff, archive=archive, request_id=request.pk, version=request.version, **kwargs
        )

    if goal == "submitted":
        return
    if goal == "needs_more":
        go(workflow.request_verify, nanjing, decision="more", message="请补充上传身份证反面照片。")
        return
    if goal == "refused":
        go(
            workflow.request_verify,
            nanjing,
            decision="refuse",
            message="申请人非档案当事人，且未提供公证委托书。",
        )
        return
    go(workflow.request_verify, nanjing, decision="accept")
    if goal == "accepted":
        return
    held_here = request.holding_archive_id == nanjing.pk
    worker = nanjing if held_here else xuanwu
    if not held_here:
        go(workflow.request_forward, nanjing, holding_slug=xuanwu.slug)
    if goal == "forwarded":
        return
    if goal == "not_found":
        go(workflow.request_result, worker, found=False)
        return
    found = _demo_register(worker)
    if found is None:
        go(workflow.request_result, worker, found=False)
    else:
        go(workflow.request_finding_add, worker, reference_code=found.reference_code)
        go(workflow.request_result, worker, found=True)
    if goal == "found":
        return
    go(copies.request_issue, worker)
    if goal == "closed":
        go(workflow.request_close, worker)
