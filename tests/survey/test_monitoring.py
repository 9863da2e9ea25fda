"""Monitoring, not a one-off: a period per month over the archives on Archivox, filled from
their own accounts; the report compares each period with the one before (findings appeared or
resolved, per account, and trend arrows) and gives an archive its three most useful actions."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from archivox.core.models import PlatformAccount
from archivox.survey import indicators as ind
from archivox.survey import reports, selectors, services
from archivox.survey.diagnosis import diagnose
from archivox.survey.models import Account
from tests.factories import ArchiveFactory, RegionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _posts(account, month: datetime.date, *, original: bool, reads: int):
    for day in range(1, 29, 2):
        services.post_record_save(
            account=account,
            published_at=datetime.datetime.combine(month.replace(day=day), datetime.time(10)),
            title=f"{month:%Y-%m} 第{day}篇",
            is_original=original,
            reads=reads,
            likes=reads // 20,
            comments=reads // 100,
            today=datetime.date(2026, 12, 1),
        )


def _linked_before_october(platform_account) -> None:
    """The account was linked to Archivox before the months its posts are in."""
    PlatformAccount.objects.filter(pk=platform_account.pk).update(
        created_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    )


def test_two_monthly_periods_of_a_demo_archive_show_a_trend():
    region = RegionFactory(code="demo-city", name="Demo", name_zh="示范市")
    archive = ArchiveFactory(slug="demo-archives", region=region, name_zh="示范市档案馆")
    linked = PlatformAccount.objects.create(archive=archive, platform="wechat", name="示范档案")
    _linked_before_october(linked)
    out = StringIO()
    call_command("survey_monitor", "--month", "2026-10-15", stdout=out)
    call_command("survey_monitor", "--month", "2026-11-15", stdout=out)
    assert "archivox-monitor-2026-10-01: 2026-10-01 – 2026-10-31, 1 region(s)" in out.getvalue()
    account = Account.objects.get(institution__archive=archive, platform="wechat")
    # October: forwards only, few reads. November: originals every other day, read widely.
    _posts(account, datetime.date(2026, 10, 1), original=False, reads=40)
    _posts(account, datetime.date(2026, 11, 1), original=True, reads=2_000)

    november = selectors.survey_get(slug="archivox-monitor-2026-11-01")
    scope = selectors.scope_get(survey=november, archive="demo-archives")
    assert (scope.start, scope.as_of) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    report = reports.report_build(scope, charts=False)
    comparison = report.comparison
    assert comparison is not None
    content = comparison.get("incomplete_content")
    assert (content.change, content.resolved) == ("resolved", ["示范市档案馆 · WeChat"])
    interaction = comparison.get("weak_interaction")
    assert interaction.change == "resolved"
    trends = {(t.figure, t.arrow, t.better) for t in comparison.trends}
    assert ("originals", "↑", True) in trends and ("reads_per_post", "↑", True) in trends
    html = reports.report_html(report)
    assert 'data-change="resolved"' in html and "↑" in html

    # October, read on its own, asks for the three actions that would help most.
    october = selectors.survey_get(slug="archivox-monitor-2026-10-01")
    first = reports.report_build(
        selectors.scope_get(survey=october, archive="demo-archives"), charts=False
    )
    assert first.comparison is None  # nothing before it
    assert len(first.top_actions) == 3
    assert "示范市档案馆 (示范档案) · WeChat has posted only forwards" in first.top_actions[0].text
    assert "The three actions that would help most" in reports.report_html(first)
    # In Chinese, the period's own method is not labelled a rendering of the paper's English.
    with translation.override("zh-hans"):
        chinese = reports.report_html(first)
    assert "由各档案馆在 Archivox 上的账号自动采集。" in chinese
    assert "据论文英文版所作的中文译文" not in chinese


def test_the_daily_task_opens_the_current_months_period():
    from django.utils import timezone

    from archivox.survey.tasks import monitoring_period_daily

    monitoring_period_daily.call_local()
    survey = selectors.survey_get(
        slug=f"archivox-monitor-{timezone.localdate().replace(day=1).isoformat()}"
    )
    assert survey.starts_on.day == 1 and survey.cutoff.month == survey.starts_on.month


def test_the_demo_archive_of_suzhou_shows_a_trend_between_two_months():
    """The same on the demo's own data: Suzhou's archives as `make demo` loads them (its paper
    account included), on Archivox, with the desk's posts of October and November."""
    call_command("load_paper_survey", stdout=StringIO())
    from archivox.core.models import Archive

    suzhou = Archive.objects.get(slug="suzhou")
    assert suzhou.is_demo
    _linked_before_october(
        PlatformAccount.objects.create(archive=suzhou, platform="wechat", name="苏州档案")
    )
    for month in ("2026-10-15", "2026-11-15"):
        call_command("survey_monitor", "--month", month, stdout=StringIO())
    account = Account.objects.get(institution__archive=suzhou, platform="wechat")
    _posts(account, datetime.date(2026, 10, 1), original=False, reads=40)
    _posts(account, datetime.date(2026, 11, 1), original=True, reads=2_000)
    november = selectors.survey_get(slug="archivox-monitor-2026-11-01")
    with translation.override("zh-hans"):
        report = reports.report_build(
            selectors.scope_get(survey=november, archive="suzhou"), charts=False
        )
        html = reports.report_html(report)
    content = report.comparison.get("incomplete_content")
    assert (content.change, content.resolved) == ("resolved", ["苏州市档案馆 · 微信"])
    trends = {(t.figure, t.arrow) for t in report.comparison.trends}
    assert ("originals", "↑") in trends and ("reads_per_post", "↑") in trends
    assert "已解决" in html and "↑" in html
    # The account Archivox made is dated: the paper's 2016 survey still has Suzhou on WeChat
    # through its own account only, and no WeChat where Table 2 says "No".
    paper = selectors.survey_get(slug="paper-2016")
    with translation.override("en"):
        uneven = diagnose(ind.indicators_compute(selectors.scope_get(survey=paper)))
    assert (
        "WeChat: 3 of 6 regions; none in 北京 (Beijing), 昆明 (Kunming), 新疆哈密 (Xinjiang Hami)."
        in uneven.get("uneven_development").evidence
    )
