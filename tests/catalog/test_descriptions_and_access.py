import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from archivox.catalog import selectors, services
from archivox.catalog.models import Access, DeletedRecord, Description
from archivox.core.models import AuditEntry, Role
from archivox.core.selectors import ArchivePermissionDenied
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def public_codes(archive):
    return set(
        selectors.description_list_public(archive=archive).values_list("reference_code", flat=True)
    )


def test_a_fonds_series_file_item_tree_keeps_paths_depths_and_breadcrumbs(make_description):
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    series = make_description("MG-1", "公馆", level="series", parent=fonds)
    file = make_description("MG-1-01", "颐和路", level="file", parent=series)
    item = make_description("MG-1-01-001", "白崇禧公馆", level="item", parent=file)

    assert [fonds.depth, series.depth, file.depth, item.depth] == [0, 1, 2, 3]
    assert item.path == f"/{fonds.pk}/{series.pk}/{file.pk}/{item.pk}/"
    assert selectors.description_breadcrumbs(description=item) == [fonds, series, file]
    assert list(selectors.description_children_public(description=series)) == [file]


def test_access_is_inherited_unless_set_more_strictly(make_description):
    fonds = make_description("F", level="fonds", access_level=Access.RESTRICTED)
    open_child = make_description("F-1", level="series", parent=fonds, access_level=Access.OPEN)
    secret_child = make_description(
        "F-2", level="series", parent=fonds, access_level=Access.CONFIDENTIAL
    )
    assert open_child.effective_access == Access.RESTRICTED  # cannot be more open than parent
    assert secret_child.effective_access == Access.CONFIDENTIAL


def test_making_a_fonds_confidential_hides_its_whole_subtree_at_once(nanjing, make_description):
    fonds = make_description("F", level="fonds")
    series = make_description("F-1", level="series", parent=fonds)
    make_description("F-1-1", level="item", parent=series)
    assert public_codes(nanjing) == {"F", "F-1", "F-1-1"}

    services.description_update(actor=None, description=fonds, access_level=Access.CONFIDENTIAL)

    assert public_codes(nanjing) == set()
    assert set(Description.objects.values_list("effective_access", flat=True)) == {
        Access.CONFIDENTIAL
    }
    # Harvesters are told the records are gone.
    assert set(DeletedRecord.objects.values_list("reference_code", flat=True)) == {
        "F",
        "F-1",
        "F-1-1",
    }

    services.description_update(actor=None, description=fonds, access_level=Access.OPEN)
    assert public_codes(nanjing) == {"F", "F-1", "F-1-1"}
    assert not DeletedRecord.objects.exists()


def test_a_closure_date_hides_an_item_until_the_day_after(nanjing, make_description):
    today = timezone.localdate()
    make_description("C-1", closed_until=today + datetime.timedelta(days=30))
    make_description("C-2", closed_until=today - datetime.timedelta(days=1))
    make_description("C-3", closed_until=today)
    assert public_codes(nanjing) == {"C-2"}


def test_a_closure_on_a_parent_reaches_its_children(nanjing, make_description):
    fonds = make_description("F", level="fonds")
    child = make_description("F-1", level="item", parent=fonds)
    services.description_update(
        actor=None, description=fonds, closed_until=datetime.date(2999, 1, 1)
    )
    child.refresh_from_db()
    assert child.effective_closed_until == datetime.date(2999, 1, 1)
    assert public_codes(nanjing) == set()


def test_restricted_description_is_public_but_its_objects_are_not(make_description):
    item = make_description("R-1", access_level=Access.RESTRICTED)
    assert item.is_public_on()
    assert not item.objects_public_on()


def test_moving_a_subtree_rewrites_paths_and_rederives_access(make_description):
    open_fonds = make_description("A", level="fonds")
    secret_fonds = make_description("B", level="fonds", access_level=Access.CONFIDENTIAL)
    series = make_description("A-1", level="series", parent=open_fonds)
    item = make_description("A-1-1", level="item", parent=series)

    services.description_move(actor=None, description=series, new_parent=secret_fonds)

    item.refresh_from_db()
    series.refresh_from_db()
    assert item.path == f"/{secret_fonds.pk}/{series.pk}/{item.pk}/"
    assert item.effective_access == Access.CONFIDENTIAL
    assert series.parent == secret_fonds
    entry = AuditEntry.objects.get(action="description.move")
    assert entry.before["parent"] == "A" and entry.after["parent"] == "B"


def test_moving_a_description_below_its_own_descendant_is_refused(make_description):
    fonds = make_description("A", level="fonds")
    series = make_description("A-1", level="series", parent=fonds)
    file = make_description("A-1-1", level="file", parent=series)
    with pytest.raises(ValidationError, match="cycle"):
        services.description_move(actor=None, description=series, new_parent=file)
    series.refresh_from_db()
    assert series.parent == fonds


def test_a_level_cannot_stand_below_a_lower_level(make_description):
    item = make_description("I", level="item")
    with pytest.raises(ValidationError, match="cannot stand below"):
        make_description("I-1", level="series", parent=item)
    assert not Description.objects.filter(reference_code="I-1").exists()


def test_duplicate_reference_code_in_one_archive_is_refused_but_allowed_in_another(
    make_description,
):
    make_description("DUP")
    with pytest.raises(ValidationError):
        make_description("DUP")
    make_description("DUP", archive=ArchiveFactory(slug="suzhou"))
    assert Description.objects.filter(reference_code="DUP").count() == 2


def test_start_year_after_end_year_is_refused(make_description):
    with pytest.raises(ValidationError, match="end year"):
        make_description("Y", start_year=1949, end_year=1927)
    assert not Description.objects.exists()


def test_parent_from_another_archive_is_refused(make_description):
    other = make_description("O", level="fonds", archive=ArchiveFactory(slug="suzhou"))
    with pytest.raises(ValidationError, match="another archive"):
        make_description("X", parent=other)


def test_only_archivists_of_the_archive_edit_its_catalog(nanjing, make_description):
    item = make_description("E-1", "旧标题")
    outsider = UserFactory()
    membership_grant(
        actor=None, archive=ArchiveFactory(slug="suzhou"), user=outsider, role=Role.ARCHIVIST
    )
    reviewer = UserFactory()
    membership_grant(actor=None, archive=nanjing, user=reviewer, role=Role.REVIEWER)
    archivist = UserFactory()
    membership_grant(actor=None, archive=nanjing, user=archivist, role=Role.ARCHIVIST)

    for user in (outsider, reviewer):
        with pytest.raises(ArchivePermissionDenied):
            services.description_update(actor=user, description=item, title="篡改")
    services.description_update(actor=archivist, description=item, title="新标题")

    item.refresh_from_db()
    assert item.title == "新标题"
    entry = AuditEntry.objects.get(action="description.update")
    assert entry.actor == archivist
    assert entry.before == {"title": "旧标题"} and entry.after == {"title": "新标题"}


def test_lists_given_as_text_are_split_on_semicolons(make_description):
    item = make_description("L", subjects="建筑; 民国；名人故居", people=["白崇禧"])
    assert item.subjects == ["建筑", "民国", "名人故居"]
    assert item.people == ["白崇禧"]


def test_deleting_a_description_with_children_is_refused(make_description):
    fonds = make_description("F", level="fonds")
    make_description("F-1", parent=fonds)
    with pytest.raises(ValidationError, match="below it"):
        services.description_delete(actor=None, description=fonds)
    assert Description.objects.count() == 2


def test_deleting_a_public_description_leaves_a_deleted_record(make_description):
    item = make_description("D-1")
    services.description_delete(actor=None, description=item)
    assert DeletedRecord.objects.get().reference_code == "D-1"
    assert AuditEntry.objects.filter(action="description.delete").exists()


def test_confidential_item_is_indistinguishable_from_a_missing_one(nanjing, make_description):
    make_description("S-1", access_level=Access.CONFIDENTIAL)
    with pytest.raises(Description.DoesNotExist):
        selectors.description_get_public(archive=nanjing, reference_code="S-1")
    with pytest.raises(Description.DoesNotExist):
        selectors.description_get_public(archive=nanjing, reference_code="NOPE")


def test_staff_read_needs_a_role_in_the_archive(nanjing, make_description):
    make_description("S-1", access_level=Access.CONFIDENTIAL)
    reviewer = UserFactory()
    membership_grant(actor=None, archive=nanjing, user=reviewer, role=Role.REVIEWER)
    assert (
        selectors.description_get_for_staff(
            user=reviewer, archive=nanjing, reference_code="S-1"
        ).reference_code
        == "S-1"
    )
    with pytest.raises(ArchivePermissionDenied):
        selectors.description_get_for_staff(
            user=UserFactory(), archive=nanjing, reference_code="S-1"
        )


def test_listing_children_of_a_wide_node_takes_a_fixed_number_of_queries(
    make_description, django_assert_max_num_queries
):
    fonds = make_description("W", level="fonds")
    for index in range(30):
        make_description(f"W-{index:02}", parent=fonds)
    with django_assert_max_num_queries(2):
        children = list(selectors.description_children_public(description=fonds))
        [child.archive.slug for child in children]
    assert len(children) == 30
