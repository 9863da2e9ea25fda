"""The monthly roll-up of post records: what the indicators read for whole months says what a
scan of the posts says, after every way posts are written, for any window."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection

from archivox.survey import indicators as ind
from archivox.survey import selectors, services
from archivox.survey.admin import PostRecordAdmin
from archivox.survey.imports import Source, SurveyImportError, survey_import
from archivox.survey.models import Account, PostMonth, PostRecord
from archivox.survey.services.post_months import post_months_refresh
from tests.survey.conftest import GENERATED_DAY, build_generated_survey

pytestmark = pytest.mark.django_db

WINDOWS = [
    # whole months only; part-months at both ends; inside one month; across a new year
    (datetime.date(2024, 1, 1), datetime.date(2024, 5, 31)),
    (datetime.date(2024, 1, 15), datetime.date(2024, 6, 20)),
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 20)),
    (datetime.date(2023, 12, 10), GENERATED_DAY),
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
]


def _key(row):
    return (row["account_id"], row["period"])


def assert_roll_up_matches_posts(scope: selectors.Scope) -> None:
    for start, end in WINDOWS:
        for period in ("month", "year"):
            rolled = ind.account_period_rows(scope, period=period, start=start, end=end)
            scanned = ind.account_period_rows(
                scope, period=period, start=start, end=end, from_posts=True
            )
            assert sorted(rolled, key=_key) == sorted(scanned, key=_key), (start, end, period)


@pytest.fixture
def generated_scope():
    """The generated survey (posts in April–June 2024), with earlier posts of every kind: from
    November 2023, original, forwarded or not known, measured or not."""
    survey = build_generated_survey()
    day = datetime.date(2023, 11, 20)
    for n, account in enumerate(Account.objects.order_by("pk")[:4]):
        for step in range(14):
            published = day + datetime.timedelta(days=9 * step + n)
            services.post_record_save(
                account=account,
                published_at=datetime.datetime.combine(published, datetime.time(8, n)),
                title=f"早期 {step}",
                is_original=(True, False, None)[step % 3],
                reads=None if step % 4 == 0 else 100 * step + n,
                likes=None if step % 5 == 0 else step,
                comments=step % 2 or None,
                shares=step,
            )
    return selectors.scope_get(survey=survey, start=datetime.date(2023, 12, 1))


def test_the_roll_up_says_what_a_scan_of_the_posts_says(generated_scope):
    assert PostRecord.objects.filter(published_on__lt=datetime.date(2024, 1, 1)).exists()
    assert_roll_up_matches_posts(generated_scope)
    rows = ind.account_period_rows(generated_scope, period="year")
    assert {row["period"] for row in rows} == {datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)}


def test_whole_months_are_read_from_the_roll_up_and_part_months_from_the_posts(generated_scope):
    account = Account.objects.filter(posts__isnull=False).first()
    march = datetime.date(2024, 3, 1)
    # A roll-up row changed behind the services' back shows only where the roll-up is read.
    PostMonth.objects.filter(account=account, month=march).update(posts=999)

    def march_posts(start, end):
        rows = ind.account_period_rows(generated_scope, start=start, end=end)
        return next(r["posts"] for r in rows if _key(r) == (account.pk, march))

    assert march_posts(datetime.date(2024, 1, 1), datetime.date(2024, 5, 31)) == 999
    assert march_posts(datetime.date(2024, 3, 2), datetime.date(2024, 5, 31)) < 999
    assert march_posts(datetime.date(2024, 1, 1), datetime.date(2024, 3, 30)) < 999
    weeks = ind.account_period_rows(
        generated_scope, period="week", start=march, end=datetime.date(2024, 3, 31)
    )
    assert all(row["posts"] < 999 for row in weeks)


def test_every_way_of_writing_posts_keeps_the_roll_up(generated_scope):
    account = Account.objects.filter(posts__isnull=False, platform="wechat").first()
    post = account.posts.order_by("published_at").last()
    # Measured again: the counters change.
    services.post_record_save(
        account=account,
        published_at=post.published_at,
        title=post.title,
        is_original=False,
        reads=123_456,
        likes=7,
    )
    # A new post by the service.
    services.post_record_save(
        account=account,
        published_at=datetime.datetime(2024, 2, 10, 9, 0),
        title="新的一篇",
        reads=5,
    )
    # Posts imported from a CSV file, to an account that had some.
    institution = account.institution.slug
    survey_import(
        actor=None,
        sources=[
            Source.from_text(
                "posts.csv",
                "institution,platform,handle,published,title,original,reads,likes\n"
                f"{institution},wechat,{account.handle},2024-01-20 10:00,导入一,yes,50,2\n"
                f"{institution},wechat,{account.handle},2024-04-02 10:00,导入二,no,,\n",
            )
        ],
    )
    assert_roll_up_matches_posts(generated_scope)
    before = list(PostMonth.objects.order_by("pk").values())
    # A refused import changes nothing, the roll-up included.
    with pytest.raises(SurveyImportError):
        survey_import(
            actor=None,
            sources=[
                Source.from_text(
                    "posts.csv",
                    "institution,platform,handle,published,title,reads\n"
                    f"{institution},wechat,{account.handle},2024-01-21 10:00,好的,10\n"
                    f"{institution},wechat,{account.handle},2024-01-22 10:00,坏的,-1\n",
                )
            ],
        )
    assert list(PostMonth.objects.order_by("pk").values()) == before
    # Deleted in the admin, one and several.
    post_admin = PostRecordAdmin(PostRecord, admin.site)
    post_admin.delete_model(None, account.posts.order_by("published_at").first())
    post_admin.delete_queryset(None, PostRecord.objects.filter(published_on__month=3))
    assert_roll_up_matches_posts(generated_scope)
    # An account deleted takes its months along.
    account.delete()
    assert not PostMonth.objects.filter(account_id=account.pk).exists()
    assert_roll_up_matches_posts(generated_scope)


def test_the_papers_posts_are_rolled_up(paper, paper_scope):
    assert PostMonth.objects.exists()
    assert_roll_up_matches_posts(paper_scope)
    rows = ind.account_period_rows(paper_scope, start=datetime.date(2016, 1, 1))
    scanned = ind.account_period_rows(paper_scope, start=datetime.date(2016, 1, 1), from_posts=True)
    assert rows and sorted(rows, key=_key) == sorted(scanned, key=_key)


def test_the_migration_rolls_up_the_posts_recorded_before_it(generated_scope):
    """The migration's own SQL gives the rows the service gives."""
    by_service = list(PostMonth.objects.order_by("account_id", "month").values())
    PostMonth.objects.all().delete()
    migration = importlib.import_module("archivox.survey.migrations.0005_post_months")

    class Editor:  # what RunPython hands the function: the connection and its execute
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=()):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration.roll_up_the_posts(apps, Editor())

    def without_ids(rows):
        return [{k: v for k, v in row.items() if k != "id"} for row in rows]

    by_migration = list(PostMonth.objects.order_by("account_id", "month").values())
    assert by_service and without_ids(by_migration) == without_ids(by_service)
    assert post_months_refresh() == len({row["account_id"] for row in by_service})


def test_each_part_month_is_a_short_walk_of_the_index(generated_scope):
    """The part-months at both ends of a window are read by a query each, bounded by its days:
    in one query with two ranges, SQLite walked every post of each account, the window's or
    not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        ind.account_period_rows(
            generated_scope, start=datetime.date(2023, 12, 15), end=datetime.date(2024, 6, 20)
        )
    scans = [q["sql"] for q in captured.captured_queries if "survey_postrecord" in q["sql"]]
    assert len(scans) == 2  # the head and the tail
    for sql in scans:
        assert " OR " not in sql and sql.count('"published_on" >=') == 1
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert (
                "survey_post_account_counters (account_id=? AND published_on>? AND published_on<?)"
                in plan
            )


@pytest.mark.django_db(transaction=True)
def test_posts_of_one_month_saved_at_once_all_count():
    """Saves racing in one account's month (tasks measuring several posts of an account at
    once) each rebuild the month; they take turns on the account, so none fails on the month's
    unique row and the last one counts every post."""
    import itertools
    import threading

    from tests.factories import RegionFactory
    from tests.helpers import run_at_once

    region = RegionFactory(code="race")
    survey = services.survey_create(
        actor=None, slug="race", title="Race", cutoff=datetime.date(2024, 6, 30), regions=[region]
    )
    institution = services.institution_create(
        actor=None, slug="race-city", name="Race", level="city", region=region
    )
    account = services.account_create(actor=None, institution=institution, platform="wechat")
    numbers, failures, guard = itertools.count(1), [], threading.Lock()

    def save() -> None:
        with guard:
            n = next(numbers)
        try:
            services.post_record_save(
                account=account,
                published_at=datetime.datetime(2024, 5, n, 9, 0),
                title=f"同时 {n}",
                reads=n,
            )
        except Exception as exc:  # every failure is the finding
            failures.append(exc)

    run_at_once(save, 6)
    assert failures == []
    month = PostMonth.objects.get(account=account)
    assert (month.posts, month.reads_sum, month.reads_max) == (6, 21, 6)
    assert_roll_up_matches_posts(selectors.scope_get(survey=survey))
