"""Days on the publishing desk are Beijing days: WeChat's one mass send a day, the content
calendar and the metrics all count from midnight in Beijing. Neutral ground: reads and writes
both use it."""

from __future__ import annotations

import datetime
import zoneinfo

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def beijing_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(BEIJING).date()


def beijing_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=BEIJING)
    return start, start + datetime.timedelta(days=1)
