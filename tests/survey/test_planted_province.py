"""A generated province with planted problems gets exactly the planted findings, each named per
account (or region) with its threshold, and nothing for its healthy region: the per-account
judgments find what healthy medians hide."""

import datetime

import pytest

from archivox.survey import indicators as ind
from archivox.survey import selectors, services
from archivox.survey.diagnosis import Status, diagnose
from archivox.survey.models import Platform
from tests.factories import RegionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DAY = datetime.date(2024, 6, 30)
# A resident ID number with a valid check digit (the national standard's own example).
RESIDENT_ID = "11010519491231002X"


def _posts(account, *, days: range, original: bool | None = True, likes=60, comments=10, title=""):
    for days_ago in days:
        services.post_record_save(
            account=account,
            published_at=datetime.datetime.combine(
                DAY - datetime.timedelta(days=days_ago), datetime.time(9, 30)
            ),
            title=title or f"馆藏精品 {days_ago}",
            column="馆藏精品",
            is_original=original,
            reads=2_000,
            likes=likes,
            comments=comments,
            shares=5,
        )


def build_planted_province():
    """Three regions, each with a city and a district archive:
    - healthy: Weibo and WeChat everywhere, 30,000 followers, an original every other day with
      2,000 reads, 60 likes and 10 comments;
    - noweibo: as healthy, but on WeChat only (a region without Weibo), and the district's
      WeChat silent for 60 days (a second stale account);
    - troubled: as healthy except the city archive's Weibo is silent for 45 days (stale), its
      WeChat posts only forwards, the district's Weibo has 26 posts in six months with no like
      and no comment, and one of the district's WeChat posts carries a resident ID number."""
    regions = {
        code: RegionFactory(code=code, name=code.title(), name_zh=name_zh)
        for code, name_zh in (("healthy", "安康"), ("noweibo", "无博"), ("troubled", "多事"))
    }
    survey = services.survey_create(
        actor=None,
        slug="planted",
        title="省内自媒体监测（生成）",
        method="生成的测试数据",
        cutoff=DAY,
        regions=list(regions.values()),
    )
    followers = 30_000
    for code, region in regions.items():
        for level in ("city", "district"):
            institution = services.institution_create(
                actor=None,
                slug=f"{code}-{level}",
                name=f"{region.name} {level} archives",
                name_zh=f"{region.name_zh}{'市' if level == 'city' else '区'}档案馆",
                level=level,
                region=region,
            )
            platforms = (
                [Platform.WECHAT] if code == "noweibo" else [Platform.WEIBO, Platform.WECHAT]
            )
            for platform in platforms:
                account = services.account_create(
                    actor=None,
                    institution=institution,
                    platform=platform,
                    handle=f"{institution.slug}-{platform}",
                    opened_on=DAY - datetime.timedelta(days=400),
                )
                followers += 100
                services.snapshot_record(account=account, date=DAY, followers=followers)
                planted = (code, level, platform)
                if planted == ("troubled", "city", Platform.WEIBO):
                    _posts(account, days=range(45, 90, 2))  # silent for 45 days
                elif planted == ("troubled", "city", Platform.WECHAT):
                    _posts(account, days=range(0, 90, 2), original=False)  # forwards only
                elif planted == ("troubled", "district", Platform.WEIBO):
                    _posts(account, days=range(0, 180, 7), likes=0, comments=0)  # 26 posts
                elif planted == ("noweibo", "district", Platform.WECHAT):
                    _posts(account, days=range(60, 150, 2))  # silent for 60 days
                elif planted == ("troubled", "district", Platform.WECHAT):
                    _posts(account, days=range(2, 90, 2))
                    _posts(account, days=range(0, 1), title=f"查档请联系 {RESIDENT_ID} 张某")
                else:
                    _posts(account, days=range(0, 90, 2))
    return survey


PLANTED = {
    "uneven_development": {"region:noweibo"},
    "low_coverage": set(),
    "weak_promotion": set(),
    "incomplete_content": {
        "account:troubled-city:weibo",
        "account:troubled-city:wechat",
        "account:noweibo-district:wechat",
    },
    "weak_interaction": {"account:troubled-district:weibo"},
    "security_risk": {"account:troubled-district:wechat"},
}


def test_the_planted_problems_are_found_exactly_per_account_and_nothing_else():
    survey = build_planted_province()
    diagnosis = diagnose(ind.indicators_compute(selectors.scope_get(survey=survey)))
    assert {j.code: set(j.failing) for j in diagnosis.judgments} == PLANTED
    statuses = {j.code: j.status for j in diagnosis.judgments}
    for code, failing in PLANTED.items():
        assert statuses[code] == (Status.HOLDS if failing else Status.DOES_NOT_HOLD), code
    text = {
        j.code: "\n".join([*j.evidence, *(a.text for a in j.actions)]) for j in diagnosis.judgments
    }
    # Named, with the threshold.
    assert "多事市档案馆 · Weibo 45 days" in text["incomplete_content"]
    assert "无博区档案馆 · WeChat 60 days" in text["incomplete_content"]
    assert "more than 30 days" in text["incomplete_content"]
    assert "多事市档案馆 · WeChat has posted only forwards" in text["incomplete_content"]
    assert "fewer originals than 50%" in text["incomplete_content"]
    assert (
        "多事区档案馆 · Weibo (0 likes and comments per post, under 5)" in text["weak_interaction"]
    )
    assert "多事区档案馆 · WeChat: 1 post with personal data" in text["security_risk"]
    assert "无博 (Noweibo) has no Weibo account" in text["uneven_development"]
    # Nothing for the healthy region, its archives or accounts: no finding names it, no action
    # is asked of it (the evidence may cite it as the comparison, "a gap of 1.0×").
    for judgment in diagnosis.judgments:
        assert not any("healthy" in key for key in judgment.failing)
        assert not any("安康" in action.text for action in judgment.actions)


def test_healthy_medians_do_not_hide_an_account_nobody_answers():
    """The issue's case: one Weibo account with 26 posts, 0 likes and 0 comments in six months
    among healthy ones got "3.2.5 does not hold" with no action."""
    survey = build_planted_province()
    indicators = ind.indicators_compute(selectors.scope_get(survey=survey))
    assert indicators.interaction.reactions_per_post_median >= 5  # the medians are healthy
    interaction = diagnose(indicators).get("weak_interaction")
    assert interaction.status == Status.HOLDS
    assert any("多事区档案馆 · Weibo" in a.text for a in interaction.actions)


def test_a_declared_flag_and_the_screening_feed_security_from_a_csv(tmp_path):
    """A survey CSV marks a post as restricted (the optional flags column); an unknown flag is
    refused with its line and nothing is written."""
    from archivox.survey.imports import SurveyImportError, survey_import
    from archivox.survey.models import PostRecord

    build_planted_province()
    good = tmp_path / "posts.csv"
    good.write_text(
        "institution,platform,handle,published,title,flags\n"
        "healthy-city,wechat,healthy-city-wechat,2024-06-29 10:00,老城区档案展,restricted\n"
        "healthy-city,wechat,healthy-city-wechat,2024-06-28 10:00,电话 13812345678,\n",
        encoding="utf-8",
    )
    survey_import(actor=None, sources=[good])
    flags = dict(
        PostRecord.objects.filter(
            account__institution__slug="healthy-city",
            title__in=["老城区档案展", "电话 13812345678"],
        ).values_list("title", "flags")
    )
    assert flags == {"老城区档案展": "restricted", "电话 13812345678": "personal_data"}
    # The text column is screened too (and not kept): a resident ID number or an e-mail address
    # in the body flags the post, read the fast way (handle given) or cell by cell (no handle).
    texts = tmp_path / "texts.csv"
    texts.write_text(
        "institution,platform,handle,published,title,text\n"
        f"healthy-city,wechat,healthy-city-wechat,2024-06-27 10:00,查档指南,联系人 {RESIDENT_ID}\n"
        "healthy-city,weibo,,2024-06-27 11:00,开放日,报名请发 a.b@example.cn\n"
        "healthy-city,weibo,,2024-06-27 12:00,馆藏精品 新展,展期一个月\n",
        encoding="utf-8",
    )
    survey_import(actor=None, sources=[texts])
    screened = dict(
        PostRecord.objects.filter(
            account__institution__slug="healthy-city", published_on=datetime.date(2024, 6, 27)
        ).values_list("title", "flags")
    )
    assert screened == {"查档指南": "personal_data", "开放日": "personal_data", "馆藏精品 新展": ""}
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "institution,platform,handle,published,title,flags\n"
        "healthy-city,wechat,healthy-city-wechat,2024-06-27 10:00,另一篇,secret\n",
        encoding="utf-8",
    )
    before = PostRecord.objects.count()
    with pytest.raises(SurveyImportError) as error:
        survey_import(actor=None, sources=[bad])
    assert "unknown flag 'secret'" in "\n".join(error.value.report.lines())
    assert PostRecord.objects.count() == before
