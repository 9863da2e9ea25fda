"""Reads of archives, roles and the audit log, and the permission policy staff services rely on."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from archivox.core.models import (
    Archive,
    AuditEntry,
    Membership,
    PlatformAccount,
    Region,
    Role,
    User,
    WorkerHeartbeat,
)


class Capability:
    """What a role lets a staff member do in one archive."""

    CATALOG_EDIT = "catalog.edit"
    CATALOG_VIEW_CLOSED = "catalog.view_closed"
    POST_COMPOSE = "publishing.compose"
    POST_REVIEW = "publishing.review"
    CONSULTATION_ANSWER = "engagement.answer"
    ARCHIVE_MANAGE = "archive.manage"
    STAFF_MANAGE = "staff.manage"
    AUDIT_VIEW = "audit.view"
    SCREENING_MANAGE = "screening.manage"  # the archive's sensitive-word list
    SURVEY_VIEW_OWN = "survey.view_own"  # the survey's diagnosis of this archive (every role)


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ARCHIVIST: frozenset(
        {
            Capability.CATALOG_EDIT,
            Capability.CATALOG_VIEW_CLOSED,
            Capability.POST_COMPOSE,
            Capability.CONSULTATION_ANSWER,
            Capability.SURVEY_VIEW_OWN,
        }
    ),
    Role.REVIEWER: frozenset(
        {
            Capability.CATALOG_VIEW_CLOSED,
            Capability.POST_REVIEW,
            Capability.CONSULTATION_ANSWER,
            Capability.AUDIT_VIEW,
            Capability.SURVEY_VIEW_OWN,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Capability.CATALOG_EDIT,
            Capability.CATALOG_VIEW_CLOSED,
            Capability.POST_COMPOSE,
            Capability.POST_REVIEW,
            Capability.CONSULTATION_ANSWER,
            Capability.ARCHIVE_MANAGE,
            Capability.STAFF_MANAGE,
            Capability.AUDIT_VIEW,
            Capability.SCREENING_MANAGE,
            Capability.SURVEY_VIEW_OWN,
        }
    ),
}


class ArchivePermissionDenied(PermissionDenied):
    """A staff member tried something their roles in that archive do not allow."""

    def __init__(self, user: User | None, archive: Archive | None, capability: str) -> None:
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        where = archive.slug if archive is not None else "this installation"
        super().__init__(f"{who} may not {capability} in {where}")
        self.capability = capability


def user_roles(*, user: User, archive: Archive) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(Membership.objects.filter(user=user, archive=archive).values_list("role", flat=True))


def user_capabilities(*, user: User, archive: Archive) -> frozenset[str]:
    if user.is_authenticated and user.is_active and user.is_superuser:
        return frozenset().union(*ROLE_CAPABILITIES.values())
    capabilities: set[str] = set()
    for role in user_roles(user=user, archive=archive):
        capabilities |= ROLE_CAPABILITIES[role]
    return frozenset(capabilities)


def user_can(*, user: User, archive: Archive, capability: str) -> bool:
    return capability in user_capabilities(user=user, archive=archive)


def archive_check_capability(*, user: User | None, archive: Archive, capability: str) -> None:
    """Raise ArchivePermissionDenied unless ``user`` may do ``capability`` in ``archive``."""
    if user is None or not user_can(user=user, archive=archive, capability=capability):
        raise ArchivePermissionDenied(user, archive, capability)


def archive_list() -> QuerySet[Archive]:
    return Archive.objects.select_related("region", "parent").order_by("region__tier", "slug")


def archive_get(*, slug: str) -> Archive:
    return Archive.objects.select_related("region", "parent").get(slug=slug)


def archive_list_for_staff(*, user: User) -> QuerySet[Archive]:
    """The archives a staff member holds any role in (all of them for a superuser)."""
    if user.is_superuser:
        return archive_list()
    return archive_list().filter(memberships__user=user).distinct()


def archives_by_region() -> list[tuple[Region | None, list[Archive]]]:
    """Archives grouped under their region, regions in the order of the paper's tiers."""
    groups: dict[int | None, tuple[Region | None, list[Archive]]] = {}
    for archive in archive_list():
        key = archive.region_id
        groups.setdefault(key, (archive.region, []))[1].append(archive)
    return sorted(
        groups.values(),
        key=lambda group: (
            group[0] is None,
            group[0].tier or 99 if group[0] else 99,
            group[0].code if group[0] else "",
        ),
    )


def user_role_labels_by_archive(*, user: User) -> dict[int, list[str]]:
    """The display names of the user's roles, keyed by archive id."""
    labels: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(user=user).order_by("role"):
        labels.setdefault(membership.archive_id, []).append(str(membership.get_role_display()))
    return labels


def membership_list(*, archive: Archive) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(archive=archive)
        .select_related("user")
        .order_by("user__username", "role")
    )


def audit_entry_list(
    *,
    user: User,
    archive: Archive | None = None,
    limit: int | None = 200,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries the user may read: of one archive, or of every archive they audit.

    Filters: ``actor`` (part of the actor's name), ``action`` and ``object_type`` (a prefix,
    so "description." finds every description change), a date range (both ends included, in
    the installation's time zone). ``limit=None`` leaves the slicing to a paginator."""
    entries = AuditEntry.objects.select_related("archive", "actor")
    if archive is not None:
        archive_check_capability(user=user, archive=archive, capability=Capability.AUDIT_VIEW)
        entries = entries.filter(archive=archive)
    elif not user.is_superuser:
        readable = _archives_with_capability(user, Capability.AUDIT_VIEW)
        entries = entries.filter(archive__in=readable)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if object_type:
        entries = entries.filter(object_type__startswith=object_type)
    if date_from is not None:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to is not None:
        entries = entries.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return entries if limit is None else entries[:limit]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def archive_list_with_capability(*, user: User, capability: str) -> list[Archive]:
    """The archives in which ``user`` may do ``capability`` (every archive for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(archive_list())
    return list(archive_list().filter(pk__in=_archives_with_capability(user, capability)))


def staff_member_list(*, user: User, archive: Archive) -> QuerySet[Membership]:
    """The roles held in ``archive``, for those who manage its staff."""
    archive_check_capability(user=user, archive=archive, capability=Capability.STAFF_MANAGE)
    return membership_list(archive=archive)


def platform_account_list_for_admin(
    *, user: User, archive: Archive
) -> dict[str, PlatformAccount | None]:
    """The archive's account on each platform (None where there is none yet), for its
    administrators. Secrets must be shown only through ``mask_secret``."""
    archive_check_capability(user=user, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    accounts = {account.platform: account for account in archive.platform_accounts.all()}
    return {platform: accounts.get(platform) for platform in PlatformAccount.Platform.values}


def staff_with_capability(*, archive: Archive, capabilities: Iterable[str]) -> QuerySet[User]:
    """The active staff whose roles in ``archive`` give any of ``capabilities`` (who is told
    when something there needs them)."""
    wanted = set(capabilities)
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if caps & wanted]
    return (
        User.objects.filter(
            is_active=True, memberships__archive=archive, memberships__role__in=roles
        )
        .distinct()
        .order_by("pk")
    )


def _archives_with_capability(user: User, capability: str) -> Iterable[int]:
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    return Membership.objects.filter(user=user, role__in=roles).values_list("archive_id", flat=True)


def worker_last_seen(name: str = "huey") -> datetime.datetime | None:
    heartbeat = WorkerHeartbeat.objects.filter(name=name).first()
    return heartbeat.seen_at if heartbeat else None


def user_capabilities_by_archive(
    *, user: User, archives: Iterable[Archive]
) -> dict[int, frozenset[str]]:
    """What the user may do in each of ``archives``, in one query (the console dashboard)."""
    archive_ids = [archive.pk for archive in archives]
    if not user.is_authenticated or not user.is_active:
        return {pk: frozenset() for pk in archive_ids}
    if user.is_superuser:
        everything = frozenset().union(*ROLE_CAPABILITIES.values())
        return {pk: everything for pk in archive_ids}
    capabilities: dict[int, set[str]] = {pk: set() for pk in archive_ids}
    for archive_id, role in Membership.objects.filter(
        user=user, archive_id__in=archive_ids
    ).values_list("archive_id", "role"):
        capabilities[archive_id] |= ROLE_CAPABILITIES[role]
    return {pk: frozenset(caps) for pk, caps in capabilities.items()}


def user_get_by_username(*, username: str) -> User:
    return User.objects.get(username=username)


def archive_ids_without_platform_account(*, archives: Iterable[Archive], platform: str) -> set[int]:
    """Which of ``archives`` have no active account on ``platform`` yet."""
    archive_ids = {archive.pk for archive in archives}
    configured = PlatformAccount.objects.filter(
        archive_id__in=archive_ids, platform=platform, is_active=True
    ).values_list("archive_id", flat=True)
    return archive_ids - set(configured)
