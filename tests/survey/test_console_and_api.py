"""The console's report pages are for logged-in staff; the API answers the same for staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from archivox.survey import indicators as ind
from archivox.survey import selectors
from tests.factories import UserFactory
from tests.survey.conftest import build_generated_survey

pytestmark = pytest.mark.django_db


def test_console_report_requires_login(client, paper):
    url = reverse("console:survey:report", args=[paper.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("console:login") in response["Location"]


def test_console_report_is_for_staff_only(client, paper):
    client.force_login(UserFactory(username="reader", is_staff=False))
    assert client.get(reverse("console:survey:report", args=[paper.slug])).status_code == 403
    assert client.get(reverse("console:survey:index")).status_code == 403


def test_console_shows_the_papers_report(staff_client, paper):
    index = staff_client.get(reverse("console:survey:index"))
    assert escape(paper.title) in index.content.decode()
    response = staff_client.get(
        reverse("console:survey:report", args=[paper.slug]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-table="1"' in page and 'data-table="2"' in page
    assert "Established Jinling&#x27;s characteristic historical archives" in page
    assert "<svg" in page
    assert "the post list shows a post of 2016-05-03" in page
    region = staff_client.get(
        reverse("console:survey:report", args=[paper.slug]), {"region": "nanjing"}
    )
    assert region.status_code == 200 and "南京 (Nanjing)" in region.content.decode()
    missing = staff_client.get(
        reverse("console:survey:report", args=[paper.slug]), {"region": "atlantis"}
    )
    assert missing.status_code == 404


def test_console_downloads(staff_client, paper):
    csv_response = staff_client.get(reverse("console:survey:download", args=[paper.slug, "csv"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    assert "table 1 (weibo),beijing" in csv_response.content.decode()
    xlsx = staff_client.get(reverse("console:survey:download", args=[paper.slug, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    html = staff_client.get(reverse("console:survey:download", args=[paper.slug, "html"]))
    assert html.content.decode().startswith("<!doctype html>")
    assert (
        staff_client.get(reverse("console:survey:download", args=[paper.slug, "pdf"])).status_code
        == 404
    )


def test_api_needs_a_staff_session(client, paper):
    assert client.get("/api/v1/survey/").status_code == 401
    client.force_login(UserFactory(username="reader", is_staff=False))
    assert client.get(f"/api/v1/survey/{paper.slug}/tables").status_code == 403


def test_api_lists_surveys_and_serves_the_tables(staff_client, paper, paper_data):
    surveys = staff_client.get("/api/v1/survey/").json()
    assert surveys[0]["slug"] == "paper-2016" and surveys[0]["cutoff"] == "2016-04-06"
    tables = staff_client.get(f"/api/v1/survey/{paper.slug}/tables").json()["tables"]
    weibo = tables[0]
    assert weibo["platform"] == "weibo"
    codes = [region["code"] for region in weibo["regions"]]
    impact = next(row for row in weibo["rows"] if row["field"] == "impact")
    for code, cell in zip(codes, impact["cells"], strict=True):
        assert cell["value"] == paper_data["platforms"]["weibo"][code]["impact"]
    assert staff_client.get("/api/v1/survey/nope/tables").status_code == 404


def test_api_indicators_and_diagnosis(staff_client, paper):
    indicators = staff_client.get(f"/api/v1/survey/{paper.slug}/indicators").json()
    assert indicators["scope"]["as_of"] == "2016-05-04"
    assert indicators["presence"]["share"] == {"wechat": 0.5, "weibo": 1.0}
    levels = {row["level"]: row for row in indicators["coverage"]["levels"]}
    assert levels["district"]["covered"] == 6
    assert indicators["reach"]["bands"]["ten_thousands"] == 1
    assert indicators["ranking"][0]["platform"] == "wechat"
    diagnosis = staff_client.get(
        f"/api/v1/survey/{paper.slug}/diagnosis", {"region": "nanjing"}
    ).json()
    assert diagnosis["scope"]["kind"] == "region"
    findings = {f["code"]: f for f in diagnosis["findings"]}
    assert findings["weak_interaction"]["status"] == "holds"
    assert findings["weak_interaction"]["actions"][0]["strategy"] == "interaction_platform"
    bad = staff_client.get(
        f"/api/v1/survey/{paper.slug}/indicators",
        {"start": "2016-06-01", "as_of": "2016-05-01"},
    )
    assert bad.status_code == 422


def test_api_activity_and_indices_by_period(staff_client, generated):
    for period, expected in (("week", 13), ("month", 3), ("year", 1)):
        response = staff_client.get(
            f"/api/v1/survey/{generated.slug}/activity",
            {"period": period, "start": "2024-04-01", "region": "beta"},
        )
        assert response.status_code == 200
        rows = response.json()["rows"]
        assert len({row["period"] for row in rows}) == expected, period
    indices = staff_client.get(
        f"/api/v1/survey/{generated.slug}/indices", {"period": "month", "archive": "beta-city"}
    ).json()["rows"]
    assert {row["index"] for row in indices} == {"WCI", "BCI"}
    assert all(row["value"] > 0 for row in indices)


def query_count(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_indicator_queries_do_not_grow_with_the_number_of_accounts(db, client):
    small = build_generated_survey()
    scope = selectors.scope_get(survey=small)
    few = query_count(lambda: ind.indicators_compute(scope))
    from archivox.survey.models import MonitoredInstitution, Survey

    Survey.objects.all().delete()
    MonitoredInstitution.objects.all().delete()
    bigger = build_generated_survey(extra_regions=3)
    scope = selectors.scope_get(survey=bigger)
    many = query_count(lambda: ind.indicators_compute(scope))
    assert many == few <= 20


def test_console_and_api_pages_are_guarded_against_n_plus_one(
    staff_client, generated, django_assert_max_num_queries
):
    # 32: one query asks whether the reader is a supervisor (every archive) or an archive's
    # own staff (their archive only); the whole months are read from the roll-up, the
    # part-month at the window's end from the posts.
    with django_assert_max_num_queries(32):
        assert staff_client.get(f"/console/survey/{generated.slug}/").status_code == 200
    with django_assert_max_num_queries(25):
        assert staff_client.get(f"/api/v1/survey/{generated.slug}/indicators").status_code == 200
    with django_assert_max_num_queries(6):
        assert staff_client.get("/api/v1/survey/").status_code == 200
