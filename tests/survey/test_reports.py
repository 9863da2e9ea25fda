"""The report renders the tables cell for cell as HTML, CSV and XLSX, with SVG charts whose
Chinese labels stay text."""

import csv
import io
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from archivox.survey import charts, reports, selectors
from archivox.survey import indicators as ind
from tests.survey.test_paper_survey import printed_cells

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CHINESE_TEXT = re.compile(r"<text[^>]*>[^<]*[\u4e00-\u9fff][^<]*</text>")


class TableParser(HTMLParser):
    """(table number, region code, field) → the cell as printed (its quoted English edition, or
    its text when it has none), from the report's paper tables."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], str] = {}
        self.table = self.field = None
        self.regions: list[str] = []
        self.column = -1
        self.in_td = self.in_q = False
        self.text = self.quoted = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.table, self.regions = attrs["data-table"], []
        elif tag == "th" and self.table and "data-region" in attrs:
            self.regions.append(attrs["data-region"])
        elif tag == "tr" and self.table and "data-field" in attrs:
            self.field, self.column = attrs["data-field"], -1
        elif tag == "td" and self.field:
            self.column += 1
            self.in_td, self.text, self.quoted = True, "", ""
        elif tag == "q" and self.in_td and attrs.get("lang") == "en":
            self.in_q = True

    def handle_data(self, data):
        if self.in_q:
            self.quoted += data
        elif self.in_td:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "q":
            self.in_q = False
        elif tag == "td" and self.in_td:
            key = (self.table, self.regions[self.column], self.field)
            self.cells[key] = self.quoted or self.text
            self.in_td = False
        elif tag == "table":
            self.table = self.field = None


@pytest.fixture
def report(paper_scope):
    return reports.report_build(paper_scope)


def test_html_report_reproduces_tables_1_and_2_cell_for_cell(report, paper_data):
    html = reports.report_html(report)
    parser = TableParser()
    parser.feed(html)
    numbers = {"weibo": "1", "wechat": "2"}
    printed = printed_cells(paper_data)
    for (platform, code, field), (as_printed, zh) in printed.items():
        assert parser.cells[numbers[platform], code, field] == as_printed, (platform, code, field)
        assert escape(zh) in html
    assert ("2", "beijing", "impact") not in parser.cells  # the paper's Table 2 has no impact row
    assert "Table 1 Survey of the establishment of Weibo in some regions" in html
    for finding in report.diagnosis.judgments:
        assert f'data-finding="{finding.code}" data-status="{finding.status}"' in html


def test_html_report_embeds_svg_charts_with_chinese_text(paper_scope):
    with translation.override("zh-hans"):
        html = reports.report_html(reports.report_build(paper_scope))
    assert html.count("<svg") >= 4
    assert CHINESE_TEXT.search(html)
    assert "<?xml" not in html


def test_each_chart_keeps_chinese_labels_as_text(paper_scope):
    indicators = report_indicators = reports.report_build(paper_scope).indicators
    for name in ("followers", "freshness", "interaction", "wci"):
        with translation.override("zh-hans"):
            svg = getattr(charts, f"{name}_chart")(report_indicators)
        assert svg.startswith("<svg"), name
        assert CHINESE_TEXT.search(svg), name
    assert charts.originality_chart(indicators) is None  # no post of known origin
    assert charts.bci_chart(indicators) is None  # no Weibo post measured


def test_charts_rank_each_index_apart_with_values_and_named_thresholds(generated):
    indicators = ind.indicators_compute(selectors.scope_get(survey=generated))
    wci, bci = charts.wci_chart(indicators), charts.bci_chart(indicators)
    assert "WCI ranking" in wci and "BCI" not in wci
    assert "BCI ranking" in bci and "WCI" not in bci
    interaction = charts.interaction_chart(indicators)
    # Both platforms: the Weibo accounts have likes and comments, no reads.
    assert "· Weibo" in interaction and "· WeChat" in interaction
    assert "weak under 100" in interaction and "weak under 5" in interaction
    assert "stale after 30 days" in charts.freshness_chart(indicators)
    assert ">70.0<" in interaction  # 60 likes + 10 comments per post, written on the bar
    assert charts.response_chart([]) is None


def test_csv_report_parses_back_with_every_table_cell(report, paper_data):
    rows = list(csv.DictReader(io.StringIO(reports.report_csv(report))))
    assert list(rows[0]) == list(reports.CSV_COLUMNS)
    cells = {
        (row["section"], row["region"], row["measure"]): row["value"]
        for row in rows
        if row["section"].startswith("table")
    }
    sections = {"weibo": "table 1 (weibo)", "wechat": "table 2 (wechat)"}
    for (platform, code, field), (as_printed, zh) in printed_cells(paper_data).items():
        assert cells[sections[platform], code, field] == as_printed
        assert cells[sections[platform], code, f"{field}_zh"] == zh
    statuses = {
        row["subject"]: row["value"]
        for row in rows
        if row["section"] == "diagnosis" and row["measure"] == "status"
    }
    assert statuses == {j.code: j.status.value for j in report.diagnosis.judgments}


def test_xlsx_report_parses_back_with_the_tables_laid_out_as_in_the_paper(report, paper_data):
    book = load_workbook(io.BytesIO(reports.report_xlsx(report)))
    assert book.sheetnames[:2] == ["Table 1", "Table 2"]
    printed = printed_cells(paper_data)
    for sheet, platform in (("Table 1", "weibo"), ("Table 2", "wechat")):
        ws = book[sheet]
        header = [c.value for c in ws[1]][1:]
        table = selectors.survey_tables(survey=report.survey)[int(sheet[-1]) - 1]
        assert header == [column.label for column in table.columns]
        assert header[0] == ("Beijing Shijingshan" if platform == "weibo" else "Beijing")
        codes = list(paper_data["platforms"][platform])
        by_label = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
        for label, field in (
            (next(label for label in by_label if label and "opening" in label), "opened"),
            ("Basic situation", "basic_situation"),
            ("Service level", "service_level"),
        ):
            base = label.split(" (")[0]
            as_printed_row = by_label[f"{base} (English edition, as printed)"]
            zh_row = by_label[f"{base} (Chinese rendering)"]
            for column, code in enumerate(codes, start=2):
                expected_printed, expected_zh = printed[platform, code, field]
                assert ws.cell(row=as_printed_row, column=column).value == expected_printed
                assert ws.cell(row=zh_row, column=column).value == expected_zh
    diagnosis = book["Diagnosis"]
    assert [diagnosis.cell(row=r, column=2).value for r in range(2, 8)] == [
        j.status_label for j in report.diagnosis.judgments
    ]
    data_rows = list(book["Data"].iter_rows(values_only=True))
    assert data_rows[0] == reports.CSV_COLUMNS


def test_survey_report_command_writes_each_format(paper, tmp_path: Path):
    for fmt in ("html", "csv", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        err = StringIO()
        call_command(
            "survey_report", "--region", "nanjing", "--format", fmt, "--out", str(out), stderr=err
        )
        assert out.stat().st_size > 0
        assert "南京 (Nanjing)" in err.getvalue()
    assert "南京" in (tmp_path / "report.html").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="region 'atlantis' is not in survey"):
        call_command("survey_report", "--region", "atlantis", "--out", str(tmp_path / "x.html"))
    with pytest.raises(CommandError, match="needs --out"):
        call_command("survey_report", "--format", "xlsx")


def test_report_queries_do_not_grow_with_accounts(generated, django_assert_max_num_queries):
    scope = selectors.scope_get(survey=generated)
    # 28: the tables' statements and the screened posts are one query each, whatever the size
    # (the period rows two: the roll-up's whole months, the posts of the part-month).
    with django_assert_max_num_queries(28):
        reports.report_build(scope, charts=False)
