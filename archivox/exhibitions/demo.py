"""Demo exhibition and lecture for Nanjing, built from its demo catalog (Republican-era
buildings, ``catalog/demo.py``). Items are added through the exhibitions services, which take
only material the public may see; idempotent (an existing exhibition or event is kept)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archivox.core.models import Archive
from archivox.exhibitions import services
from archivox.exhibitions.models import Event, Exhibition

EXHIBITION_SLUG = "republican-buildings"
EVENT_SLUG = "republican-buildings-lecture"
NOTE = "（演示数据）"

SECTIONS = [
    (
        "首都气象",
        "<p>1927年国民政府定都南京，1929年公布《首都计划》。中山陵、总统府等建筑奠定了民国首都的"
        "城市面貌。</p>",
        ["NJ-MG-001-0001", "NJ-MG-001-0002", "NJ-MG-002-001-0001"],
    ),
    (
        "公馆与街区",
        "<p>颐和路一带的“第二住宅区”依规划建成，独栋公馆错落于梧桐树下。</p>",
        ["NJ-MG-001-0003", "NJ-MG-001-0004", "NJ-MG-001-0005", "NJ-MG-002-007-0001"],
    ),
    (
        "图纸里的建筑",
        "<p>设计图纸记录了建筑师的构想。部分图纸为<strong>限制利用</strong>档案：著录公开，原件须到馆"
        "申请查阅。</p>",
        ["NJ-MG-002-001-0002", "NJ-MG-002-002-0002", "NJ-MG-002-003-0002"],
    ),
    (
        "修缮与保护",
        "<p>历次修缮工程档案见证了民国建筑的保护与利用。</p>",
        ["NJ-MG-002-002-0004", "NJ-MG-002-003-0004"],
    ),
]


@transaction.atomic
def demo_exhibitions_load(*, slug: str = "nanjing") -> list[str]:
    archive = Archive.objects.filter(slug=slug).first()
    if archive is None:
        return [f"{slug}: no such archive (run load_paper_survey first)"]
    lines = []
    exhibition = Exhibition.objects.filter(archive=archive, slug=EXHIBITION_SLUG).first()
    if exhibition is None:
        exhibition = services.exhibition_create(
            actor=None,
            archive=archive,
            slug=EXHIBITION_SLUG,
            title="金陵民国建筑档案展",
            summary="从总统府到颐和路公馆：南京市档案馆馆藏民国建筑档案线上展" + NOTE,
            introduction="<p>南京是民国时期的首都，现存民国建筑数量多、类型全。本展选取馆藏照片、"
            "图纸与修缮档案，讲述这些建筑的故事。</p><p>" + NOTE + "</p>",
        )
        added = skipped = 0
        for title, body, codes in SECTIONS:
            section = services.section_add(
                actor=None, exhibition=exhibition, title=title, body=body
            )
            for code in codes:
                try:
                    services.section_item_add(actor=None, section=section, reference_code=code)
                    added += 1
                except ValidationError:
                    skipped += 1  # not in this catalog, or not open to the public
        if added:
            services.exhibition_publish(actor=None, exhibition=exhibition)
        lines.append(f"{slug}: exhibition with {added} item(s) ({skipped} skipped)")
    if not Event.objects.filter(archive=archive, slug=EVENT_SLUG).exists():
        today = timezone.localdate()
        saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
        tz = timezone.get_default_timezone()
        starts = timezone.make_aware(datetime.datetime.combine(saturday, datetime.time(14, 30)), tz)
        event = services.event_create(
            actor=None,
            archive=archive,
            slug=EVENT_SLUG,
            title="档案里的民国建筑：从《首都计划》说起",
            speaker="南京市档案馆编研处（演示）",
            speaker_bio="长期从事民国建筑档案的整理与编研。" + NOTE,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=90),
            place="南京市档案馆 一楼报告厅",
            online_url="",
            capacity=80,
            description="<p>结合馆藏照片与图纸，讲述南京民国建筑的规划、设计与保护。</p>",
            exhibition=exhibition if exhibition.status == "published" else None,
        )
        services.event_publish(actor=None, event=event)
        lines.append(f"{slug}: lecture on {saturday:%Y-%m-%d}")
    return lines or [f"{slug}: exhibition and lecture already there"]
