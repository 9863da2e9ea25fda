"""A province sets up its own survey with a CSV and a command, without the Django shell; a bad
row refuses the whole file with its line, and nothing is written."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archivox.core.models import Archive, Region
from archivox.survey.models import MonitoredInstitution, Survey

pytestmark = pytest.mark.django_db

SETUP = (
    "region,region_name,region_name_zh,region_level,province,archive,archive_name,"
    "archive_name_zh,archive_level,parent\n"
    "kunming-pv,Kunming,昆明,city,Yunnan,km-city,Kunming Archives,昆明市档案馆,city,\n"
    "kunming-pv,,,,,km-wuhua,Wuhua District Archives,五华区档案馆,district,km-city\n"
    "qujing,Qujing,曲靖,city,Yunnan,qj-city,Qujing Archives,曲靖市档案馆,city,\n"
)


def run(tmp_path: Path, text: str, *extra: str) -> str:
    path = tmp_path / "archives.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "survey_setup",
        "--survey",
        "yunnan-2026-11",
        "--title",
        "云南省档案自媒体调查（2026年11月）",
        "--cutoff",
        "2026-11-30",
        "--csv",
        str(path),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_a_province_sets_up_regions_archives_and_a_survey_period(tmp_path):
    output = run(tmp_path, SETUP)
    assert "survey yunnan-2026-11 created: 2 region(s) added, 3 archive(s) monitored" in output
    assert Archive.objects.get(slug="km-wuhua").parent.slug == "km-city"
    assert Region.objects.get(code="qujing").name_zh == "曲靖"
    survey = Survey.objects.get(slug="yunnan-2026-11")
    assert [link.region.code for link in survey.survey_regions.order_by("position")] == [
        "kunming-pv",
        "qujing",
    ]
    assert MonitoredInstitution.objects.get(slug="km-wuhua").archive.slug == "km-wuhua"
    # Again: nothing new.
    again = run(tmp_path, SETUP)
    assert "0 created, 0 updated, 2 unchanged" in again
    assert "updated: 0 region(s) added" in again


def test_a_bad_row_refuses_the_whole_file_and_writes_nothing(tmp_path):
    bad = SETUP + "qujing,,,,,qj-x,,曲靖某馆,village,nowhere\n"
    with pytest.raises(CommandError) as error:
        run(tmp_path, bad)
    message = str(error.value)
    assert "line 5, archive_name: is required" in message
    assert "line 5, archive_level: 'village' is not one of" in message
    assert "line 5, parent: no archive 'nowhere'" in message
    assert not Region.objects.filter(code="qujing").exists()
    assert not Archive.objects.filter(slug="km-city").exists()
    assert not Survey.objects.filter(slug="yunnan-2026-11").exists()


def test_the_console_form_sets_up_a_survey_and_keeps_what_was_typed_on_error(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import UserFactory

    url = reverse("console:survey:setup")
    staff = UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # installation administrators only
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "设置调查" in page and "region_level" in page
    fields = {"survey": "yunnan-2026-11", "title": "云南省调查", "cutoff": "2026-11-30"}
    bad = SETUP + "qujing,,,,,qj-x,,曲靖某馆,village,\n"
    response = client.post(
        url,
        {**fields, "archives": SimpleUploadedFile("a.csv", bad.encode())},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "未保存任何内容" in page
    assert "line 5, archive_level" in page
    assert 'value="云南省调查"' in page  # what was typed is kept
    assert not Survey.objects.exists()
    response = client.post(url, {**fields, "archives": SimpleUploadedFile("a.csv", SETUP.encode())})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:survey:report", args=["yunnan-2026-11"])
    assert Survey.objects.get(slug="yunnan-2026-11").survey_regions.count() == 2
