# ruff: noqa: E501  (the patterns are the sentences they match, kept whole to be read)
"""On the paper's data, no sentence of the diagnosis contradicts Table 1, Table 2 or the post
list: every evidence line and action is matched to the kind of claim it makes and checked
against the data set, and a line of an unknown kind fails the test (so a new kind of sentence
must come with its check)."""

import datetime
import math
import re
from collections.abc import Callable

import pytest
from django.utils import translation

from archivox.core.paper_survey import MAIN_ARCHIVE_LEVEL
from archivox.survey import indicators as ind
from archivox.survey import selectors
from archivox.survey.diagnosis import diagnose
from archivox.survey.indicators.regions import BELOW_MAIN_WORDS, MAIN_WORDS
from archivox.survey.indicators.thresholds import level_label

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PLATFORMS = {"WeChat": "wechat", "Weibo": "weibo"}
ACCOUNTS = {"WeChat official account": "wechat", "Weibo account": "weibo"}
BAND_WORDS = {
    "ten thousands": "ten thousand",
    "thousands": "thousand",
    "hundreds": "hundred",
    "few": "few",
}


class Paper:
    """The data set, looked up the way the diagnosis names things."""

    def __init__(self, data: dict, as_of: datetime.date) -> None:
        self.data, self.as_of = data, as_of
        self.regions = {r["code"]: r for r in data["regions"]}
        self.cutoff = data["survey"]["cutoff"]

    def region(self, shown: str) -> str:
        """A region's code from its display name "南京 (Nanjing)"."""
        for code, region in self.regions.items():
            if shown in (f"{region['name_zh']} ({region['name']})", region["name_zh"]):
                return code
        raise AssertionError(f"no region shown as {shown!r}")

    def region_of_archive(self, shown: str) -> str:
        """The region of a main archive shown by its Chinese name (北京市档案馆)."""
        for code, region in self.regions.items():
            if shown.startswith(region["name_zh"][:2]):
                return code
        raise AssertionError(f"no region for {shown!r}")

    def cell(self, platform: str, code: str) -> dict | None:
        return self.data["platforms"][platform].get(code)

    def account(self, shown: str) -> dict:
        """An account from "石景山区档案馆 (Shijingshan District Archives) · Weibo"."""
        name, platform = shown.rsplit(" · ", 1)
        english = re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)$", name)
        institution = english.group(1) if english else name
        for account in self.data["accounts"]:
            if account["institution"] == institution and account["platform"] == PLATFORMS.get(
                platform
            ):
                return account
        raise AssertionError(f"no account shown as {shown!r}")

    def reported(self) -> list[str]:
        """The regions a table has a column for (Yancheng is named, not reported)."""
        return [code for code in self.regions if any(code in c for c in self.platforms())]

    def platforms(self) -> list[dict]:
        return list(self.data["platforms"].values())

    def present(self, code: str, platform: str) -> bool:
        """A region is on a platform when its table cell says opened or an account is named."""
        cell = self.cell(platform, code) or {}
        return cell.get("opened") is True or any(
            a["region"] == code and a["platform"] == platform for a in self.data["accounts"]
        )

    def archives_by_level(self) -> dict[str, tuple[int, int]]:
        """Level → (archives, archives known to have an account) of the reported regions: each
        region's main archive (the paper's other names for it are the same archive) and the
        archives below it that the accounts name. A main archive has an account when an account
        names it or an opened table cell names it (city, provincial, "<Region> archives");
        otherwise it is not known to have one."""
        levels: dict[str, list[int]] = {}
        for code in self.reported():
            region = self.regions[code]
            main = MAIN_ARCHIVE_LEVEL[region["level"]]
            accounts = [a for a in self.data["accounts"] if a["region"] == code]
            own = any(MAIN_ARCHIVE_LEVEL[a["level"]] == main for a in accounts)
            name = region["name"].split()[0]
            named = any(
                (cell := self.cell(platform, code)) is not None
                and cell["opened"]
                and (
                    MAIN_WORDS.search(" ".join((cell["basic_situation"], cell.get("impact", ""))))
                    or re.search(
                        rf"\b{name} archives",
                        " ".join((cell["basic_situation"], cell.get("impact", ""))),
                        re.I,
                    )
                )
                for platform in self.data["platforms"]
            )
            count = levels.setdefault(str(main), [0, 0])
            count[0] += 1
            count[1] += own or named
            below = {
                a["institution"]: a for a in accounts if MAIN_ARCHIVE_LEVEL[a["level"]] != main
            }
            for account in below.values():
                count = levels.setdefault(str(MAIN_ARCHIVE_LEVEL[account["level"]]), [0, 0])
                count[0] += 1
                count[1] += 1
        return {level: (n, covered) for level, (n, covered) in levels.items()}

    def posts(self, account: dict) -> list[dict]:
        return [
            post
            for post in self.data["posts"]
            if post["institution"] == account["institution"]
            and post["platform"] == account["platform"]
        ]


def _names(text: str) -> list[str]:
    """The regions of "北京 (Beijing), 昆明 (Kunming)" (names may hold parentheses)."""
    return [name.strip() for name in re.split(r"(?<=\)), ", text)]


def check_lines(paper: Paper) -> list[tuple[re.Pattern, Callable]]:
    """(pattern, check) for every kind of sentence the diagnosis says of the paper's data."""

    def presence(m):
        platform = PLATFORMS[m["platform"]]
        cells = paper.data["platforms"][platform]
        assert int(m["present"]) == sum(1 for c in cells.values() if c["opened"])
        for shown in _names(m["missing"]) if m["missing"] else []:
            assert paper.cell(platform, paper.region(shown))["opened"] is False, shown

    def no_platform(m):
        code = paper.region(m["region"])
        assert paper.cell(ACCOUNTS[m["account"]], code)["opened"] is False

    def not_reported(m):
        for shown in _names(m["names"]):
            code = paper.region(shown)
            assert all(code not in cells for cells in paper.data["platforms"].values())

    def below_by_table(m):
        for shown in _names(m["names"]):
            cell = paper.cell("weibo", paper.region(shown))
            assert BELOW_MAIN_WORDS.search(cell["basic_situation"]), shown

    def stuck(m):
        for shown in _names(m["names"]):
            cell = paper.cell("weibo", paper.region(shown))
            assert not BELOW_MAIN_WORDS.search(cell["basic_situation"]), shown

    def counties(m):
        for shown in _names(m["names"]):
            assert "county" in paper.cell("weibo", paper.region(shown))["basic_situation"]

    def none_in_region(m):
        table = {"1": "weibo", "2": "wechat"}[m["table"]]
        assert paper.cell(table, paper.region_of_archive(m["archive"]))["opened"] is False

    def unknown(m):
        table = {"1": "weibo", "2": "wechat"}[m["table"]]
        cell = paper.cell(table, paper.region_of_archive(m["archive"]))
        assert cell["opened"] is True
        assert not MAIN_WORDS.search(cell["basic_situation"] + " " + cell["impact"])

    def one_figure(m):
        assert paper.account(m["account"])["followers"] == int(m["followers"].replace(",", ""))

    def wechat_without(m):
        wechat = [a for a in paper.data["accounts"] if a["platform"] == "wechat"]
        assert int(m["count"]) == sum(1 for a in wechat if a.get("followers") is None)

    def gap(m):
        top, bottom = paper.account(m["top"]), paper.account(m["bottom"])
        assert top["followers"] == int(m["top_followers"].replace(",", ""))
        assert bottom["followers_below"] == int(m["bottom_followers"].replace(",", ""))
        # A lower bound rounded down: 20,000 / 7,000 = 2.857… is "more than 2.8×".
        ratio = math.floor(top["followers"] / bottom["followers_below"] * 10) / 10
        assert m["ratio"] == f"{ratio:.1f}"

    def bands(m):
        # Shijingshan's 20,000 is Table 1's "ten thousands" for Beijing, counted once; Dongcheng's
        # "fewer than 7,000" is its "thousands"; every other region's cell names its own bands.
        assert m["counts"] == "few 1, hundreds 3, thousands 4, ten thousands 2"
        assert (m["share"], m["total"]) == ("80%", "10")

    def weak_account(m):
        assert paper.account(m["account"])["followers_below"] == int(m["bound"].replace(",", ""))

    def table_bands(m):
        impact = paper.cell("weibo", paper.region(m["region"]))["impact"].lower()
        named = [band.strip() for band in m["bands"].split(",")]
        for band in named:
            assert BAND_WORDS[band] in impact, (m["region"], band)

    def stale(m):
        assert m["date"] == paper.as_of.isoformat()
        for detail in (m["details"] or "").split("; ") if m["details"] else []:
            account = paper.account(detail.split(" at least")[0].rsplit(" ", 2)[0])
            days = [paper.as_of - post["published"] for post in paper.posts(account)]
            assert all(d.days > int(m["days"]) for d in days), detail
        if int(m["stale"]) == 0:
            assert int(m["measured"]) >= 1

    def superseded(m):
        account = paper.account(m["account"])
        assert m["cutoff"] == paper.cutoff.isoformat()
        assert m["date"] == account["last_update_before"].isoformat()
        assert m["notes"] == account["note"]
        assert datetime.date.fromisoformat(m["post"]) in [
            p["published"] for p in paper.posts(account)
        ]

    def one_poster(m):
        account = paper.account(m["account"])
        assert len(paper.posts(account)) == int(m["posts"])
        posters = {(p["institution"], p["platform"]) for p in paper.data["posts"]}
        assert len(posters) == 1

    def confined(m):
        account = paper.account(m["account"])
        assert account["originals_column"] == m["column"]
        assert account["note"] == m["notes"]

    def post_figures(m):
        (post,) = paper.posts(paper.account(m["account"]))
        assert (str(post["reads"]), str(post["likes"])) == (m["reads"], m["likes"])

    def one_reads(m):
        (post,) = paper.data["posts"]
        assert m["value"] == str(post["reads"])

    def one_reactions(m):
        (post,) = paper.data["posts"]
        assert m["value"] == str(post["likes"] + post.get("comments", 0))

    def observation(m):
        values = {(o["source"], o["value"]) for o in paper.data["observations"]}
        assert (m["section"], m["value"]) in values

    def keeps_column(m):
        assert paper.account(m["account"])["originals_column"] == m["column"]

    def under_followers(m):
        for detail in m["details"].split("; "):
            account, bound = detail.rsplit(" < ", 1)
            assert paper.account(account)["followers_below"] == int(bound.replace(",", ""))

    def weak_interaction(m):
        (post,) = paper.posts(paper.account(m["account"]))
        assert m["reads"] == str(post["reads"]) and int(m["reads"]) < 100
        assert m["reactions"] == str(post["likes"] + post.get("comments", 0))

    def by_level(m):
        shown = {}
        for part in m["levels"].split("; "):
            level, covered, total, share = re.fullmatch(
                r"(\S+) (\d+)/(\d+) \((\d+%)\)", part
            ).groups()
            assert share == f"{int(covered) / int(total):.0%}", part
            shown[level] = (int(total), int(covered))
        expected = paper.archives_by_level()
        assert shown == {str(level_label(level)): counts for level, counts in expected.items()}

    def presence_gap(m):
        platforms = list(paper.data["platforms"])
        scores = [
            sum(paper.present(code, p) for p in platforms) / len(platforms)
            for code in paper.reported()
        ]
        assert m["gap"] == f"{max(scores) - min(scores):.0%}"

    def fine(m):
        return None

    return [
        (
            r"^(?P<platform>WeChat|Weibo): (?P<present>\d+) of \d+ regions(; none in (?P<missing>.+))?\.$",
            presence,
        ),
        (
            r"^(?P<region>.+) has no (?P<account>WeChat official account|Weibo account): open one",
            no_platform,
        ),
        (r"^Named but not reported by the survey: (?P<names>.+)\.$", not_reported),
        (r"^Presence differs by (?P<gap>\d+%) of the platforms", presence_gap),
        (r"^The survey recorded(: | this finding: )“[^”]+”", fine),
        (r"^Archives known to have an account, by level: (?P<levels>.+)\.$", by_level),
        (
            r"^By the survey's tables, archives below the main one have accounts in (?P<names>.+) \(district",
            below_by_table,
        ),
        (r"; in (?P<names>.+) no account below the main archive is recorded\.$", stuck),
        (
            r"^The survey's tables name county archives with accounts in (?P<names>.+), but none",
            counties,
        ),
        (
            r"^(?P<archive>\S+): Table (?P<table>\d) records no .+ in the region; open one",
            none_in_region,
        ),
        (
            r"^(?P<archive>\S+): whether it has its own .+ is unknown \(Table (?P<table>\d) does not say\)",
            unknown,
        ),
        (
            r"^One account with a follower figure: (?P<account>.+), (?P<followers>[\d,]+)\.$",
            one_figure,
        ),
        (r"^(?P<count>\d+) WeChat accounts? without a follower figure", wechat_without),
        (
            r"^(?P<top>.+) has (?P<top_followers>[\d,]+) followers, (?P<bottom>.+) fewer than (?P<bottom_followers>[\d,]+): a gap of more than (?P<ratio>[\d.]+)×\.$",
            gap,
        ),
        (
            r"^(?P<share>\d+%) of (?P<total>\d+) follower observations are under ten thousand \((?P<counts>[^)]+)\)",
            bands,
        ),
        (r"^(?P<account>.+) has < (?P<bound>[\d,]+) followers: announce", weak_account),
        (
            r"^(?P<region>.+): the table records followers in the (?P<bands>.+); promote",
            table_bands,
        ),
        (
            r"^(?P<stale>\d+) of (?P<measured>\d+) accounts? measured had not been updated \(forwards aside\) for more than (?P<days>\d+) days on (?P<date>[\d-]+)(: (?P<details>.+))?\.$",
            stale,
        ),
        (
            r"^The paper \(survey cut-off (?P<cutoff>[\d-]+)\) says (?P<account>.+) was not updated after (?P<date>[\d-]+) \(English edition: “(?P<notes>[^”]+)”\); the post list shows a post of (?P<post>[\d-]+)",
            superseded,
        ),
        (
            r"^One account posted in the window \([^)]+\): (?P<account>.+), (?P<posts>\d+) posts?\.$",
            one_poster,
        ),
        (
            r"^1 account recorded with one column of originals: (?P<account>.+): originals only in the '(?P<column>[^']+)' column \(English edition: “(?P<notes>[^”]+)”\)\.$",
            confined,
        ),
        (
            r"^(?P<account>.+): (?P<reads>\d+) reads, (?P<likes>\d+) likes per post over 1 post\.$",
            post_figures,
        ),
        (
            r"^(?P<account>.+) gets (?P<reads>\d+) reads and (?P<likes>\d+) likes per post",
            post_figures,
        ),
        (r"^Consultations: not enough data", fine),
        (r"^\d+ accounts? under 10,000 followers: (?P<details>.+)\.$", under_followers),
        (
            r"^1 account under the interaction thresholds: (?P<account>.+) \((?P<reads>\d+) reads per post, under 100, (?P<reactions>\d+) likes and comments per post, under 5\)\.$",
            weak_interaction,
        ),
        (r"^Reads per post of the one account measured: (?P<value>\d+) ", one_reads),
        (
            r"^Likes and comments per post of the one account measured: (?P<value>\d+) ",
            one_reactions,
        ),
        (
            r"^The paper observes, without naming an account \((?P<section>[\d.]+)\): \S+ .+, (?P<value>[^,]+)\.$",
            observation,
        ),
        (r"^(?P<account>.+) keeps its originals to '(?P<column>[^']+)'", keeps_column),
        (r"^Answer every consultation within \d+ hours", fine),
        (r"^Not measured: no account here is operated through Archivox", fine),
        (r"^Screen every post against the catalog's access levels", fine),
    ]


def _monitor_every_archive_today() -> None:
    """Every archive of the paper on Archivox today, on WeChat and Weibo, its month monitored
    and a post of the desk recorded on each account: accounts made in 2026, not in 2016."""
    from django.utils import timezone

    from archivox.core.models import Archive, PlatformAccount
    from archivox.survey import services
    from archivox.survey.models import Account
    from archivox.survey.services.monitoring import monitoring_period_open

    for archive in Archive.objects.all():
        for platform in ("wechat", "weibo"):
            PlatformAccount.objects.create(archive=archive, platform=platform, name=archive.slug)
    monitoring_period_open(actor=None, start=timezone.localdate())
    for account in Account.objects.filter(source="archivox"):
        services.post_record_save(
            account=account, published_at=timezone.now(), title="今日发文", source="archivox"
        )


@pytest.mark.parametrize("monitored", [False, True], ids=["paper", "paper-after-monitoring"])
def test_every_sentence_of_the_diagnosis_agrees_with_the_tables_and_posts(
    paper, paper_data, monitored
):
    """Also once the archives run on Archivox and are monitored monthly: the accounts that
    monitoring makes, and their linking to Archivox, are of today and change nothing the 2016
    survey says (3.2.6 stays "not measured": nothing was operated through Archivox then)."""
    if monitored:
        _monitor_every_archive_today()
    indicators = ind.indicators_compute(selectors.scope_get(survey=paper))
    diagnosis = diagnose(indicators)
    data = Paper(paper_data, indicators.scope.as_of)
    checks = [(re.compile(pattern), check) for pattern, check in check_lines(data)]
    walked = 0
    for judgment in diagnosis.judgments:
        lines = [
            *judgment.evidence,
            *(re.sub(r" \(4\.\d\)$", "", a.text) for a in judgment.actions),
        ]
        for line in lines:
            matched = [(p, c) for p, c in checks if p.search(line)]
            assert matched, f"a sentence of an unknown kind (add its check): {line!r}"
            for pattern, check in matched:
                check(pattern.search(line))
            walked += 1
    assert walked >= 30


def test_the_issues_contradictions_are_gone(paper):
    with_tables = diagnose(ind.indicators_compute(selectors.scope_get(survey=paper)))
    text = " ".join(
        line for j in with_tables.judgments for line in [*j.evidence, *(a.text for a in j.actions)]
    )
    # Kunming's city archives has Weibo with tens of thousands of fans (Table 1).
    assert "昆明市档案馆 has no account" not in text
    assert "昆明 (Kunming): the table records followers in the ten thousands, hundreds" in text
    # District, county and local archives on Weibo in Kunming, Hami and Sichuan (Table 1).
    for region in (
        "昆明 (Kunming)",
        "新疆哈密 (Xinjiang Hami)",
        "四川（成都） (Sichuan (Chengdu))",
    ):
        assert f"{region}: no district or county archive account" not in text
    # Nanjing's WeChat posted on 2016-05-03, the day before the measurement: not stale.
    assert "0 of 1 account measured had not been updated" in text
    assert "the post list shows a post of 2016-05-03" in text
    assert "a gap of more than 2.8×" in text
    assert "Median" not in text  # one account, one post: no statistics of one


NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def test_the_chinese_diagnosis_says_what_the_checked_english_one_says(paper):
    """The walk above reads the English wording; the report a bureau signs is Chinese. Sentence
    by sentence, the Chinese diagnosis has the same findings, statuses, failing accounts and
    the same figures and dates (in the translation's own order), so no translation says what
    the checked sentence does not."""
    scope = selectors.scope_get(survey=paper)
    with translation.override("en"):
        english = diagnose(ind.indicators_compute(scope))
    with translation.override("zh-hans"):
        chinese = diagnose(ind.indicators_compute(scope))
    compared = 0
    for en, zh in zip(english.judgments, chinese.judgments, strict=True):
        assert (en.code, en.status, en.failing) == (zh.code, zh.status, zh.failing)
        en_lines = [*en.evidence, *(a.text for a in en.actions)]
        zh_lines = [*zh.evidence, *(a.text for a in zh.actions)]
        assert len(en_lines) == len(zh_lines), en.code
        for en_line, zh_line in zip(en_lines, zh_lines, strict=True):
            assert sorted(NUMBER.findall(en_line)) == sorted(NUMBER.findall(zh_line)), (
                en_line,
                zh_line,
            )
            compared += 1
    assert compared >= 30
