"""The console shows an archive's own staff their own archive's diagnosis and its three most
useful actions, linking to the report filtered to their archive; staff of one archive cannot
read another's, a region's or the whole survey's (supervisors still read everything)."""

import datetime

import pytest

from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.survey.services.monitoring import monitoring_period_open
from tests.factories import ArchiveFactory, RegionFactory, UserFactory
from tests.records_requests_factory import make_requests

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 1)
REPORT = "/console/survey/archivox-monitor-2026-11-01/"


@pytest.fixture
def archives():
    region = RegionFactory(code="demo-city", name="Demo", name_zh="示范市")
    slow = ArchiveFactory(slug="slow-archives", region=region, name="Slow", name_zh="慢速档案馆")
    quick = ArchiveFactory(slug="quick-archives", region=region, name="Quick", name_zh="快速档案馆")
    make_requests(slow, on_time=2, late=3, start=NOVEMBER)
    make_requests(quick, on_time=4, start=NOVEMBER)
    monitoring_period_open(actor=None, start=NOVEMBER)
    return {"slow": slow, "quick": quick}


def _staff(archive, username, role=Role.ARCHIVIST):
    user = UserFactory(username=username)
    membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


def test_an_archives_staff_see_its_diagnosis_and_top_actions_on_the_dashboard(client, archives):
    client.force_login(_staff(archives["slow"], "slow-clerk"))
    html = client.get("/console/").content.decode()
    assert "Our diagnosis" in html
    assert "The three actions that would help most" in html
    assert "closes 40% of records-use requests on time (threshold 90%)" in html
    assert f'href="{REPORT}?archive=slow-archives"' in html
    assert "quick-archives" not in html


def test_the_other_archives_staff_do_not_see_its_findings(client, archives):
    client.force_login(_staff(archives["quick"], "quick-clerk", role=Role.REVIEWER))
    html = client.get("/console/").content.decode()
    assert "Our diagnosis" in html
    assert "closes 40%" not in html and "慢速档案馆" not in html
    assert f'href="{REPORT}?archive=quick-archives"' in html


def test_staff_read_their_own_archives_report_and_no_one_elses(client, archives):
    client.force_login(_staff(archives["slow"], "slow-clerk"))
    own = client.get(REPORT, {"archive": "slow-archives"})
    assert own.status_code == 200
    assert "closes 40% of records-use requests on time, under 90%" in own.content.decode()
    assert client.get(REPORT, {"archive": "quick-archives"}).status_code == 403
    assert client.get(REPORT).status_code == 403  # the whole survey
    assert client.get(REPORT, {"region": "demo-city"}).status_code == 403
    assert client.get(REPORT, {"archive": "no-such-archive"}).status_code == 404
    download = f"{REPORT}report.csv"
    assert client.get(download, {"archive": "slow-archives"}).status_code == 200
    assert client.get(download, {"archive": "quick-archives"}).status_code == 403
    api = "/api/v1/survey/archivox-monitor-2026-11-01/indicators"
    assert client.get(api, {"archive": "quick-archives"}).status_code == 403
    assert client.get(api, {"archive": "slow-archives"}).status_code == 200


def test_supervisors_still_read_every_archive_and_the_whole_survey(client, archives):
    client.force_login(UserFactory(username="supervisor", is_staff=True))
    assert client.get(REPORT).status_code == 200
    page = client.get(REPORT, {"archive": "quick-archives"})
    assert page.status_code == 200
    # Nothing is computed on a supervisor's dashboard: they read the reports.
    assert "Our diagnosis" not in client.get("/console/").content.decode()


def test_the_dashboard_card_is_chinese_first(client, archives, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(_staff(archives["slow"], "slow-clerk"))
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本馆诊断" in html and "最能见效的三项措施" in html and "本馆完整调查报告" in html
    assert "查档申请仅占 40%" in html
