"""CSV import of accounts, snapshots and post records: all or nothing, with per-row errors."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.utils import timezone

from archivox.core.models import AuditEntry
from archivox.survey import selectors
from archivox.survey.imports import Source, SurveyImportError, survey_import
from archivox.survey.models import (
    Account,
    MetricSnapshot,
    MonitoredInstitution,
    PostMonth,
    PostRecord,
)

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "institution,institution_name,institution_name_zh,region,level,platform,handle,opened_on,"
    "followers\n"
    "nanjing,,,,,wechat,njdaj,2014-01-01,\n"
    "suzhou-wujiang,Wujiang District Archives,吴江区档案馆,suzhou,district,weibo,wjda,2015-03-01,"
    "800\n"
)
SNAPSHOTS = """institution,platform,handle,date,followers,posts_total
suzhou-wujiang,weibo,wjda,2016-04-01,812,40
suzhou-wujiang,weibo,wjda,2016-05-01,850,52
"""
POSTS = (
    "institution,platform,handle,published,title,column,original,reads,likes,comments,shares,"
    "measured\n"
    "nanjing,wechat,njdaj,2016-04-20 10:00,颐和路公馆区,Nanjing Masterpieces Recommended,yes,"
    "120,8,1,3,2016-04-25\n"
    "suzhou-wujiang,weibo,wjda,2016-04-21,转发：本地新闻,,no,,2,0,1,\n"
)


def sources(**texts: str) -> list[Source]:
    return [Source.from_text(f"{name}.csv", text) for name, text in texts.items()]


def test_a_good_import_adds_institutions_accounts_snapshots_and_posts(paper):
    report = survey_import(
        actor=None,
        sources=sources(posts=POSTS, snapshots=SNAPSHOTS, accounts=ACCOUNTS),  # any order
        survey=paper,
    )
    assert report.ok
    assert (report.institutions_created, report.accounts_created) == (1, 1)
    # The paper's Nanjing WeChat account, recorded without a handle, takes the one given.
    assert report.accounts_updated == 1
    nanjing = Account.objects.get(institution__slug="nanjing", platform="wechat")
    assert nanjing.handle == "njdaj" and nanjing.opened_on == datetime.date(2014, 1, 1)
    assert nanjing.notes == "content still stays in March 2016"  # no notes column: kept
    assert (report.snapshots, report.posts) == (2, 2)
    wujiang = MonitoredInstitution.objects.get(slug="suzhou-wujiang")
    assert wujiang.archive is None and wujiang.region.code == "suzhou"
    assert MetricSnapshot.objects.filter(account__institution=wujiang).count() == 2
    post = PostRecord.objects.get(title="颐和路公馆区")
    assert post.is_original is True and post.reads == 120
    assert timezone.localtime(post.published_at).hour == 10
    assert AuditEntry.objects.filter(action="survey.import").count() == 1


def test_importing_the_same_files_again_updates_and_adds_nothing(paper):
    files = sources(accounts=ACCOUNTS, snapshots=SNAPSHOTS, posts=POSTS)
    survey_import(actor=None, sources=files)
    counts = (Account.objects.count(), MetricSnapshot.objects.count(), PostRecord.objects.count())
    survey_import(actor=None, sources=files)
    assert (
        Account.objects.count(),
        MetricSnapshot.objects.count(),
        PostRecord.objects.count(),
    ) == counts


def test_bad_rows_are_each_reported_and_nothing_is_imported(paper):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    accounts = ACCOUNTS + "atlantis-city,Atlantis Archives,,atlantis,city,weibo,atl,,\n"
    accounts += "nowhere,,,,,weibo,x,,\n"
    snapshots = (
        SNAPSHOTS
        + "suzhou-wujiang,weibo,wjda,2016-05-01,851,53\n"  # duplicate of line 3
        + "suzhou-wujiang,weibo,wjda,2015-01-01,10,1\n"  # before the account opened
        + f"suzhou-wujiang,weibo,wjda,{tomorrow},900,60\n"  # in the future
        + "suzhou-wujiang,weibo,wjda,2016-06-01,-5,many\n"  # negative, non-numeric
    )
    posts = POSTS + "ghost-archive,weibo,,2016-04-22,标题,,yes,1,1,1,1,\n"
    before = {
        model: model.objects.count()
        for model in (MonitoredInstitution, Account, MetricSnapshot, PostRecord)
    }
    audit = AuditEntry.objects.count()

    with pytest.raises(SurveyImportError) as caught:
        survey_import(
            actor=None, sources=sources(accounts=accounts, snapshots=snapshots, posts=posts)
        )

    lines = caught.value.report.lines()
    assert lines == [
        "accounts.csv:4: region: unknown region 'atlantis'",
        "accounts.csv:5: institution: unknown archive 'nowhere': neither monitored nor in "
        "Archivox; give region, level and institution_name to add it",
        "snapshots.csv:4: duplicate of line 3 of snapshots.csv",
        "snapshots.csv:5: date: 2015-01-01 is before the account opened (2015-03-01)",
        f"snapshots.csv:6: date: {tomorrow} is in the future",
        "snapshots.csv:7: followers: must not be negative (got -5)",
        "snapshots.csv:7: posts_total: 'many' is not a whole number",
        "posts.csv:4: institution: unknown archive 'ghost-archive': list it in an accounts "
        "file first",
    ]
    after = {
        model: model.objects.count()
        for model in (MonitoredInstitution, Account, MetricSnapshot, PostRecord)
    }
    assert after == before
    assert AuditEntry.objects.count() == audit


def test_posts_in_the_future_or_measured_before_publication_are_refused(paper):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    posts = (
        "institution,platform,handle,published,title,measured\n"
        f"nanjing,wechat,,{future},明日之文,\n"
        "nanjing,wechat,,2016-04-20,早测之文,2016-04-19\n"
        "nanjing,wechat,,2016-04-20,未知平台,\n"
        "nanjing,website,,2016-04-20,无此账号,\n"
    )
    with pytest.raises(SurveyImportError) as caught:
        survey_import(actor=None, sources=sources(posts=posts))
    lines = caught.value.report.lines()
    assert lines[0].startswith("posts.csv:2: published: ") and "in the future" in lines[0]
    assert lines[1] == "posts.csv:3: measured: is before the post was published"
    assert lines[2] == (
        "posts.csv:5: platform: archive 'nanjing' has no website account (list it in an "
        "accounts file)"
    )
    assert len(lines) == 3
    assert PostRecord.objects.count() == 1  # only the paper's


def test_a_file_that_is_not_a_survey_csv_is_refused(paper):
    with pytest.raises(SurveyImportError) as caught:
        survey_import(actor=None, sources=sources(other="a,b\n1,2\n"))
    assert "not a survey CSV" in caught.value.report.lines()[0]


def test_import_survey_command(paper, tmp_path: Path):
    for name, text in (("accounts", ACCOUNTS), ("snapshots", SNAPSHOTS), ("posts", POSTS)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_survey",
        str(tmp_path / "posts.csv"),
        str(tmp_path / "accounts.csv"),
        str(tmp_path / "snapshots.csv"),
        "--survey",
        paper.slug,
        stdout=out,
    )
    assert "1 institution(s) added" in out.getvalue()
    indicators_scope = selectors.scope_get(survey=paper, archive="suzhou-wujiang")
    assert indicators_scope.institution.name_zh == "吴江区档案馆"

    bad = tmp_path / "bad.csv"
    bad.write_text("institution,platform,date,followers\nnanjing,weibo,2016-01-01,lots\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_survey", str(bad), stdout=StringIO(), stderr=err)
    assert "bad.csv:2: followers: 'lots' is not a whole number" in err.getvalue()


def test_the_refusal_counts_every_bad_row_not_only_those_listed(paper):
    """All 1,500 rows bad: the error says 1,500, though the listing stops at 1,000."""
    rows = "".join(f"nanjing,moon,njdaj,2016-04-20 10:00,第{n}篇\n" for n in range(1500))
    with pytest.raises(SurveyImportError) as error:
        survey_import(
            actor=None,
            sources=sources(posts="institution,platform,handle,published,title\n" + rows),
        )
    assert str(error.value) == "1500 bad row(s), 1500 problem(s); nothing imported"
    lines = error.value.report.lines()
    assert len(lines) == 1001
    assert lines[-1] == "… stopped listing after 1000 problems: 1500 in 1500 bad row(s) in all"
    assert not PostRecord.objects.filter(title__startswith="第").exists()


def _many_posts(count: int) -> str:
    """``count`` posts of the two accounts of ACCOUNTS, one an hour from 2016-01-01."""
    lines = [POSTS.splitlines()[0]]
    start = datetime.datetime(2016, 1, 1)
    for n in range(count):
        slug, platform, handle = (
            ("nanjing", "wechat", "njdaj") if n % 2 else ("suzhou-wujiang", "weibo", "wjda")
        )
        moment = (start + datetime.timedelta(hours=n)).isoformat(sep=" ")
        lines.append(f"{slug},{platform},{handle},{moment},第 {n} 篇,,yes,{n},1,0,0,")
    return "\n".join(lines) + "\n"


def test_a_large_import_is_written_whole_by_the_writer(paper):
    """More rows than a batch and than a statement: the writer's thread writes every one, in the
    import's transaction, and the same files again change nothing."""
    count = 12_345
    files = sources(accounts=ACCOUNTS, posts=_many_posts(count))
    report = survey_import(actor=None, sources=files)
    assert report.posts == count
    posts = PostRecord.objects.filter(published_at__year__gte=2016, title__startswith="第 ")
    assert posts.count() == count
    assert sum(posts.values_list("reads", flat=True)) == count * (count - 1) // 2
    survey_import(actor=None, sources=files)
    assert posts.count() == count
    assert PostMonth.objects.aggregate(n=Sum("posts"))["n"] == PostRecord.objects.count()


def test_a_row_the_database_refuses_while_writing_undoes_the_whole_import(paper):
    """The writer's thread meets the database's refusal of a row in a later batch: the error
    reaches the caller as the database's error, and nothing of the import is kept."""
    refused = "第 11000 篇"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION survey_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.title = '{refused}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER survey_refuse BEFORE INSERT ON survey_postrecord "
                "FOR EACH ROW EXECUTE FUNCTION survey_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER survey_refuse BEFORE INSERT ON survey_postrecord "
                f"WHEN NEW.title = '{refused}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    before = (Account.objects.count(), PostRecord.objects.count(), PostMonth.objects.count())
    with pytest.raises(DatabaseError, match="refused"):
        survey_import(actor=None, sources=sources(accounts=ACCOUNTS, posts=_many_posts(12_000)))
    after = (Account.objects.count(), PostRecord.objects.count(), PostMonth.objects.count())
    assert after == before
    assert not AuditEntry.objects.filter(action="survey.import").exists()
