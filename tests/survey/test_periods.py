"""Activity is grouped by week (from Monday), month and year in the database, by local day."""

import datetime

import pytest

from archivox.survey import indicators as ind
from archivox.survey import selectors, services
from archivox.survey.indicators import periods as scan
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope():
    region = RegionFactory(code="east")
    survey = services.survey_create(
        actor=None,
        slug="periods",
        title="Periods",
        cutoff=datetime.date(2024, 12, 31),
        regions=[region],
    )
    institution = services.institution_create(
        actor=None, slug="east-city", name="East", level="city", region=region
    )
    account = services.account_create(actor=None, institution=institution, platform="wechat")
    # Sunday 2024-03-03 23:30 in Shanghai is still Sunday locally (15:30 UTC).
    moments = [
        datetime.datetime(2024, 3, 3, 23, 30),  # Sunday → week of Monday 2024-02-26
        datetime.datetime(2024, 3, 4, 0, 10),  # Monday → week of 2024-03-04
        datetime.datetime(2024, 3, 31, 12, 0),  # Sunday → week of 2024-03-25, March
        datetime.datetime(2024, 4, 1, 8, 0),  # Monday, April
    ]
    for n, moment in enumerate(moments):
        services.post_record_save(
            account=account,
            published_at=moment,
            title=f"post {n}",
            is_original=n % 2 == 0,
            reads=100 * (n + 1),
            likes=n,
        )
    return selectors.scope_get(survey=survey, start=datetime.date(2024, 1, 1))


def periods(scope, period):
    return {row["period"]: row["posts"] for row in ind.activity_by_period(scope, period=period)}


def test_weeks_start_on_monday(scope):
    assert periods(scope, "week") == {
        datetime.date(2024, 2, 26): 1,
        datetime.date(2024, 3, 4): 1,
        datetime.date(2024, 3, 25): 1,
        datetime.date(2024, 4, 1): 1,
    }


def test_months_and_years(scope):
    assert periods(scope, "month") == {datetime.date(2024, 3, 1): 3, datetime.date(2024, 4, 1): 1}
    assert periods(scope, "year") == {datetime.date(2024, 1, 1): 4}


def test_activity_sums_and_originality(scope):
    (row,) = ind.activity_by_period(scope, period="year")
    assert (row["posts"], row["originals"], row["forwards"]) == (4, 2, 2)
    assert (row["reads"], row["likes"], row["region"]) == (1000, 6, "east")
    assert row["originality"] == 0.5


def test_a_post_not_known_to_be_original_or_forwarded_counts_as_neither(scope):
    (account,) = scope.accounts()
    services.post_record_save(
        account=account, published_at=datetime.datetime(2024, 5, 2, 9, 0), title="unknown"
    )
    (row,) = ind.activity_by_period(scope, period="year")
    assert (row["posts"], row["originals"], row["forwards"]) == (5, 2, 2)
    assert row["originality"] == 0.5


def test_wci_by_month_matches_the_formula(scope):
    rows = ind.indices_by_period(scope, period="month")
    march = next(row for row in rows if row["period"] == datetime.date(2024, 3, 1))
    expected = ind.wci(posts=3, reads=600, reads_max=300, likes=3, likes_max=2)
    assert march["index"] == "WCI" and march["value"] == pytest.approx(expected)


def test_an_unknown_period_is_refused(scope):
    with pytest.raises(ValueError, match="period must be one of"):
        ind.activity_by_period(scope, period="fortnight")


@pytest.mark.django_db(transaction=True)
def test_a_large_scope_is_scanned_in_account_ranges_on_several_connections_with_the_same_rows(
    monkeypatch,
):
    """Committed data (threads read it through their own connections); the threshold lowered so
    a handful of accounts counts as large."""
    region = RegionFactory(code="west")
    survey = services.survey_create(
        actor=None,
        slug="ranges",
        title="Ranges",
        cutoff=datetime.date(2024, 12, 31),
        regions=[region],
    )
    for n in range(7):
        institution = services.institution_create(
            actor=None, slug=f"west-{n}", name=f"West {n}", level="county", region=region
        )
        account = services.account_create(actor=None, institution=institution, platform="weibo")
        for day in range(1, 1 + n * 3, 2):
            services.post_record_save(
                account=account,
                published_at=datetime.datetime(2024, 1 + day % 12, day, 9, 0),
                title=f"post {day}",
                is_original=day % 3 == 0,
                reads=day * 10,
                likes=day,
            )
    scope = selectors.scope_get(survey=survey, start=datetime.date(2024, 1, 1))
    # Patched where they are read: the stage module, not the package's re-exports.
    monkeypatch.setattr(scan, "SCAN_THREADS", 1)
    single = ind.account_period_rows(scope)
    monkeypatch.setattr(scan, "SCAN_THREADS", 3)
    monkeypatch.setattr(scan, "PARALLEL_MIN_ACCOUNTS", 2)
    assert len(ind._scan_ranges(scope)) == 3
    ranged = ind.account_period_rows(scope)

    def key(row):
        return (row["account_id"], row["period"])

    assert single and sorted(ranged, key=key) == sorted(single, key=key)
