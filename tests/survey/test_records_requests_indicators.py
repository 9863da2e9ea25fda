"""§3.2.5/§4.5: an archive that runs records-use requests (查档) on Archivox has them in its
monitoring period, judged per archive: figures for each, a finding naming the archive that
closes too few on time, with the threshold, and nothing against the archive that keeps time."""

import datetime

import pytest

from archivox.records_requests import selectors as records_selectors
from archivox.records_requests.models import Category
from archivox.survey import reports, selectors
from archivox.survey.diagnosis import Status
from archivox.survey.models import MonitoredInstitution
from archivox.survey.services.monitoring import monitoring_period_open
from tests.factories import ArchiveFactory, RegionFactory
from tests.records_requests_factory import make_requests

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def period():
    region = RegionFactory(code="demo-city", name="Demo", name_zh="示范市")
    slow = ArchiveFactory(slug="slow-archives", region=region, name_zh="慢速档案馆")
    quick = ArchiveFactory(slug="quick-archives", region=region, name_zh="快速档案馆")
    make_requests(slow, on_time=2, late=3, start=NOVEMBER)
    make_requests(quick, on_time=4, late=0, start=NOVEMBER)
    # Requests of another month are not this period's.
    make_requests(
        quick, on_time=0, late=5, category=Category.MARRIAGE, start=datetime.date(2026, 9, 1)
    )
    return monitoring_period_open(actor=None, start=NOVEMBER)


def test_the_selector_reads_the_window_with_median_p90_and_share_on_time(period):
    quick = MonitoredInstitution.objects.get(slug="quick-archives").archive
    row = records_selectors.survey_service_indicators(
        archive=quick, start=NOVEMBER, end=datetime.date(2026, 11, 30)
    )
    assert row["records_requests"] == 4 and row["records_requests_closed"] == 4
    assert row["records_requests_share_on_time"] == 1.0
    assert row["records_requests_median_working_days"] is not None
    assert row["records_requests_p90_working_days"] is not None
    assert records_selectors.survey_service_indicators(archive=quick)["records_requests"] == 9


def test_the_period_takes_in_archives_serving_requests_without_an_account(period):
    slugs = set(MonitoredInstitution.objects.values_list("slug", flat=True))
    assert {"slow-archives", "quick-archives"} <= slugs
    assert period.survey_regions.filter(region__code="demo-city").exists()


def test_an_archive_late_on_requests_is_a_finding_naming_it_and_the_threshold(period):
    report = reports.report_build(selectors.scope_get(survey=period), charts=False)
    services = {s.archive: s for s in report.indicators.interaction.services}
    assert services["slow-archives"].requests == 5
    assert services["slow-archives"].share_on_time == pytest.approx(0.4)
    assert services["quick-archives"].requests == 4  # September's five are not this period's
    judgment = next(j for j in report.diagnosis.judgments if j.code == "weak_interaction")
    assert judgment.status == Status.HOLDS
    text = " ".join(judgment.evidence)
    assert "慢速档案馆 (Archive" in text
    assert ") closes 40% of records-use requests on time, under 90%." in text
    assert text.count("closes") == 1
    assert "archive:slow-archives" in judgment.failing
    assert "archive:quick-archives" not in judgment.failing
    actions = [a.text for j in report.diagnosis.judgments for a in j.actions]
    assert any(") closes 40% of records-use requests on time (threshold 90%)" in a for a in actions)
    assert ") closes 40% of records-use requests" in report.top_actions[0].text
    html = reports.report_html(report)
    assert 'id="records-requests"' in html and "慢速档案馆" in html


def test_the_archive_that_keeps_time_has_its_figures_and_no_finding(period):
    scope = selectors.scope_get(survey=period, archive="quick-archives")
    report = reports.report_build(scope, charts=False)
    judgment = next(j for j in report.diagnosis.judgments if j.code == "weak_interaction")
    assert judgment.status == Status.DOES_NOT_HOLD
    assert any("4 records-use requests, 4 closed" in line for line in judgment.evidence)
    assert "100% closed on time" in " ".join(judgment.evidence)


def test_the_chinese_report_words_the_finding_in_chinese(period):
    from django.utils import translation

    with translation.override("zh-hans"):
        report = reports.report_build(
            selectors.scope_get(survey=period, archive="slow-archives"), charts=False
        )
        judgment = next(j for j in report.diagnosis.judgments if j.code == "weak_interaction")
        text = " ".join(judgment.evidence)
    assert "records-use" not in text and "查档" in text and "慢速档案馆" in text
    assert "90%" in text


def test_many_archives_are_read_in_two_queries_with_the_same_figures(
    period, django_assert_num_queries
):
    archives = [i.archive for i in MonitoredInstitution.objects.select_related("archive")]
    end = datetime.date(2026, 11, 30)
    with django_assert_num_queries(2):
        many = records_selectors.survey_service_indicators_many(
            archive_ids=[a.pk for a in archives], start=NOVEMBER, end=end
        )
    for archive in archives:
        one = records_selectors.request_report(archive_ids=[archive.pk], since=NOVEMBER, until=end)
        row = many[archive.pk]
        assert row["records_requests"] == one.total
        assert row["records_requests_median_working_days"] == one.median_working_days
        assert row["records_requests_p90_working_days"] == one.p90_working_days
        assert row["records_requests_share_on_time"] == one.share_on_time
