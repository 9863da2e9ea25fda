"""The paper's survey loads whole and idempotently, and Tables 1–2 come back cell for cell."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from archivox.core.models import AuditEntry
from archivox.survey import selectors
from archivox.survey.models import (
    Account,
    Finding,
    MonitoredInstitution,
    PostRecord,
    Strategy,
    Survey,
    SurveyRegion,
    TableEntry,
)

pytestmark = pytest.mark.django_db

TABLE_FIELDS = ("opened", "basic_situation", "impact", "service_level")
SURVEY_MODELS = (
    Survey,
    SurveyRegion,
    TableEntry,
    MonitoredInstitution,
    Account,
    PostRecord,
    Finding,
    Strategy,
)


def expected_cells(paper_data: dict) -> dict[tuple[str, str, str], object]:
    """(platform, region, field) → the YAML's value, absent fields as ''."""
    cells = {}
    for platform, regions in paper_data["platforms"].items():
        for code, cell in regions.items():
            for field in TABLE_FIELDS:
                cells[platform, code, field] = cell.get(field, "")
    return cells


def table_cells(tables) -> dict[tuple[str, str, str], object]:
    cells = {}
    for table in tables:
        for column, region in enumerate(table.regions):
            for row in table.rows:
                cells[table.platform, region.code, row.field] = row.cells[column].value
    return cells


@pytest.mark.usefixtures("english")
def test_tables_1_and_2_reproduce_the_yaml_cell_for_cell(paper, paper_data):
    tables = selectors.survey_tables(survey=paper)
    assert [(t.number, t.platform) for t in tables] == [(1, "weibo"), (2, "wechat")]
    for table in tables:
        assert [r.code for r in table.regions] == list(paper_data["platforms"][table.platform])
    expected = expected_cells(paper_data)
    actual = table_cells(tables)
    # Table 2 has no impact row in the paper: every expected cell is there, or empty.
    for key, value in expected.items():
        assert actual.get(key, "") == value, key
    for key, value in actual.items():
        assert expected[key] == value, key
    assert [row.field for row in tables[0].rows] == list(TABLE_FIELDS)
    assert [row.field for row in tables[1].rows] == ["opened", "basic_situation", "service_level"]
    assert tables[1].cell("beijing", "opened").text == "No"
    assert tables[0].cell("hami", "opened").text == "Yes"
    assert tables[1].note == "Deadline until April 6, 2016"
    assert tables[0].note == ""  # the paper prints a note under Table 2 only


def printed_cells(paper_data: dict) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(platform, region, field) → (the cell as printed, its Chinese rendering)."""
    cells = {}
    for platform, regions in paper_data["platforms"].items():
        for code, cell in regions.items():
            cells[platform, code, "opened"] = ("Yes", "是") if cell["opened"] else ("No", "否")
            for field in TABLE_FIELDS[1:]:
                if platform == "wechat" and field == "impact":
                    continue  # the paper's Table 2 has no impact row
                if "cells_as_printed" in cell:
                    cells[platform, code, field] = (cell["cells_as_printed"], cell["cells_zh"])
                else:
                    cells[platform, code, field] = (cell[field], cell[f"{field}_zh"])
    return cells


@pytest.mark.usefixtures("english")
def test_tables_give_every_cell_as_printed_and_its_chinese_rendering(paper, paper_data):
    tables = {t.platform: t for t in selectors.survey_tables(survey=paper)}
    for (platform, code, field), (printed, zh) in printed_cells(paper_data).items():
        cell = tables[platform].cell(code, field)
        assert (cell.as_printed, cell.zh) == (printed, zh), (platform, code, field)
    # Table 2's "No" columns are "No" in every cell, as printed.
    assert tables["wechat"].cell("kunming", "service_level").as_printed == "No"
    # Each table's own column labels: Table 1 "Beijing Shijingshan", "Chengdu"; Table 2 "Sichuan".
    weibo = [c.label_as_printed for c in tables["weibo"].columns]
    wechat = [c.label_as_printed for c in tables["wechat"].columns]
    assert weibo[0] == "Beijing Shijingshan" and weibo[4] == "Chengdu"
    assert wechat[4] == "Sichuan" and wechat[5] == "Xinjiang"
    assert tables["weibo"].title_as_printed == paper_data["survey"]["table1"]["title_as_printed"]
    with translation.override("zh-hans"):
        chinese = {t.platform: t for t in selectors.survey_tables(survey=paper)}
    assert chinese["weibo"].columns[0].label == "北京石景山"
    assert chinese["wechat"].cell("beijing", "basic_situation").text == "无"
    assert chinese["weibo"].title == "表1 部分地区档案微博开通情况调查"
    assert chinese["wechat"].note == "截至2016年4月6日"


def test_the_survey_itself_and_its_regions(paper, paper_data):
    assert paper.title == paper_data["survey"]["title"]
    assert paper.method == paper_data["survey"]["method"]
    assert paper.title_zh == paper_data["survey"]["title_zh"]
    assert paper.method_zh == paper_data["survey"]["method_zh"]
    assert [o["value"] for o in paper.observations] == [
        o["value"] for o in paper_data["observations"]
    ]
    assert paper.cutoff == datetime.date(2016, 4, 6)
    # The paper measured the Bai Chongxi Mansion post after its cut-off.
    assert paper.observed_until == datetime.date(2016, 5, 4)
    links = selectors.survey_region_links(paper)
    assert [link.region.code for link in links] == [r["code"] for r in paper_data["regions"]]
    assert [link.region.code for link in links if not link.reported] == ["yancheng"]


def test_named_accounts_keep_the_papers_figures(paper, paper_data):
    assert Account.objects.count() == len(paper_data["accounts"])
    shijingshan = Account.objects.get(institution__slug="beijing-shijingshan", platform="weibo")
    assert shijingshan.followers == 20000 and shijingshan.source == "3.2.3"
    dongcheng = Account.objects.get(institution__slug="beijing-dongcheng", platform="weibo")
    assert dongcheng.followers is None and dongcheng.followers_below == 7000
    nanjing_wechat = Account.objects.get(institution__slug="nanjing", platform="wechat")
    assert nanjing_wechat.last_update_before == datetime.date(2016, 4, 1)
    assert nanjing_wechat.notes == "content still stays in March 2016"
    # The city bureau's Weibo is the main archive's account under the bureau's name.
    bureau = Account.objects.get(institution__slug="nanjing", platform="weibo")
    assert bureau.name == "Nanjing Archives Bureau"
    hami = Account.objects.get(institution__slug="hami", platform="weibo")
    assert hami.originals_column == "Visual Hami"
    assert MonitoredInstitution.objects.get(slug="nanjing-gulou").archive.slug == "nanjing-gulou"


def test_the_bai_chongxi_mansion_post_is_recorded(paper):
    post = PostRecord.objects.get()
    assert post.account.institution.slug == "nanjing" and post.account.platform == "wechat"
    assert post.title == "Bai Chongxi Mansion (白崇禧公馆)"
    # The paper does not say the post belongs to the section it mentions: context, not column.
    assert post.column == ""
    assert "Nanjing Masterpieces Recommended" in post.context
    assert (post.reads, post.likes, post.comments) == (32, 2, None)
    assert post.published_on == datetime.date(2016, 5, 3)
    assert post.is_original is None  # the paper does not say


def test_findings_and_strategies_keep_their_codes_and_texts(paper, paper_data):
    findings = {f.code: f for f in Finding.objects.filter(survey=paper)}
    assert {code: f.text for code, f in findings.items()} == paper_data["findings"]
    assert findings["security_risk"].section == "3.2.6"
    strategies = {s.code: s.text for s in Strategy.objects.filter(survey=paper)}
    assert strategies == paper_data["strategies"]


def test_impact_cells_name_the_papers_follower_bands(paper):
    bands = dict(
        TableEntry.objects.filter(survey=paper, platform="weibo").values_list(
            "region__code", "impact_bands"
        )
    )
    assert bands == {
        "beijing": "ten_thousands,thousands",
        "nanjing": "thousands,hundreds",
        "kunming": "ten_thousands,hundreds",
        "suzhou": "thousands,few",
        "sichuan": "",
        "hami": "thousands,hundreds",
    }


def test_loading_twice_changes_nothing_the_second_time(paper):
    def state():
        return {model: list(model.objects.order_by("pk").values()) for model in SURVEY_MODELS}

    before, audit = state(), AuditEntry.objects.count()
    out = StringIO()
    call_command("load_paper_survey", stdout=out)
    assert "survey 0 created, 0 updated" in out.getvalue()
    assert state() == before
    assert AuditEntry.objects.count() == audit


def test_first_load_is_audited_as_the_system(paper):
    entry = AuditEntry.objects.get(action="survey.load")
    assert entry.actor is None and entry.after["created"] > 0
