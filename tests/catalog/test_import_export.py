"""Catalog import (CSV, EAD 2002) and export: all or nothing, hostile input refused, the same
tree fields, search index and audit trail as single edits, and round trips through export."""

from __future__ import annotations

import csv
import datetime
import io
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archivox.catalog import search, services
from archivox.catalog.exports import ExportError, catalog_export
from archivox.catalog.imports import CSV_COLUMNS, ImportReport, catalog_import
from archivox.catalog.models import Access, DeletedRecord, Description, SearchText
from archivox.catalog.search import SearchFilters, search_descriptions
from archivox.core import services as core_services
from archivox.core.models import AuditEntry, Role
from archivox.core.selectors import ArchivePermissionDenied
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HEADER = "reference_code,parent_reference_code,level,title,start_year,end_year,access_level"
FUTURE = datetime.date.today() + datetime.timedelta(days=3650)


@pytest.fixture
def nanjing():
    return ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")


@pytest.fixture
def suzhou():
    return ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")


def grant(archive, role, user=None):
    user = user or UserFactory()
    core_services.membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


def run_import(archive, content, *, actor=None, format=None, update=False) -> ImportReport:
    if isinstance(content, str):
        content = content.encode("utf-8")
    upload = io.BytesIO(content)
    upload.name = "catalog.upload"
    return catalog_import(
        actor=actor, archive=archive, file_path_or_fileobj=upload, format=format, update=update
    )


def index_size() -> int:
    return SearchText.objects.count()


def index_document(pk: int) -> tuple[str, str] | None:
    """The segmented (title, body) text the search index holds for a description."""
    return SearchText.objects.filter(description_id=pk).values_list("title", "body").first()


def catalog_state() -> tuple[int, int, int, int, list]:
    return (
        Description.objects.count(),
        AuditEntry.objects.count(),
        DeletedRecord.objects.count(),
        index_size(),
        list(Description.objects.order_by("pk").values_list("pk", "title", "access_level")),
    )


def by_code(archive) -> dict[str, Description]:
    return {d.reference_code: d for d in Description.objects.filter(archive=archive)}


def assert_problem(report: ImportReport, where: str, field: str, fragment: str) -> None:
    assert not report.ok
    matches = [
        p
        for p in report.problems
        if p.where.startswith(where) and p.field == field and fragment in p.message
    ]
    assert matches, f"no problem {where!r} {field!r} {fragment!r} in:\n" + "\n".join(report.lines())


# Happy paths -------------------------------------------------------------------------------


def test_csv_with_bom_and_parents_in_later_rows_imports_the_whole_tree(suzhou):
    report = catalog_import(
        actor=None, archive=suzhou, file_path_or_fileobj=DATA / "sample_catalog.csv"
    )

    assert report.ok, report.lines()
    assert (report.format, report.rows, report.created, report.updated) == ("csv", 6, 6, 0)
    rows = by_code(suzhou)
    fonds, series, file = rows["SZ-1"], rows["SZ-1-01"], rows["SZ-1-01-001"]
    assert file.parent_id == series.pk and series.parent_id == fonds.pk
    assert fonds.path == f"/{fonds.pk}/"
    assert file.path == f"/{fonds.pk}/{series.pk}/{file.pk}/"
    assert (fonds.depth, series.depth, file.depth) == (0, 1, 2)
    assert file.subjects == ["建筑", "修缮"] and file.places == ["苏州", "南京"]
    assert file.people == ["白崇禧"]
    assert file.scope_content == "白崇禧公馆修缮往来函件。\n含图纸二张。"
    assert (file.start_year, file.end_year, file.position) == (1946, 1946, 1)
    assert rows["SZ-1-02"].closed_until == datetime.date(2040, 12, 31)


def test_parent_already_in_the_catalog_is_found_by_reference_code(nanjing):
    fonds = services.description_create(
        actor=None, archive=nanjing, reference_code="NJ-1", level="fonds", title="全宗"
    )
    report = run_import(nanjing, f"{HEADER}\nNJ-1-1,NJ-1,series,系列,,,\n")

    assert report.ok, report.lines()
    series = Description.objects.get(reference_code="NJ-1-1")
    assert series.parent_id == fonds.pk
    assert series.path == f"{fonds.path}{series.pk}/"
    assert series.depth == 1


def test_child_of_confidential_fonds_is_confidential_and_closure_is_inherited(suzhou):
    catalog_import(actor=None, archive=suzhou, file_path_or_fileobj=DATA / "sample_catalog.csv")
    rows = by_code(suzhou)

    assert rows["SZ-2"].effective_access == Access.CONFIDENTIAL
    assert rows["SZ-2-01"].access_level == Access.OPEN
    assert rows["SZ-2-01"].effective_access == Access.CONFIDENTIAL
    assert not rows["SZ-2-01"].is_public_on()
    assert rows["SZ-1-02"].effective_access == Access.RESTRICTED
    assert rows["SZ-1-02"].effective_closed_until == datetime.date(2040, 12, 31)
    assert rows["SZ-1-01-001"].is_public_on()


def test_imported_descriptions_are_searchable(suzhou):
    catalog_import(actor=None, archive=suzhou, file_path_or_fileobj=DATA / "sample_catalog.csv")

    page = search_descriptions("白崇禧", filters=SearchFilters(archive_id=suzhou.pk))
    assert [hit.description.reference_code for hit in page.hits] == ["SZ-1-01-001"]
    assert "白崇禧公馆" in page.hits[0].description.title
    # The confidential fonds is indexed, but the public gateway keeps it out.
    assert search_descriptions("警察局", public=True).total == 0
    assert search_descriptions("警察局", public=False).total == 1


def test_import_writes_what_single_edits_write(nanjing, suzhou):
    """The bulk path computes the same tree fields and index text as description_create."""
    values = {
        "title": "白崇禧公馆修缮卷",
        "title_en": "Bai Chongxi mansion",
        "scope_content": "修缮往来函件 letters",
        "subjects": ["建筑"],
        "people": ["白崇禧"],
        "closed_until": datetime.date(2031, 1, 1),
    }
    fonds = services.description_create(
        actor=None,
        archive=nanjing,
        reference_code="F",
        level="fonds",
        title="全宗",
        access_level="restricted",
        closed_until=datetime.date(2035, 1, 1),
    )
    made = services.description_create(
        actor=None, archive=nanjing, parent=fonds, reference_code="F-1", level="file", **values
    )
    text = (
        "reference_code,parent_reference_code,level,title,title_en,scope_content,subjects,"
        "people,access_level,closed_until\n"
        "F-1,F,file,白崇禧公馆修缮卷,Bai Chongxi mansion,修缮往来函件 letters,建筑,白崇禧,,"
        "2031-01-01\n"
        "F,,fonds,全宗,,,,,restricted,2035-01-01\n"
    )
    assert run_import(suzhou, text).ok
    imported = Description.objects.get(archive=suzhou, reference_code="F-1")

    fields = ("depth", "effective_access", "effective_closed_until", *services.DESCRIPTION_FIELDS)
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(made, f) for f in fields}
    assert imported.path == f"/{imported.parent_id}/{imported.pk}/"
    assert index_document(imported.pk) == index_document(made.pk) is not None


def test_one_audit_entry_records_the_whole_import(nanjing):
    archivist = grant(nanjing, Role.ARCHIVIST)
    before = AuditEntry.objects.count()

    report = run_import(nanjing, f"{HEADER}\nA,,fonds,甲,,,\nA-1,A,series,乙,,,\n", actor=archivist)

    assert report.ok
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("created_at")
    assert (entry.action, entry.object_type, entry.actor, entry.archive) == (
        "catalog.import",
        "catalog.import",
        archivist,
        nanjing,
    )
    assert entry.after == {"file": "catalog.upload", "created": 2, "updated": 0}


def test_staff_without_catalog_edit_cannot_import(nanjing):
    reviewer = grant(nanjing, Role.REVIEWER)
    outsider = grant(ArchiveFactory(), Role.ADMINISTRATOR)
    before = catalog_state()
    with pytest.raises(ArchivePermissionDenied):
        run_import(nanjing, f"{HEADER}\nA,,fonds,甲,,,\n", actor=reviewer)
    with pytest.raises(ArchivePermissionDenied):
        run_import(nanjing, f"{HEADER}\nA,,fonds,甲,,,\n", actor=outsider)
    assert catalog_state() == before


def test_reimported_description_is_no_longer_deleted_for_harvesters(nanjing):
    gone = services.description_create(
        actor=None, archive=nanjing, reference_code="OLD-1", level="fonds", title="旧"
    )
    services.description_delete(actor=None, description=gone)
    assert DeletedRecord.objects.filter(reference_code="OLD-1").exists()

    assert run_import(nanjing, f"{HEADER}\nOLD-1,,fonds,旧,,,\n").ok

    assert not DeletedRecord.objects.filter(reference_code="OLD-1").exists()


# Updating ----------------------------------------------------------------------------------


def test_update_changes_existing_descriptions_and_keeps_absent_columns(nanjing):
    fonds = services.description_create(
        actor=None,
        archive=nanjing,
        reference_code="U",
        level="fonds",
        title="旧题名",
        creator="南京市政府",
        start_year=1930,
    )
    text = "reference_code,level,title,start_year\nU,fonds,新题名,1931\nU-1,series,新系列,\n"

    without = run_import(nanjing, text.replace("U-1,series,新系列,\n", ""))
    assert_problem(without, "row 2", "reference_code", "already exists in archive nanjing")
    report = run_import(nanjing, text, update=True)

    assert report.ok, report.lines()
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    fonds.refresh_from_db()
    assert (fonds.title, fonds.start_year, fonds.creator) == ("新题名", 1931, "南京市政府")
    assert search_descriptions("新题名").total == 1
    assert search_descriptions("旧题名").total == 0
    again = run_import(nanjing, "reference_code,level,title\nU,fonds,新题名\n", update=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEntry.objects.filter(action="catalog.import").count() == 2


def test_update_of_access_reaches_descendants_that_are_not_in_the_file(nanjing):
    fonds = services.description_create(
        actor=None, archive=nanjing, reference_code="P", level="fonds", title="全宗"
    )
    series = services.description_create(
        actor=None, archive=nanjing, parent=fonds, reference_code="P-1", level="series", title="系"
    )
    item = services.description_create(
        actor=None, archive=nanjing, parent=series, reference_code="P-1-1", level="item", title="件"
    )

    report = run_import(
        nanjing, "reference_code,level,title,access_level\nP,fonds,全宗,confidential\n", update=True
    )

    assert report.ok, report.lines()
    for description in (fonds, series, item):
        description.refresh_from_db()
        assert description.effective_access == Access.CONFIDENTIAL
    assert set(DeletedRecord.objects.values_list("reference_code", flat=True)) == {
        "P",
        "P-1",
        "P-1-1",
    }
    reopened = run_import(
        nanjing, "reference_code,level,title,access_level\nP,fonds,全宗,open\n", update=True
    )
    assert reopened.ok
    item.refresh_from_db()
    assert item.effective_access == Access.OPEN
    assert not DeletedRecord.objects.exists()


def test_update_of_a_parent_and_its_child_together_in_any_row_order(nanjing):
    def make(code, level, parent=None):
        return services.description_create(
            actor=None, archive=nanjing, parent=parent, reference_code=code, level=level, title=code
        )

    fonds = make("Q", "fonds")
    series = make("Q-1", "series", fonds)
    make("Q-1-1", "item", series)
    make("Q-2", "series", fonds)

    report = run_import(
        nanjing,
        "reference_code,level,title,access_level\nQ-1,series,Q-1,confidential\n"
        "Q,fonds,Q,restricted\n",
        update=True,
    )

    assert report.ok, report.lines()
    assert (report.updated, report.unchanged) == (2, 0)
    effective = dict(
        Description.objects.filter(archive=nanjing).values_list(
            "reference_code", "effective_access"
        )
    )
    assert effective == {
        "Q": "restricted",
        "Q-1": "confidential",
        "Q-1-1": "confidential",
        "Q-2": "restricted",
    }
    assert set(DeletedRecord.objects.values_list("reference_code", flat=True)) == {"Q-1", "Q-1-1"}


def test_update_does_not_move_descriptions(nanjing):
    first = services.description_create(
        actor=None, archive=nanjing, reference_code="M1", level="fonds", title="一"
    )
    services.description_create(
        actor=None, archive=nanjing, reference_code="M2", level="fonds", title="二"
    )
    services.description_create(
        actor=None, archive=nanjing, parent=first, reference_code="M1-1", level="series", title="系"
    )
    before = catalog_state()

    report = run_import(nanjing, f"{HEADER}\nM1-1,M2,series,系,,,\n", update=True)

    assert_problem(report, "row 2", "parent_reference_code", "does not move descriptions")
    assert catalog_state() == before


def test_update_cannot_give_a_description_a_level_below_its_children(nanjing):
    fonds = services.description_create(
        actor=None, archive=nanjing, reference_code="L", level="fonds", title="全宗"
    )
    services.description_create(
        actor=None, archive=nanjing, parent=fonds, reference_code="L-1", level="series", title="系"
    )
    report = run_import(nanjing, "reference_code,level,title\nL,file,全宗\n", update=True)
    assert_problem(report, "row 2", "level", "'L-1' below it is a series")


# Bad input: a clear problem, and nothing saved ---------------------------------------------

BAD_CSV = [
    pytest.param(
        "reference_code,level\nA,fonds\n", "row 1", "title", "required column", id="missing-column"
    ),
    pytest.param(
        "reference_code,level,titel\nA,fonds,x\n", "row 1", "titel", "unknown column", id="unknown"
    ),
    pytest.param(f"{HEADER}\nA,,fonds,,,,\n", "row 2", "title", "required", id="empty-title"),
    pytest.param(f"{HEADER}\nA,,box,甲,,,\n", "row 2", "level", "unknown level 'box'", id="level"),
    pytest.param(f"{HEADER}\nA,,fonds,甲,19x7,,\n", "row 2", "start_year", "not a year", id="year"),
    pytest.param(
        f"{HEADER}\nA,,fonds,甲,99999,,\n", "row 2", "start_year", "not a year", id="year-range"
    ),
    pytest.param(
        f"{HEADER}\nA,,fonds,甲,1950,1940,\n", "row 2", "end_year", "before the start", id="years"
    ),
    pytest.param(
        f"{HEADER}\nA,NOPE,series,甲,,,\n",
        "row 2",
        "parent_reference_code",
        "no description 'NOPE' in the file or in archive nanjing",
        id="unknown-parent",
    ),
    pytest.param(
        f"{HEADER}\nA,,fonds,甲,,,\nA,,fonds,乙,,,\n",
        "row 3",
        "reference_code",
        "more than once in the file (first at row 2)",
        id="duplicate-in-file",
    ),
    pytest.param(
        f"{HEADER}\nEXIST,,fonds,甲,,,\n",
        "row 2",
        "reference_code",
        "already exists",
        id="duplicate-in-catalog",
    ),
    pytest.param(
        f"{HEADER}\nA,B,series,甲,,,\nB,A,file,乙,,,\n",
        "row 2",
        "parent_reference_code",
        "form a cycle",
        id="cycle",
    ),
    pytest.param(
        f"{HEADER}\nA,A,series,甲,,,\n", "row 2", "parent_reference_code", "cycle", id="self-parent"
    ),
    pytest.param(
        f"{HEADER}\nF,,fonds,甲,,,\nS,F,series,乙,,,\nS2,S,series,丙,,,\n",
        "row 4",
        "level",
        "a series cannot stand below a series",
        id="level-below-parent",
    ),
    pytest.param(
        f"{HEADER}\nA,EXIST,fonds,甲,,,\n",
        "row 2",
        "level",
        "a fonds cannot stand below a fonds ('EXIST')",
        id="level-below-parent-in-catalog",
    ),
    pytest.param(
        f"{HEADER}\nA,,fonds,甲,,,secret\n",
        "row 2",
        "access_level",
        "unknown access level 'secret'",
        id="access-level",
    ),
    pytest.param(
        "reference_code,level,title,closed_until\nA,fonds,甲,2030/01/01\n",
        "row 2",
        "closed_until",
        "not a date; write YYYY-MM-DD",
        id="date",
    ),
    pytest.param(
        "reference_code,level,title,closed_until\nA,fonds,甲,2030-02-30\n",
        "row 2",
        "closed_until",
        "not a date",
        id="impossible-date",
    ),
    pytest.param(
        "reference_code,level,title,position\nA,fonds,甲,-1\n",
        "row 2",
        "position",
        "not a position",
        id="position",
    ),
    pytest.param(
        f"{HEADER}\nA,,fonds,{'长' * 501},,,\n",
        "row 2",
        "title",
        "501 characters long; at most 500",
        id="title-too-long",
    ),
    pytest.param(
        f"{HEADER}\n{'R' * 101},,fonds,甲,,,\n",
        "row 2",
        "reference_code",
        "at most 100",
        id="code-too-long",
    ),
    pytest.param(
        f'{HEADER}\nA,,fonds,"unterminated,,,\n', "row 2", "", "malformed CSV", id="malformed"
    ),
    pytest.param(
        f"{HEADER}\nA,,fonds,甲,,,,extra\n",
        "row 2",
        "",
        "8 values but the header has 7 columns",
        id="column-count",
    ),
    pytest.param("", "file", "", "empty", id="empty-file"),
    pytest.param(f"{HEADER}\n", "file", "", "no descriptions", id="header-only"),
    pytest.param(
        "<?xml version='1.0'?><ead/>", "file", "", "looks like XML", id="xml-given-as-csv"
    ),
    pytest.param(
        "reference_code,level,title\n白崇禧公馆,fonds,甲\n".encode("gbk"),
        "file",
        "",
        "not UTF-8",
        id="gbk",
    ),
    pytest.param(b"\x00\x01\x02binary\x00" * 40, "file", "", "binary data", id="binary"),
    pytest.param(
        (DATA / "not_a_catalog.png").read_bytes(), "file", "", "PNG image", id="png-as-csv"
    ),
    pytest.param(b"PK\x03\x04xlsx", "file", "", "Excel", id="xlsx"),
    pytest.param(
        "reference_code,level,title,scope_content\nA,fonds,甲," + "长" * 200_000 + "\n",
        "row 2",
        "",
        "a value is longer than 131,072 characters",
        id="huge-cell",
    ),
]


@pytest.mark.parametrize(("content", "where", "field", "fragment"), BAD_CSV)
def test_bad_csv_is_refused_with_a_clear_problem_and_nothing_saved(
    nanjing, content, where, field, fragment
):
    services.description_create(
        actor=None, archive=nanjing, reference_code="EXIST", level="fonds", title="已有"
    )
    before = catalog_state()

    report = run_import(nanjing, content, format="csv")

    assert_problem(report, where, field, fragment)
    assert catalog_state() == before
    for line in report.lines():
        assert "\n" not in line


def test_one_bad_row_among_many_imports_nothing_and_names_only_that_row(nanjing):
    rows = [f"G{n},,fonds,全宗{n},1930,1940," for n in range(200)]
    rows[150] = "G150,,fonds,全宗,1940,1930,"
    before = catalog_state()

    report = run_import(nanjing, HEADER + "\n" + "\n".join(rows) + "\n")

    assert [str(p) for p in report.problems] == [
        "row 152, end_year: the end year 1930 is before the start year 1940"
    ]
    assert (report.created, report.updated) == (0, 0)
    assert catalog_state() == before


def test_a_file_with_very_many_problems_lists_a_thousand_and_counts_the_rest(nanjing):
    rows = [f"B{n},,box,甲,,," for n in range(1200)]
    report = run_import(nanjing, HEADER + "\n" + "\n".join(rows) + "\n")
    assert len(report.problems) == 1200
    lines = report.lines()
    assert len(lines) == 1001
    assert lines[-1] == "… and 200 more problems"


def test_problems_are_listed_in_file_order(nanjing):
    report = run_import(
        nanjing,
        f"{HEADER}\nA,NOPE,series,甲,19x7,,\nB,,box,乙,,,\nC,,fonds,丙,,,\nA,,fonds,丁,,,\n",
    )
    assert [(p.where, p.field) for p in report.problems] == [
        ("row 2", "start_year"),
        ("row 2", "parent_reference_code"),
        ("row 3", "level"),
        ("row 5", "reference_code"),
    ]


def _ead(components: str, *, archdesc: str = 'level="fonds"', did: str = "") -> str:
    did = did or "<unitid>E</unitid><unittitle>全宗</unittitle>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ead><archdesc {archdesc}><did>{did}</did>'
        f"<dsc>{components}</dsc></archdesc></ead>\n"
    )


BAD_EAD = [
    pytest.param(
        _ead('<c01 level="series"><did><unittitle>无号</unittitle></did></c01>'),
        "ead/archdesc/dsc/c01[1]",
        "did/unitid",
        "required",
        id="missing-unitid",
    ),
    pytest.param(
        _ead('<c01 level="series"><did><unitid>E-1</unitid></did></c01>'),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "did/unittitle",
        "required",
        id="missing-unittitle",
    ),
    pytest.param(
        _ead("<c01><did><unitid>E-1</unitid><unittitle>系</unittitle></did></c01>"),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "@level",
        "required",
        id="missing-level",
    ),
    pytest.param(
        _ead(
            '<c01 level="series"><did><unitid>E-1</unitid><unittitle>系</unittitle></did>'
            '<c02 level="box"><did><unitid>E-1-1</unitid><unittitle>盒</unittitle></did></c02>'
            "</c01>"
        ),
        "ead/archdesc/dsc/c01[1]/c02[1] (E-1-1)",
        "@level",
        "unknown level 'box'",
        id="unknown-level",
    ),
    pytest.param(
        _ead(
            '<c01 level="series"><did><unitid>E-1</unitid><unittitle>系</unittitle>'
            '<unitdate normal="19x7/1949">民国</unitdate></did></c01>'
        ),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "did/unitdate/@normal",
        "not a year",
        id="bad-normal-date",
    ),
    pytest.param(
        _ead(
            '<c01 level="series"><did><unitid>E-1</unitid><unittitle>系</unittitle>'
            '<unitdate normal="1949/1927">民国</unitdate></did></c01>'
        ),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "did/unitdate/@normal",
        "before the start year",
        id="start-after-end",
    ),
    pytest.param(
        _ead(
            '<c01 level="series"><did><unitid>E-1</unitid><unittitle>系</unittitle></did>'
            '<accessrestrict type="sometimes"><p>?</p></accessrestrict></c01>'
        ),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "@audience / accessrestrict/@type",
        "unknown access level 'sometimes'",
        id="unknown-access-type",
    ),
    pytest.param(
        _ead('<c01 level="fonds"><did><unitid>E-1</unitid><unittitle>全宗</unittitle></did></c01>'),
        "ead/archdesc/dsc/c01[1] (E-1)",
        "@level",
        "a fonds cannot stand below a fonds",
        id="level-below-parent",
    ),
    pytest.param(
        _ead('<c01 level="series"><did><unitid>E</unitid><unittitle>重号</unittitle></did></c01>'),
        "ead/archdesc/dsc/c01[1] (E)",
        "did/unitid",
        "more than once",
        id="duplicate-unitid",
    ),
    pytest.param(
        "<ead><archdesc level='fonds'><did><unitid>E</unitid></did></ead>",
        "file",
        "",
        "malformed XML at line 1",
        id="malformed",
    ),
    pytest.param("<html><body/></html>", "file", "", "not an EAD 2002 <ead>", id="not-ead"),
    pytest.param(
        '<ead xmlns="http://ead3.archivists.org/schema/"><archdesc/></ead>',
        "file",
        "",
        "not an EAD 2002",
        id="ead3",
    ),
    pytest.param("<ead><eadheader/></ead>", "ead", "archdesc", "no <archdesc>", id="no-archdesc"),
    pytest.param(
        (DATA / "billion_laughs.ead.xml").read_bytes(),
        "file",
        "",
        "refused for safety",
        id="billion-laughs",
    ),
    pytest.param(
        (DATA / "external_entity.ead.xml").read_bytes(),
        "file",
        "",
        "refused for safety",
        id="external-entity",
    ),
    pytest.param(
        (DATA / "not_a_catalog.png").read_bytes(), "file", "", "PNG image", id="png-as-ead"
    ),
    pytest.param("reference_code,level,title\n", "file", "", "not an XML document", id="csv"),
    pytest.param(
        '<?xml version="1.0" encoding="GB2312"?><ead/>'.encode("gb2312"),
        "file",
        "",
        "save it as UTF-8",
        id="gb2312",
    ),
]


@pytest.mark.parametrize(("content", "where", "field", "fragment"), BAD_EAD)
def test_bad_ead_is_refused_with_a_clear_problem_and_nothing_saved(
    nanjing, content, where, field, fragment
):
    before = catalog_state()

    report = run_import(nanjing, content, format="ead")

    assert_problem(report, where, field, fragment)
    assert catalog_state() == before


def test_xml_bomb_is_refused_without_expanding_it(nanjing):
    report = run_import(nanjing, (DATA / "billion_laughs.ead.xml").read_bytes())
    assert report.format == "ead"
    assert [str(p) for p in report.problems] == [
        "file: the XML declares a DTD internal subset; entity declarations, internal DTDs and "
        "external references are refused for safety (XML bombs, external entities). Remove "
        "them and try again"
    ]
    assert not Description.objects.exists()


def test_external_entity_is_never_read(nanjing):
    report = run_import(nanjing, (DATA / "external_entity.ead.xml").read_bytes())
    assert not report.ok
    assert "root:" not in " ".join(report.lines())
    assert not Description.objects.exists()


def test_bare_doctype_of_ead_2002_is_accepted_and_its_dtd_never_fetched(nanjing):
    # Were the system identifier read, /etc/passwd would not parse as a DTD.
    content = _ead(
        '<c01 level="series"><did><unitid>E-1</unitid><unittitle>系</unittitle></did></c01>'
    ).replace("<ead>", '<!DOCTYPE ead SYSTEM "file:///etc/passwd">\n<ead>')
    report = run_import(nanjing, content)
    assert report.ok, report.lines()
    assert report.created == 2


def test_deeply_nested_markup_is_read_without_exhausting_the_stack(nanjing):
    title = "<emph>" * 5000 + "深" + "</emph>" * 5000
    report = run_import(nanjing, _ead("", did=f"<unitid>E</unitid><unittitle>{title}</unittitle>"))
    assert report.ok, report.lines()
    assert Description.objects.get(reference_code="E").title == "深"


# EAD mapping -------------------------------------------------------------------------------


def test_ead_without_namespace_maps_every_field(nanjing):
    report = catalog_import(
        actor=None, archive=nanjing, file_path_or_fileobj=DATA / "sample_fonds.ead.xml"
    )

    assert report.ok, report.lines()
    assert (report.format, report.created) == ("ead", 7)
    rows = by_code(nanjing)
    fonds = rows["NJ-1927"]
    assert fonds.level == "fonds" and fonds.parent_id is None
    assert fonds.title == "南京特别市政府档案"
    assert fonds.title_en == "Records of the Nanjing Special Municipality"
    assert (fonds.date_expression, fonds.start_year, fonds.end_year) == (
        "1927年—1949年",
        1927,
        1949,
    )
    assert (fonds.extent, fonds.creator, fonds.language) == ("1,204卷", "南京特别市政府", "中文")
    assert (
        fonds.scope_content
        == "本全宗包括市政会议记录、城市建设规划等。\n\nIncludes the 1929 Capital Plan."
    )
    assert (fonds.access_level, fonds.access_conditions) == ("open", "开放利用。")
    assert (fonds.subjects, fonds.places, fonds.people) == (["城市规划"], ["南京"], ["刘纪文"])
    file = rows["NJ-1927-01-001"]
    assert file.parent_id == rows["NJ-1927-01"].pk and file.depth == 2
    assert (file.start_year, file.end_year, file.people) == (1929, 1929, ["白崇禧"])
    item = rows["NJ-1927-01-001-1"]
    assert (item.level, item.title, item.date_expression) == ("item", "修缮图纸", "1929年5月")
    assert (item.start_year, item.end_year) == (1929, 1929)
    secret = rows["NJ-1927-01-002"]
    assert secret.access_level == secret.effective_access == Access.CONFIDENTIAL
    restricted = rows["NJ-1927-02"]
    assert restricted.access_level == Access.RESTRICTED
    assert restricted.access_conditions == "须经馆长批准。"
    assert restricted.closed_until == datetime.date(2031, 1, 1)
    assert rows["NJ-1927-02-001"].effective_closed_until == datetime.date(2031, 1, 1)
    assert [rows["NJ-1927-01"].position, rows["NJ-1927-02"].position] == [0, 1]
    assert search_descriptions("白崇禧").total == 1


def test_namespaced_ead_with_unnumbered_components(nanjing):
    report = catalog_import(
        actor=None,
        archive=nanjing,
        file_path_or_fileobj=DATA / "sample_fonds_namespaced.ead.xml",
        format="ead",
    )

    assert report.ok, report.lines()
    rows = by_code(nanjing)
    assert set(rows) == {"BJ-7", "BJ-7-1", "BJ-7-1-1", "BJ-7-2", "BJ-7-2-1"}
    assert rows["BJ-7-1-1"].parent_id == rows["BJ-7-1"].pk
    assert rows["BJ-7-2"].access_level == Access.CONFIDENTIAL
    assert rows["BJ-7-2-1"].effective_access == Access.CONFIDENTIAL
    assert rows["BJ-7-1-1"].effective_access == Access.OPEN


# Export ------------------------------------------------------------------------------------


def build_catalog(archive):
    """A small catalog with every field used, and canaries the public must never see."""

    def make(code, level, parent=None, **values):
        return services.description_create(
            actor=None,
            archive=archive,
            parent=parent,
            reference_code=code,
            level=level,
            title=values.pop("title", f"{code} 题名"),
            **values,
        )

    fonds = make(
        "NJ-A",
        "fonds",
        title="南京市政府档案",
        title_en="Nanjing Municipal Government",
        date_expression="1927—1949",
        start_year=1927,
        end_year=1949,
        extent="320卷",
        creator="南京市政府",
        scope_content="第一段。\n同段第二行。\n\n第二段 with English.",
        access_conditions="开放。",
        language="中文",
        subjects=["城市规划", "财政"],
        places=["南京"],
        people=["白崇禧", "刘纪文"],
        position=0,
    )
    series = make("NJ-A-1", "series", fonds, position=2, start_year=1930)
    make("NJ-A-1-1", "file", series, title="白崇禧公馆", end_year=1946, position=0)
    make("NJ-A-1-2", "item", series, title="CANARY 机密件", access_level="confidential")
    make(
        "NJ-A-2", "series", fonds, position=1, access_level="restricted", access_conditions="须批准"
    )
    make("NJ-A-3", "series", fonds, position=3, title="CANARY 封闭期内", closed_until=FUTURE)
    secret = make("NJ-B", "fonds", title="CANARY 机密全宗", access_level="confidential", position=1)
    make("NJ-B-1", "series", secret, title="CANARY 机密全宗之子")
    return fonds


def export(archive, **options) -> str:
    out = io.StringIO()
    catalog_export(archive=archive, out=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("format", ["csv", "ead"])
def test_public_export_never_contains_confidential_or_closed_material(nanjing, format):
    build_catalog(nanjing)
    archivist = grant(nanjing, Role.ARCHIVIST)

    public = export(nanjing, format=format)
    staff = export(nanjing, format=format, user=archivist)

    assert "CANARY" not in public
    assert "NJ-A-1-2" not in public and "NJ-B" not in public
    assert "白崇禧公馆" in public and "NJ-A-2" in public  # restricted descriptions are public
    assert staff.count("CANARY") == 4


def test_staff_export_needs_permission_to_see_closed_material(nanjing):
    build_catalog(nanjing)
    with pytest.raises(ArchivePermissionDenied):
        export(nanjing, user=grant(ArchiveFactory(), Role.ARCHIVIST))


def test_export_of_one_fonds_and_of_what_the_public_may_not_see(nanjing):
    build_catalog(nanjing)
    rows = list(csv.DictReader(io.StringIO(export(nanjing, fonds="NJ-A-1"))))
    assert [row["reference_code"] for row in rows] == ["NJ-A-1", "NJ-A-1-1"]
    assert rows[0]["parent_reference_code"] == "NJ-A"
    with pytest.raises(ExportError, match="no description 'NJ-B' that the public may see"):
        export(nanjing, fonds="NJ-B")
    with pytest.raises(ExportError, match="no description 'NOPE'"):
        export(nanjing, fonds="NOPE")


def test_csv_export_lists_parents_first_and_siblings_in_order(nanjing):
    build_catalog(nanjing)
    rows = list(csv.DictReader(io.StringIO(export(nanjing))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["reference_code"] for row in rows] == ["NJ-A", "NJ-A-2", "NJ-A-1", "NJ-A-1-1"]
    assert rows[0]["subjects"] == "城市规划; 财政"


def comparable(archive, *, with_position: bool = True) -> dict[str, dict]:
    fields = [f for f in services.DESCRIPTION_FIELDS if with_position or f != "position"]
    codes = {d.pk: d.reference_code for d in Description.objects.filter(archive=archive)}
    return {
        d.reference_code: {
            **{f: getattr(d, f) for f in fields},
            "parent": codes.get(d.parent_id),
            "depth": d.depth,
            "effective_access": d.effective_access,
            "effective_closed_until": d.effective_closed_until,
        }
        for d in Description.objects.filter(archive=archive)
    }


def sibling_order(archive) -> dict[str | None, list[str]]:
    """The children of each description (by reference code), in the order shown."""
    rows = Description.objects.filter(archive=archive).order_by("position", "reference_code")
    codes = {d.pk: d.reference_code for d in rows}
    order: dict[str | None, list[str]] = {}
    for description in rows:
        order.setdefault(codes.get(description.parent_id), []).append(description.reference_code)
    return order


def test_csv_round_trip_gives_the_same_descriptions(nanjing, suzhou):
    build_catalog(nanjing)
    archivist = grant(nanjing, Role.ARCHIVIST)
    exported = export(nanjing, user=archivist)

    report = run_import(suzhou, exported)

    assert report.ok, report.lines()
    assert report.created == 8
    assert comparable(suzhou) == comparable(nanjing)
    assert export(suzhou, user=grant(suzhou, Role.ARCHIVIST)) == exported


def test_ead_round_trip_gives_the_same_descriptions(nanjing, suzhou):
    """EAD has no position number: sibling order is kept, the numbers become 0, 1, 2…"""
    build_catalog(nanjing)
    archivist = grant(nanjing, Role.ARCHIVIST)
    exported = export(nanjing, format="ead", user=archivist)

    report = run_import(suzhou, exported)

    assert report.ok, report.lines()
    assert report.format == "ead" and report.created == 8
    assert comparable(suzhou, with_position=False) == comparable(nanjing, with_position=False)
    assert sibling_order(suzhou) == sibling_order(nanjing)


def test_ead_round_trip_of_one_fonds(nanjing, suzhou):
    build_catalog(nanjing)
    exported = export(nanjing, format="ead", fonds="NJ-A")
    assert '<archdesc level="fonds"' in exported

    report = run_import(suzhou, exported)

    assert report.ok, report.lines()
    assert set(by_code(suzhou)) == {"NJ-A", "NJ-A-1", "NJ-A-1-1", "NJ-A-2"}
    imported = comparable(suzhou, with_position=False)
    original = comparable(nanjing, with_position=False)
    assert imported == {code: original[code] for code in imported}


# Commands ----------------------------------------------------------------------------------


def test_import_command_imports_and_reports(suzhou):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_catalog", "suzhou", str(DATA / "sample_catalog.csv"), stdout=out, stderr=err
    )
    assert "6 created, 0 updated, 0 unchanged in suzhou" in out.getvalue()
    assert "100% 6/6" in err.getvalue()  # the progress bar
    assert Description.objects.filter(archive=suzhou).count() == 6


def test_import_command_prints_each_problem_and_exits_with_an_error(nanjing, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA,,fonds,甲,,,\nB,,box,乙,,,\nC,NOPE,series,丙,,,\n", "utf-8")
    before = catalog_state()
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problem\\(s\\); nothing was imported"):
        call_command("import_catalog", "nanjing", str(bad), "--no-progress", stderr=err)

    lines = err.getvalue().splitlines()
    assert "bad.csv: row 3, level: unknown level 'box'; use fonds, series, file or item" in lines
    assert any(
        line.startswith("bad.csv: row 4, parent_reference_code: no description") for line in lines
    )
    assert catalog_state() == before


def test_import_command_update_user_and_mistakes(nanjing, tmp_path):
    archivist = grant(nanjing, Role.ARCHIVIST, UserFactory(username="lin"))
    UserFactory(username="nobody")
    path = tmp_path / "c.csv"
    path.write_text(f"{HEADER}\nA,,fonds,甲,,,\n", "utf-8")
    call_command("import_catalog", "nanjing", str(path), "--user", "lin", stderr=io.StringIO())
    assert AuditEntry.objects.get(action="catalog.import").actor == archivist
    path.write_text(f"{HEADER}\nA,,fonds,改,,,\n", "utf-8")
    with pytest.raises(CommandError):
        call_command("import_catalog", "nanjing", str(path), stderr=io.StringIO())
    call_command("import_catalog", "nanjing", str(path), "--update", stdout=io.StringIO())
    assert Description.objects.get(reference_code="A").title == "改"

    with pytest.raises(CommandError, match=r"nobody may not catalog\.edit in nanjing"):
        call_command("import_catalog", "nanjing", str(path), "--update", "--user", "nobody")
    with pytest.raises(CommandError, match="no archive with the slug 'atlantis'"):
        call_command("import_catalog", "atlantis", str(path))
    with pytest.raises(CommandError, match="no user 'ghost'"):
        call_command("import_catalog", "nanjing", str(path), "--user", "ghost")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalog", "nanjing", str(tmp_path / "missing.csv"))


def test_export_command_writes_files_and_guards_staff_exports(nanjing, tmp_path):
    build_catalog(nanjing)
    grant(nanjing, Role.ARCHIVIST, UserFactory(username="lin"))
    UserFactory(username="nobody")
    out_file = tmp_path / "public.csv"

    call_command("export_catalog", "nanjing", "--out", str(out_file), stderr=io.StringIO())
    content = out_file.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, for spreadsheets
    assert "CANARY" not in content.decode("utf-8-sig")
    assert not list(tmp_path.glob(".*.partial"))

    stdout = io.StringIO()
    call_command(
        "export_catalog",
        "nanjing",
        "--format",
        "ead",
        "--staff",
        "--user",
        "lin",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert stdout.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ead')
    assert "CANARY 机密全宗" in stdout.getvalue()

    with pytest.raises(CommandError, match="--staff needs --user"):
        call_command("export_catalog", "nanjing", "--staff")
    with pytest.raises(CommandError, match=r"may not catalog\.view_closed"):
        call_command("export_catalog", "nanjing", "--staff", "--user", "nobody")
    with pytest.raises(CommandError, match="no description 'NJ-B'"):
        call_command("export_catalog", "nanjing", "--fonds", "NJ-B", stdout=io.StringIO())


# Size --------------------------------------------------------------------------------------


def generated_rows(count: int, seed: int = 7) -> list[list[str]]:
    """A fonds → series → file → item tree of ``count`` rows, shuffled."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    fonds = 0
    while len(rows) < count:
        fonds += 1
        rows.append([f"T{fonds}", "", "fonds", f"第{fonds}全宗 Fonds {fonds}", ""])
        for s in range(1, 6):
            rows.append([f"T{fonds}-{s}", f"T{fonds}", "series", f"系列{s} 白崇禧公馆", ""])
            for f in range(1, 11):
                code = f"T{fonds}-{s}-{f}"
                rows.append([code, f"T{fonds}-{s}", "file", f"案卷{f} file", "restricted"])
                for i in range(1, 8):
                    rows.append([f"{code}-{i}", code, "item", f"文件{i} 南京 item {i}", ""])
    rows = rows[:count]
    keep = {row[0] for row in rows}
    rows = [row for row in rows if not row[1] or row[1] in keep]
    rng.shuffle(rows)
    return rows


def test_two_thousand_rows_import_in_one_pass(nanjing):
    rows = generated_rows(2000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reference_code", "parent_reference_code", "level", "title", "access_level"])
    writer.writerows(rows)
    seen = []

    report = catalog_import(
        actor=None,
        archive=nanjing,
        file_path_or_fileobj=io.BytesIO(out.getvalue().encode()),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )

    assert report.ok, report.lines()[:5]
    assert report.created == len(rows) == Description.objects.filter(archive=nanjing).count()
    assert ("saving", len(rows), len(rows)) in seen and ("indexing", len(rows), len(rows)) in seen
    descriptions = Description.objects.filter(archive=nanjing).select_related("parent")
    for description in descriptions:
        parent = description.parent
        expected_path = f"{parent.path if parent else '/'}{description.pk}/"
        assert description.path == expected_path
        assert description.depth == (parent.depth + 1 if parent else 0)
    item = Description.objects.get(reference_code="T1-1-1-1")
    assert item.effective_access == Access.RESTRICTED
    assert index_size() == len(rows)
    # The index text matches what a re-index writes, row for row.
    sample = list(descriptions.values_list("pk", flat=True)[:50])
    documents = [index_document(pk) for pk in sample]
    search.index_descriptions(sample)
    assert [index_document(pk) for pk in sample] == documents

    # Re-importing the same file with update changes nothing.
    again = catalog_import(
        actor=None,
        archive=nanjing,
        file_path_or_fileobj=io.BytesIO(out.getvalue().encode()),
        update=True,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
