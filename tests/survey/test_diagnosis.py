"""The diagnosis reaches the paper's six findings on its data, and exactly the known
properties of a generated survey."""

import datetime

import pytest

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.survey import indicators as ind
from archivox.survey import selectors
from archivox.survey.diagnosis import FINDINGS, Status, diagnose
from tests.factories import UserFactory
from tests.survey.conftest import (
    GENERATED_DAY,
    REGION_WITHOUT_WECHAT,
    SILENT_ARCHIVE,
    SILENT_DAYS,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def diagnosis_of(survey, **scope):
    return diagnose(ind.indicators_compute(selectors.scope_get(survey=survey, **scope)))


def text(judgment) -> str:
    return "\n".join(judgment.evidence + [a.text for a in judgment.actions])


def test_on_the_papers_data_the_findings_hold_with_evidence_but_coverage(paper):
    diagnosis = diagnosis_of(paper)
    assert [j.code for j in diagnosis.judgments] == list(FINDINGS)
    assert diagnosis.as_of == datetime.date(2016, 5, 4)
    for judgment in diagnosis.judgments:
        # Table 1 names district, county or local archives on Weibo in Kunming, Hami and Sichuan
        # and Beijing's and Nanjing's are recorded: measured, 3.2.2 does not hold (the paper's
        # own finding is still quoted).
        expected = Status.DOES_NOT_HOLD if judgment.code == "low_coverage" else Status.HOLDS
        assert judgment.status == expected, judgment.code
        assert judgment.evidence, judgment.code
        assert judgment.actions, judgment.code
    # Five are measured from the survey's data; security is the survey's qualitative record.
    assert [j.basis for j in diagnosis.judgments] == ["measured"] * 5 + ["recorded"]


def test_paper_uneven_development_names_the_regions_without_wechat(paper):
    judgment = diagnosis_of(paper).get("uneven_development")
    assert "WeChat: 3 of 6 regions; none in 北京 (Beijing), 昆明 (Kunming), 新疆哈密" in text(
        judgment
    )
    assert {a.strategy for a in judgment.actions} == {"open_accounts"}


def test_paper_coverage_takes_the_tables_lower_archives_as_evidence(paper):
    judgment = diagnosis_of(paper).get("low_coverage")
    assert (
        "By the survey's tables, archives below the main one have accounts in 昆明 (Kunming), "
        "四川（成都） (Sichuan (Chengdu)), 新疆哈密 (Xinjiang Hami)"
    ) in text(judgment)
    assert "The survey's tables name county archives with accounts in 新疆哈密" in text(judgment)
    assert "No county-level archive with an account was recorded." not in judgment.evidence
    # Beijing's municipal archives: no WeChat by Table 2; its own Weibo is not stated.
    assert [a.text for a in judgment.actions] == [
        "北京市档案馆: Table 2 records no WeChat official account in the region; open one (4.1)",
        "北京市档案馆: whether it has its own Weibo account is unknown (Table 1 does not say); "
        "find out, and open one if it has none (4.1)",
    ]


def test_paper_promotion_shows_the_shijingshan_dongcheng_disparity(paper):
    judgment = diagnosis_of(paper).get("weak_promotion")
    evidence = text(judgment)
    assert "20,000 followers" in evidence and "fewer than 7,000" in evidence
    assert "a gap of more than 2.8×" in evidence  # 20,000 / 7,000 = 2.857…, rounded down
    assert any("东城区档案馆" in a.text for a in judgment.actions)


def test_paper_content_quotes_nanjing_as_the_papers_dated_claim_and_names_visual_hami(paper):
    judgment = diagnosis_of(paper).get("incomplete_content")
    evidence = text(judgment)
    # The 2016-05-03 post (originality unknown) shows the account was updated the day before
    # the measurement: not stale; the paper's "still stays in March 2016" is its dated claim.
    assert "at least 34 days" not in evidence
    assert (
        "The paper (survey cut-off 2016-04-06) says 南京市档案馆 (Nanjing Archives) · WeChat was "
        "not updated after 2016-04-01 (English edition: “content still stays in March 2016”); "
        "the post list shows a post of 2016-05-03, so it has been updated since."
    ) in judgment.evidence
    assert "'Visual Hami'" in evidence
    assert [a.text for a in judgment.actions] == [
        "哈密市档案馆 (Hami Archives) · Weibo keeps its originals to 'Visual Hami': add a second "
        "column of regional featured archives and forward less (4.3)"
    ]


def test_paper_interaction_uses_the_bai_chongxi_mansion_figures(paper):
    judgment = diagnosis_of(paper).get("weak_interaction")
    evidence = text(judgment)
    assert "32 reads, 2 likes per post" in evidence
    assert "Consultations: not enough data" in evidence
    assert {a.strategy for a in judgment.actions} == {"interaction_platform", "service_quality"}


def test_paper_security_holds_on_the_surveys_record_and_says_so(paper):
    judgment = diagnosis_of(paper).get("security_risk")
    assert judgment.basis == "recorded"
    assert "holds on the survey's record, not on measurement" in text(judgment)
    assert judgment.actions[0].strategy == "security"


def test_paper_region_diagnosis_of_nanjing(paper):
    diagnosis = diagnosis_of(paper, region="nanjing")
    assert diagnosis.get("uneven_development").status == Status.DOES_NOT_HOLD
    # Updated on 2016-05-03 and no column of originals recorded: not measured as incomplete.
    assert diagnosis.get("incomplete_content").status == Status.DOES_NOT_HOLD


def test_generated_survey_gets_exactly_its_known_diagnoses(generated):
    diagnosis = diagnosis_of(generated)
    assert diagnosis.as_of == GENERATED_DAY
    statuses = {j.code: j.status for j in diagnosis.judgments}
    assert statuses == {
        "uneven_development": Status.HOLDS,
        "low_coverage": Status.DOES_NOT_HOLD,
        "weak_promotion": Status.DOES_NOT_HOLD,
        "incomplete_content": Status.HOLDS,
        "weak_interaction": Status.DOES_NOT_HOLD,
        # Every post's title was screened on the way in, and none carries a risk.
        "security_risk": Status.DOES_NOT_HOLD,
    }
    uneven = diagnosis.get("uneven_development")
    assert [a.text for a in uneven.actions] == [
        "gamma地区 (Gamma) has no WeChat official account: open one and link it with the "
        "archives' official website (4.1)"
    ]
    content = diagnosis.get("incomplete_content")
    stale = [a.text for a in content.actions]
    assert len(stale) == 2  # the silent archive's Weibo and WeChat accounts, nobody else
    assert all(
        f"has not been updated (forwards aside) for {SILENT_DAYS} days: schedule the "
        "'Featured archives' column weekly"
        in line
        and "alpha地区区档案馆" in line
        for line in stale
    )


def test_generated_survey_indicators_show_the_silent_archive_and_the_missing_platform(generated):
    indicators = ind.indicators_compute(selectors.scope_get(survey=generated))
    stale = {(a.institution, a.platform, a.days_since_original) for a in indicators.content.stale}
    assert stale == {
        (SILENT_ARCHIVE, "weibo", SILENT_DAYS),
        (SILENT_ARCHIVE, "wechat", SILENT_DAYS),
    }
    missing = [r.code for r in indicators.presence.missing("wechat")]
    assert missing == [REGION_WITHOUT_WECHAT]
    assert indicators.coverage.share == 1
    assert indicators.reach.median >= 20_000


def test_generated_region_and_archive_scopes(generated):
    assert diagnosis_of(generated, region="gamma").get("uneven_development").status == Status.HOLDS
    assert (
        diagnosis_of(generated, region="beta").get("uneven_development").status
        == Status.DOES_NOT_HOLD
    )
    beta = diagnosis_of(generated, region="beta")
    assert beta.get("incomplete_content").status == Status.DOES_NOT_HOLD
    silent = diagnosis_of(generated, archive=SILENT_ARCHIVE)
    assert silent.get("incomplete_content").status == Status.HOLDS
    assert diagnosis_of(generated, archive="beta-city").holding == []


def test_accounts_run_by_one_administrator_are_a_security_risk(generated):
    from archivox.survey.models import MonitoredInstitution
    from tests.factories import ArchiveFactory

    archive = ArchiveFactory(slug="beta-city-archive", region=generated.regions.get(code="beta"))
    MonitoredInstitution.objects.filter(slug="beta-city").update(archive=archive)
    linked = PlatformAccount.objects.create(archive=archive, platform="wechat", name="beta")
    # Linked to Archivox before the generated survey's day (2024-06-30).
    PlatformAccount.objects.filter(pk=linked.pk).update(
        created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    Membership.objects.create(user=UserFactory(), archive=archive, role=Role.ADMINISTRATOR)

    judgment = diagnosis_of(generated).get("security_risk")
    assert judgment.status == Status.HOLDS and judgment.basis == "measured"
    assert "1 of 1 account operated through Archivox has fewer than 2" in text(judgment)
    assert "grant a second administrator" in judgment.actions[0].text

    Membership.objects.create(user=UserFactory(), archive=archive, role=Role.ADMINISTRATOR)
    assert diagnosis_of(generated).get("security_risk").status == Status.DOES_NOT_HOLD


def test_slow_answers_to_consultations_make_interaction_weak(generated):
    scope = selectors.scope_get(survey=generated)
    received = datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC)
    slow = [
        ind.Consultation(received, received + datetime.timedelta(hours=hours))
        for hours in (50, 60, 70)
    ]
    judgment = diagnose(ind.indicators_compute(scope, consultations=slow)).get("weak_interaction")
    assert judgment.status == Status.HOLDS
    assert "median first response 60 h" in text(judgment)
    fast = [ind.Consultation(received, received + datetime.timedelta(hours=2))]
    judgment = diagnose(ind.indicators_compute(scope, consultations=fast)).get("weak_interaction")
    assert judgment.status == Status.DOES_NOT_HOLD
