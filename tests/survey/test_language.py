"""The survey speaks the reader's language: Simplified Chinese by default (the archivist in
Nanjing reads the diagnosis in Chinese), English when the browser asks. Section numbers of the
paper and the data (names, columns, notes) stay as they are."""

import csv
import datetime
import html
import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.survey import charts, reports, selectors
from archivox.survey import indicators as ind
from archivox.survey.diagnosis import diagnose
from archivox.survey.models import Finding, MonitoredInstitution
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db

# The paper's findings in its own Chinese vocabulary.
CHINESE_TITLES = {
    "uneven_development": "3.2.1 区域发展不均衡",
    "low_coverage": "3.2.2 覆盖面不广",
    "weak_promotion": "3.2.3 宣传推广不够",
    "incomplete_content": "3.2.4 内容不完善",
    "weak_interaction": "3.2.5 与用户互动性不强",
    "security_risk": "3.2.6 第三方平台的安全隐患",
}
NANJING_UPDATED = (
    "论文（调查截至 2016-04-06）称 南京市档案馆 · 微信 "
    "在 2016-04-01 之后没有更新（英文版原文：“content still stays in March 2016”）；"
    "文章列表中有其 2016-05-03 的发文，此后已有更新。"
)
NANJING_READS = "南京市档案馆 · 微信：共 1 篇发文，篇均阅读 32，点赞 2。"
# Wording that must not survive in Chinese output: English sentences of the diagnosis.
ENGLISH_WORDING = re.compile(
    r"\b(regions|account|accounts|holds|original post|followers|median|consultations?|"
    r"survey recorded|not enough data|administrators?|per post|schedule|open one)\b",
    re.IGNORECASE,
)


def diagnosis_in(language: str, survey, **scope):
    with translation.override(language):
        return diagnose(ind.indicators_compute(selectors.scope_get(survey=survey, **scope)))


def lines(diagnosis) -> list[str]:
    return [
        line
        for j in diagnosis.judgments
        for line in [j.title, j.status_label, *j.evidence, *(a.text for a in j.actions)]
    ]


def without_data(line: str) -> str:
    """The line without the data it quotes: names in brackets and quoted columns, notes."""
    line = re.sub(r"\([^()]*\)", "", line)
    line = re.sub(r"“[^”]*”", "", line)
    return line.replace("Archivox", "")


@pytest.mark.chinese
def test_nanjing_reads_its_diagnosis_in_chinese(paper):
    diagnosis = diagnosis_in("zh-hans", paper, region="nanjing")
    titles = {j.code: j.title for j in diagnosis.judgments}
    for code, title in CHINESE_TITLES.items():
        assert titles[code].startswith(title), code
    assert [j.section for j in diagnosis.judgments] == [
        "3.2.1",
        "3.2.2",
        "3.2.3",
        "3.2.4",
        "3.2.5",
        "3.2.6",
    ]
    content = diagnosis.get("incomplete_content")
    assert content.status_label == "不成立"  # updated on 2016-05-03
    assert diagnosis.get("uneven_development").status_label == "不成立"
    assert NANJING_UPDATED in content.evidence
    assert NANJING_READS in diagnosis.get("weak_interaction").evidence
    assert "咨询：数据不足（咨询箱未提供数据）。" in diagnosis.get("weak_interaction").evidence
    security = diagnosis.get("security_risk")
    assert security.basis == "recorded" and security.basis_label == "依据调查记录"
    assert "此结论依据调查记录，而非测量" in " ".join(security.evidence)
    interaction = diagnosis.get("weak_interaction")
    assert (
        interaction.actions[0].strategy_text == "4.4 依托技术平台增强互动（咨询、话题、电子邮件）"
    )
    for line in lines(diagnosis):
        assert not ENGLISH_WORDING.search(without_data(line)), line


@pytest.mark.chinese
def test_whole_survey_evidence_in_chinese_names_regions_and_gaps(paper):
    diagnosis = diagnosis_in("zh-hans", paper)
    uneven = diagnosis.get("uneven_development")
    assert ("微信：6 个地区中有 3 个开通，北京、昆明、新疆哈密尚未开通。") in uneven.evidence
    promotion = " ".join(diagnosis.get("weak_promotion").evidence)
    assert "粉丝 20,000" in promotion and "粉丝不足 7,000" in promotion
    assert "相差 2.8 倍以上" in promotion
    coverage = diagnosis.get("low_coverage").evidence
    assert (
        coverage[0]
        == "各级档案馆已知开通账号情况：省级 1/2（50%）；市级 4/4（100%）；区级 6/6（100%）。"
    )
    for line in lines(diagnosis):
        assert not ENGLISH_WORDING.search(without_data(line)), line


def test_english_stays_for_english_readers(paper):
    diagnosis = diagnosis_in("en", paper, region="nanjing")
    assert diagnosis.get("incomplete_content").title.startswith("3.2.4 content is not complete")
    with translation.override("en"):
        assert diagnosis.get("incomplete_content").status_label == "does not hold"
        assert not any(re.search(r"[成立依据栏目]", line) for line in lines(diagnosis))


@pytest.mark.chinese
def test_every_measured_branch_has_chinese_wording(generated):
    """Slow consultations, an account with one administrator, a silent archive: the generated
    survey walks the branches the paper's data does not."""
    archive = ArchiveFactory(slug="beta-city-archive", region=generated.regions.get(code="beta"))
    MonitoredInstitution.objects.filter(slug="beta-city").update(archive=archive)
    linked = PlatformAccount.objects.create(archive=archive, platform="wechat", name="beta")
    # Linked to Archivox before the generated survey's day (2024-06-30).
    PlatformAccount.objects.filter(pk=linked.pk).update(
        created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    Membership.objects.create(user=UserFactory(), archive=archive, role=Role.ADMINISTRATOR)
    received = datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC)
    slow = [
        ind.Consultation(received, received + datetime.timedelta(hours=hours))
        for hours in (50, 60, 70)
    ]
    scope = selectors.scope_get(survey=generated)
    with translation.override("zh-hans"):
        diagnosis = diagnose(
            ind.indicators_compute(
                scope, consultations=slow, restricted_published=1, screening_overrides=0
            )
        )
    security = diagnosis.get("security_risk")
    assert security.status_label == "成立"
    assert "有 1 个已发布条目事后发现属于限制利用范围。" in security.evidence
    assert "没有人工放行审查的情况。" in security.evidence
    assert any("只有 1 名管理员" in a.text for a in security.actions)
    interaction = " ".join(diagnosis.get("weak_interaction").evidence)
    assert "首次答复时间中位数 60 小时" in interaction
    assert "微信只允许在 48 小时内以消息答复" in interaction
    content = diagnosis.get("incomplete_content")
    assert any(
        "· 微博：60 天没有更新（转发不计）；将“Featured archives”栏目固定为每周更新" in a.text
        for a in content.actions
    ), content.actions
    for line in lines(diagnosis):
        # The generated names are half English ("alpha地区 (Alpha)", "Featured archives").
        assert not ENGLISH_WORDING.search(without_data(line).replace("archives", "")), line


def test_a_surveys_own_wording_of_a_finding_is_kept(paper):
    Finding.objects.filter(survey=paper, code="security_risk").update(text="3.2.6 我馆自己的表述")
    diagnosis = diagnosis_in("zh-hans", paper)
    assert diagnosis.get("security_risk").title == "3.2.6 我馆自己的表述"
    assert diagnosis.get("uneven_development").title == "3.2.1 区域发展不均衡"


def test_console_report_follows_the_browsers_language(staff_client, paper):
    url = reverse("console:survey:report", args=[paper.slug])
    page = staff_client.get(
        url, {"region": "nanjing"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for title in CHINESE_TITLES.values():
        assert title in page
    assert "文章列表中有其 2016-05-03 的发文" in page
    assert "篇均阅读 32，点赞 2" in page
    assert "表1 部分地区档案微博开通情况调查" in page and "微博开通情况" in page
    assert "粉丝数量级分布" in page  # the chart's title, kept as SVG text
    assert "regional development is uneven" not in page
    english = staff_client.get(url, {"region": "nanjing"}, HTTP_ACCEPT_LANGUAGE="en")
    english_page = english.content.decode()
    assert "3.2.1 regional development is uneven" in english_page
    assert "Table 1 Survey of the establishment of Weibo in some regions" in english_page
    assert "Followers by band" in english_page and "粉丝数量级分布" not in english_page
    assert "区域发展不均衡" not in english_page
    # No city-tier column: the paper assigns no tier to any city.
    assert ">Tier<" not in english_page and "线城市</th>" not in page


def test_csv_and_xlsx_headings_follow_the_language(staff_client, paper):
    url = reverse("console:survey:download", args=[paper.slug, "csv"])
    chinese = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    rows = list(csv.reader(io.StringIO(chinese)))
    assert rows[0] == ["章节", "地区", "对象", "指标", "数值"]
    # The keys scripts filter on stay; the diagnosis text is Chinese.
    assert rows[1][:2] == ["table 1 (weibo)", "beijing"]
    statuses = [row for row in rows if row[0] == "diagnosis" and row[3] == "status"]
    assert {row[4] for row in statuses} == {"holds", "does_not_hold"}
    assert any(row[0] == "diagnosis" and "尚未开通微信公众号" in row[4] for row in rows)
    english = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.splitlines()[0] == ",".join(reports.CSV_COLUMNS)

    xlsx_url = reverse("console:survey:download", args=[paper.slug, "xlsx"])
    book = load_workbook(
        io.BytesIO(staff_client.get(xlsx_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content)
    )
    assert book.sheetnames == ["表1", "表2", "开通情况", "覆盖面", "账号", "活动", "诊断", "数据"]
    diagnosis = book["诊断"]
    assert [c.value for c in diagnosis[1]] == ["发现", "结论", "依据", "证据", "建议措施"]
    assert diagnosis.cell(row=2, column=1).value == "3.2.1 区域发展不均衡"
    assert [diagnosis.cell(row=r, column=2).value for r in range(2, 8)] == [
        "成立",
        "不成立",  # 3.2.2: the tables name lower-level archives in most regions
        "成立",
        "成立",
        "成立",
        "成立",
    ]
    accounts_header = [c.value for c in book["账号"][1]]
    assert accounts_header[:4] == ["地区", "账号", "粉丝数", "粉丝少于"]
    table = book["表2"]
    assert table.cell(row=2, column=1).value == "微信公众号开通情况（英文版原文）"
    assert {table.cell(row=2, column=c).value for c in range(2, 8)} == {"Yes", "No"}
    assert table.cell(row=3, column=1).value == "微信公众号开通情况（中文译文）"
    assert {table.cell(row=3, column=c).value for c in range(2, 8)} == {"是", "否"}
    english = load_workbook(
        io.BytesIO(staff_client.get(xlsx_url, HTTP_ACCEPT_LANGUAGE="en").content)
    )
    assert english.sheetnames[:3] == ["Table 1", "Table 2", "Presence"]
    assert [c.value for c in english["Diagnosis"][1]] == [
        "finding",
        "status",
        "basis",
        "evidence",
        "actions",
    ]


def test_paper_tables_in_chinese(paper):
    with translation.override("zh-hans"):
        weibo, wechat = selectors.survey_tables(survey=paper)
    assert weibo.title == "表1 部分地区档案微博开通情况调查"
    assert wechat.title == "表2 部分地区档案微信公众号开通情况调查"
    assert [row.label for row in weibo.rows] == ["微博开通情况", "基本情况", "影响力度", "服务水平"]
    assert wechat.cell("beijing", "opened").text == "否"
    assert wechat.cell("nanjing", "opened").text == "是"
    assert wechat.note == "截至2016年4月6日"
    # The qualitative cells: the data set's Chinese rendering, and the paper's English as printed.
    cell = wechat.cell("nanjing", "basic_situation")
    assert cell.text == cell.zh == "设有金陵特色历史档案、网上展厅、讲堂和网上展览"
    assert cell.as_printed.startswith("Established Jinling's")


def test_charts_titles_and_labels_follow_the_language(paper_scope):
    indicators = ind.indicators_compute(paper_scope)
    with translation.override("zh-hans"):
        followers = charts.followers_chart(indicators)
        freshness = charts.freshness_chart(indicators)
        interaction = charts.interaction_chart(indicators)
        ranking = charts.wci_chart(indicators)
    assert "粉丝数量级分布" in followers and "观察次数" in followers
    assert "数百" in followers and "数万" in followers
    assert "Followers by band" not in followers
    assert "距上次更新的天数（转发不计）" in freshness
    assert "天（虚线：30 天，超过即为停更）" in freshness
    assert "· 微信" in freshness
    assert "篇均阅读" in interaction and "篇均点赞与评论" in interaction
    assert "WCI 排行" in ranking
    assert "低于 100 即为偏弱" in interaction  # the threshold line is named
    assert "超过 30 天即为停更" in freshness
    with translation.override("en"):
        followers = charts.followers_chart(indicators)
        freshness = charts.freshness_chart(indicators)
    assert "Followers by band" in followers and "ten thousands" in followers
    assert "粉丝数量级分布" not in followers
    assert "Days since the last update (forwards aside)" in freshness and "· WeChat" in freshness


@pytest.mark.chinese
def test_survey_report_command_writes_the_language_asked(paper, tmp_path: Path):
    before = translation.get_language()
    chinese, english = tmp_path / "zh.html", tmp_path / "en.html"
    call_command("survey_report", "--region", "nanjing", "--out", str(chinese), stderr=StringIO())
    call_command(
        "survey_report",
        "--region",
        "nanjing",
        "--language",
        "en",
        "--out",
        str(english),
        stderr=StringIO(),
    )
    zh_html = chinese.read_text(encoding="utf-8")
    en_html = english.read_text(encoding="utf-8")
    assert '<html lang="zh-hans">' in zh_html and "3.2.4 内容不完善" in zh_html
    assert '<html lang="en">' in en_html and "3.2.4 content is not complete" in en_html
    assert translation.get_language() == before  # the command leaves the language as it was


def test_api_diagnosis_follows_the_accept_language_header(staff_client, paper):
    url = f"/api/v1/survey/{paper.slug}/diagnosis"
    chinese = staff_client.get(url, {"region": "nanjing"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    findings = {f["code"]: f for f in chinese["findings"]}
    assert findings["incomplete_content"]["title"] == "3.2.4 内容不完善：原创少、转发多、更新慢"
    assert findings["weak_interaction"]["status"] == "holds"  # codes stay codes
    assert findings["weak_interaction"]["status_label"] == "成立"
    assert NANJING_UPDATED in findings["incomplete_content"]["evidence"]
    english = staff_client.get(url, {"region": "nanjing"}, HTTP_ACCEPT_LANGUAGE="en").json()
    titles = [f["title"] for f in english["findings"]]
    assert titles[0] == "3.2.1 regional development is uneven"


# What English a Chinese report may hold outside the paper's quoted English edition: the names
# of the indices and of the product.
ALLOWED_LATIN = {"WCI", "BCI", "Archivox"}


@pytest.mark.chinese
def test_the_chinese_report_has_no_english_outside_the_quoted_english_edition(paper_scope):
    with translation.override("zh-hans"):
        page = reports.report_html(reports.report_build(paper_scope))
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg):
            assert set(re.findall(r"[A-Za-z]{2,}", html.unescape(text))) <= ALLOWED_LATIN, text
    body = re.sub(r"<svg.*?</svg>|<(style|script|title)[^>]*>.*?</\1>", "", page, flags=re.S)
    # The paper's English edition, quoted and labelled: <q lang="en">…</q> in the tables,
    # 英文版原文：“…” in the diagnosis, and the paper's own column names labelled where they
    # stand (“Visual Hami（英文版原文）”). An English name quoted without the label fails.
    body = re.sub(r"<q\b[^>]*\blang=\"en\"[^>]*>.*?</q>", "", body, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    body = re.sub(r"英文版原文：“[^”]*”|“[^“”]*（英文版原文）”", "", body)
    latin = set(re.findall(r"[A-Za-z]{2,}", body))
    assert latin <= ALLOWED_LATIN, sorted(latin - ALLOWED_LATIN)
    assert "英文版原文" in page and "中文译文" in page
    assert "（本数据集据论文英文版所作的中文译文）" in page  # the paper's method, labelled
    # Nanjing's 2016-05-03 post is of unknown origin: an update, not an original (no "0 originals,
    # 1 day since the last original").
    assert "其中 1 篇来源不明" in page and "距上次更新天数（转发不计）" in page
