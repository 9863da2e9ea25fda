import pytest

from archivox.core import selectors, services
from archivox.core.models import Archive, AuditEntry, Membership, Role
from archivox.core.selectors import ArchivePermissionDenied, Capability
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanjing():
    return ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")


@pytest.fixture
def suzhou():
    return ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")


def grant(archive, role, user=None):
    user = user or UserFactory()
    services.membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


def test_staff_without_a_role_in_an_archive_cannot_change_it(nanjing, suzhou):
    suzhou_admin = grant(suzhou, Role.ADMINISTRATOR)
    entries_before = AuditEntry.objects.count()

    with pytest.raises(ArchivePermissionDenied):
        services.archive_update(actor=suzhou_admin, archive=nanjing, address="Forged address")

    nanjing.refresh_from_db()
    assert nanjing.address == ""
    assert AuditEntry.objects.count() == entries_before


def test_archivist_cannot_manage_the_archive_or_its_staff(nanjing):
    archivist = grant(nanjing, Role.ARCHIVIST)
    with pytest.raises(ArchivePermissionDenied):
        services.archive_update(actor=archivist, archive=nanjing, opening_hours="24/7")
    with pytest.raises(ArchivePermissionDenied):
        services.membership_grant(
            actor=archivist, archive=nanjing, user=archivist, role=Role.ADMINISTRATOR
        )
    assert selectors.user_roles(user=archivist, archive=nanjing) == {Role.ARCHIVIST}


def test_administrator_change_is_audited_with_before_and_after(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)

    services.archive_update(actor=admin, archive=nanjing, opening_hours="周二至周日 9:00-17:00")

    entry = AuditEntry.objects.filter(action="archive.update").get()
    assert entry.actor == admin
    assert entry.actor_label == admin.username
    assert entry.archive == nanjing
    assert entry.object_type == "core.archive"
    assert entry.object_id == str(nanjing.pk)
    assert entry.before == {"opening_hours": ""}
    assert entry.after == {"opening_hours": "周二至周日 9:00-17:00"}
    assert entry.created_at is not None and entry.created_at.tzinfo is not None


def test_update_that_changes_nothing_leaves_no_audit_entry(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    services.archive_update(actor=admin, archive=nanjing, name=nanjing.name)
    assert not AuditEntry.objects.filter(action="archive.update").exists()


def test_unknown_field_is_refused_and_nothing_changes(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    with pytest.raises(ValueError, match="cannot change slug"):
        services.archive_update(actor=admin, archive=nanjing, slug="elsewhere")
    assert Archive.objects.filter(slug="nanjing").exists()


def test_invalid_value_is_refused_and_nothing_is_saved(nanjing):
    from django.core.exceptions import ValidationError

    admin = grant(nanjing, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        services.archive_update(actor=admin, archive=nanjing, level="galaxy")
    nanjing.refresh_from_db()
    assert nanjing.level == Archive.Level.CITY
    assert not AuditEntry.objects.filter(action="archive.update").exists()


def test_administrator_of_a_city_archive_can_add_a_district_archive_below_it(nanjing, suzhou):
    admin = grant(nanjing, Role.ADMINISTRATOR)

    gulou = services.archive_create(
        actor=admin,
        slug="nanjing-gulou",
        name="Gulou District Archives",
        name_zh="鼓楼区档案馆",
        level=Archive.Level.DISTRICT,
        parent=nanjing,
    )
    assert gulou.parent == nanjing
    assert AuditEntry.objects.filter(action="archive.create", archive=gulou, actor=admin).exists()

    with pytest.raises(ArchivePermissionDenied):
        services.archive_create(
            actor=admin, slug="suzhou-gusu", name="Gusu", level="district", parent=suzhou
        )
    with pytest.raises(ArchivePermissionDenied):
        services.archive_create(actor=admin, slug="top", name="Top", level="province")
    assert not Archive.objects.filter(slug__in=["suzhou-gusu", "top"]).exists()


def test_a_user_may_hold_roles_in_several_archives(nanjing, suzhou):
    user = grant(nanjing, Role.ARCHIVIST)
    grant(suzhou, Role.REVIEWER, user=user)
    grant(suzhou, Role.ARCHIVIST, user=user)

    assert selectors.user_can(user=user, archive=nanjing, capability=Capability.CATALOG_EDIT)
    assert not selectors.user_can(user=user, archive=nanjing, capability=Capability.POST_REVIEW)
    assert selectors.user_can(user=user, archive=suzhou, capability=Capability.POST_REVIEW)
    assert set(selectors.archive_list_for_staff(user=user)) == {nanjing, suzhou}


def test_granting_a_role_twice_keeps_one_membership_and_one_audit_entry(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    user = UserFactory()
    services.membership_grant(actor=admin, archive=nanjing, user=user, role=Role.REVIEWER)
    services.membership_grant(actor=admin, archive=nanjing, user=user, role=Role.REVIEWER)
    assert Membership.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="membership.grant", actor=admin).count() == 1


def test_unknown_role_is_refused(nanjing):
    with pytest.raises(ValueError, match="unknown role"):
        services.membership_grant(actor=None, archive=nanjing, user=UserFactory(), role="king")


def test_revoking_a_role_removes_the_capability_and_is_audited(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    reviewer = grant(nanjing, Role.REVIEWER)

    assert services.membership_revoke(
        actor=admin, archive=nanjing, user=reviewer, role=Role.REVIEWER
    )
    assert not selectors.user_can(user=reviewer, archive=nanjing, capability=Capability.POST_REVIEW)
    entry = AuditEntry.objects.get(action="membership.revoke")
    assert entry.before == {"user": reviewer.username, "role": Role.REVIEWER}
    assert not services.membership_revoke(
        actor=admin, archive=nanjing, user=reviewer, role=Role.REVIEWER
    )


def test_revoking_the_last_role_ends_staff_access_but_another_role_keeps_it(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    person = grant(nanjing, Role.REVIEWER)
    services.membership_grant(actor=admin, archive=nanjing, user=person, role=Role.ARCHIVIST)
    services.membership_revoke(actor=admin, archive=nanjing, user=person, role=Role.REVIEWER)
    person.refresh_from_db()
    assert person.is_staff  # still an archivist
    services.membership_revoke(actor=admin, archive=nanjing, user=person, role=Role.ARCHIVIST)
    person.refresh_from_db()
    assert not person.is_staff  # no staff-wide reads (the survey) after the last role


def test_inactive_staff_lose_every_capability(nanjing):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    admin.is_active = False
    admin.save()
    with pytest.raises(ArchivePermissionDenied):
        services.archive_update(actor=admin, archive=nanjing, address="x")


def test_system_changes_are_audited_as_system(nanjing):
    services.archive_update(actor=None, archive=nanjing, address="中山东路309号")
    entry = AuditEntry.objects.get(action="archive.update")
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_audit_log_is_readable_only_by_those_allowed(nanjing, suzhou):
    admin = grant(nanjing, Role.ADMINISTRATOR)
    services.archive_update(actor=admin, archive=nanjing, address="中山东路309号")
    archivist = grant(nanjing, Role.ARCHIVIST)
    outsider = grant(suzhou, Role.ADMINISTRATOR)

    assert [e.action for e in selectors.audit_entry_list(user=admin, archive=nanjing)]
    with pytest.raises(ArchivePermissionDenied):
        selectors.audit_entry_list(user=archivist, archive=nanjing)
    with pytest.raises(ArchivePermissionDenied):
        selectors.audit_entry_list(user=outsider, archive=nanjing)
    assert all(e.archive != nanjing for e in selectors.audit_entry_list(user=outsider))
