"""§4.1/§4.5 fed by demand analytics: what the public searched most in an archive's catalog
(the "most concentrated archives") and what found nothing become the survey's actions for that
archive, from the catalog's counts, small counts left out."""

import datetime

import pytest

from archivox.catalog.demand import demand_add_demo
from archivox.survey import reports, selectors
from archivox.survey.services.monitoring import monitoring_period_open
from tests.factories import ArchiveFactory, RegionFactory
from tests.records_requests_factory import make_requests

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def period():
    region = RegionFactory(code="demo-city", name="Demo", name_zh="示范市")
    archive = ArchiveFactory(slug="busy-archives", region=region, name_zh="繁忙档案馆")
    make_requests(archive, on_time=4, late=0, start=NOVEMBER)  # on Archivox, in the period
    day = datetime.date(2026, 11, 10)
    demand_add_demo(archive=archive, query="总统府", total=12, day=day, searches=9)
    demand_add_demo(archive=archive, query="婚姻登记", total=0, day=day, searches=6)
    demand_add_demo(archive=archive, query="罕见词", total=0, day=day, searches=2)  # too few
    # Searches before the period are not this period's.
    demand_add_demo(
        archive=archive, query="旧词", total=0, day=datetime.date(2026, 9, 3), searches=20
    )
    return monitoring_period_open(actor=None, start=NOVEMBER)


def test_top_and_zero_hit_searches_become_the_4_1_and_4_5_actions(period):
    report = reports.report_build(selectors.scope_get(survey=period), charts=False)
    [demand] = report.indicators.interaction.demand
    assert demand.archive == "busy-archives"
    assert demand.searched == (("总统府", 9), ("婚姻登记", 6))
    assert demand.zero_hits == (("婚姻登记", 6),)  # 罕见词 (2) is too few; 旧词 is September's
    judgment = next(j for j in report.diagnosis.judgments if j.code == "weak_interaction")
    text = " ".join(judgment.evidence)
    assert "the public searched most for “总统府” (9), “婚姻登记” (6)" in text
    assert "罕见词" not in text and "旧词" not in text
    by_strategy = {a.strategy: a.text for j in report.diagnosis.judgments for a in j.actions}
    assert "the public looks most for “总统府” (9)" in by_strategy["open_accounts"]
    assert by_strategy["open_accounts"].endswith("(4.1)")
    assert "searches for “婚姻登记” (6) found nothing" in by_strategy["service_quality"]
    assert by_strategy["service_quality"].endswith("(4.5)")


def test_without_demand_the_diagnosis_is_as_before(period):
    from archivox.catalog.models import PublicDemand

    PublicDemand.objects.all().delete()
    report = reports.report_build(selectors.scope_get(survey=period), charts=False)
    assert report.indicators.interaction.demand is None
    actions = " ".join(a.text for j in report.diagnosis.judgments for a in j.actions)
    assert "found nothing" not in actions
