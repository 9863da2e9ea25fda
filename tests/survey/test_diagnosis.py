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


def test_on_the_papers_data_all_six_findings_hold_with_evidence(paper):
    diagnosis = diagnosis_of(paper)
    assert [j.code for j in diagnosis.judgments] == list(FINDINGS)
    assert diagnosis.as_of == datetime.date(2016, 5, 4)
    for judgment in diagnosis.judgments:
        assert judgment.status == Status.HOLDS, judgment.code
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


def test_paper_coverage_stops_at_the_main_archives_in_most_regions(paper):
    judgment = diagnosis_of(paper).get("low_coverage")
    assert "in only 2 of 6 regions (北京 (Beijing), 南京 (Nanjing))" in text(judgment)
    assert "No county-level archive with an account was recorded." in judgment.evidence


def test_paper_promotion_shows_the_shijingshan_dongcheng_disparity(paper):
    judgment = diagnosis_of(paper).get("weak_promotion")
    evidence = text(judgment)
    assert "20,000 followers" in evidence and "fewer than 7,000" in evidence
    assert "a gap of more than 2.9×" in evidence
    assert any("东城区档案馆" in a.text for a in judgment.actions)


def test_paper_content_names_nanjing_wechat_34_days_and_the_visual_hami_column(paper):
    judgment = diagnosis_of(paper).get("incomplete_content")
    evidence = text(judgment)
    assert "at least 34 days" in evidence
    assert "content still stays in March 2016" in evidence
    assert "'Visual Hami'" in evidence
    actions = [a.text for a in judgment.actions]
    assert (
        "南京市档案馆 (Nanjing Archives) · WeChat has had no original post for at least 34 "
        "days: plan at least one original post a week from the regional featured archives (4.3)"
    ) in actions


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
    assert diagnosis.get("incomplete_content").status == Status.HOLDS


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
        "security_risk": Status.NOT_ENOUGH_DATA,
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
        f"has had no original post for {SILENT_DAYS} days: schedule the 'Featured archives' "
        "column weekly"
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
    PlatformAccount.objects.create(archive=archive, platform="wechat", name="beta")
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
