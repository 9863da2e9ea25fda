"""Changes to archives, staff roles and the audit log. Every staff change is audited here."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from archivox.core.audit_labels import SECRET_SET
from archivox.core.fields import EncryptedTextField
from archivox.core.models import (
    ARCHIVE_PROFILE_FIELDS,
    Archive,
    AuditEntry,
    Membership,
    PlatformAccount,
    Region,
    Role,
    User,
    WorkerHeartbeat,
)
from archivox.core.selectors import Capability, archive_check_capability

SYSTEM_ACTOR = "system"


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe summary of ``fields`` of ``instance`` for an audit entry's before/after."""
    summary: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField):
            # Secrets never reach the audit log; only that one was set or changed.
            value = SECRET_SET if value else ""
        elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal | uuid.UUID):
            value = str(value)
        summary[name] = value
    return summary


def changes_apply(instance: models.Model, changes: dict[str, Any]) -> dict[str, Any]:
    """Set ``changes`` on ``instance`` (not saved). Returns the audit summary of the fields that
    really changed, as they were before; empty when nothing changed."""
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    before = snapshot(instance, changed)
    for name in changed:
        setattr(instance, name, changes[name])
    return before


def model_update(
    *,
    actor: User | None,
    instance: models.Model,
    changes: dict[str, Any],
    action: str,
    archive: Archive | None,
    validate: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Set ``changes`` on ``instance``; when any field really changed, validate (``validate``,
    then ``full_clean``), save, and audit the changed fields before and after. Returns the audit
    summary of the changed fields as they were (empty, and nothing saved, when none changed).
    The caller checks permissions and locks the row first."""
    before = changes_apply(instance, changes)
    if not before:
        return before
    if validate is not None:
        validate(instance)
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=action,
        obj=instance,
        archive=archive,
        before=before,
        after=snapshot(instance, before),
    )
    return before


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    archive: Archive | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    on_behalf_of: str = "",
) -> AuditEntry:
    """Record who changed what, where and when. ``actor=None`` means the system did it."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    if actor is not None:
        label = actor.get_username()
    else:
        label = f"{SYSTEM_ACTOR} (for {on_behalf_of})" if on_behalf_of else SYSTEM_ACTOR
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=label,
        archive=archive,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
    )


ARCHIVE_FIELDS = (
    "slug",
    "name",
    "name_zh",
    "level",
    "parent",
    "region",
    "address",
    "opening_hours",
    "website",
    "phone",
    "map_url",
    "transport",
    "is_demo",
)
ARCHIVE_EDITABLE = frozenset(ARCHIVE_FIELDS) - {"slug", "is_demo"}


def _require_installation_admin(actor: User | None, action: str) -> None:
    from archivox.core.selectors import ArchivePermissionDenied

    if actor is None or not (actor.is_active and actor.is_superuser):
        raise ArchivePermissionDenied(actor, None, action)


@transaction.atomic
def archive_create(
    *,
    actor: User | None,
    slug: str,
    name: str,
    level: str,
    name_zh: str = "",
    parent: Archive | None = None,
    region: Region | None = None,
    address: str = "",
    opening_hours: str = "",
    website: str = "",
    phone: str = "",
    map_url: str = "",
    transport: str = "",
    is_demo: bool = False,
) -> Archive:
    """Create an archive. An administrator of the parent archive may add archives below it,
    so a provincial bureau can bring its district and county archives in; otherwise only an
    installation administrator may. ``actor=None`` is the system (loaders)."""
    if actor is not None:
        if parent is not None and not actor.is_superuser:
            archive_check_capability(
                user=actor, archive=parent, capability=Capability.ARCHIVE_MANAGE
            )
        elif parent is None:
            _require_installation_admin(actor, "archive.create")
    archive = Archive(
        slug=slug,
        name=name,
        name_zh=name_zh,
        level=level,
        parent=parent,
        region=region,
        address=address,
        opening_hours=opening_hours,
        website=website,
        phone=phone,
        map_url=map_url,
        transport=transport,
        is_demo=is_demo,
    )
    archive.full_clean()
    archive.save()
    audit_record(
        actor=actor,
        action="archive.create",
        obj=archive,
        archive=archive,
        after=snapshot(archive, ARCHIVE_FIELDS),
    )
    return archive


@transaction.atomic
def archive_update(*, actor: User | None, archive: Archive, **changes: Any) -> Archive:
    """Change an archive's description; only its administrators (or the system) may."""
    unknown = set(changes) - ARCHIVE_EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of an archive")
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    archive = Archive.objects.select_for_update().get(pk=archive.pk)
    model_update(
        actor=actor, instance=archive, changes=changes, action="archive.update", archive=archive
    )
    return archive


def archive_profile_update(*, actor: User | None, archive: Archive, **profile: str) -> Archive:
    """Change what the public reads about visiting the archive (address, hours, telephone,
    website, map link, transport); text is stripped, so a stray space is no change. Refused
    with a ValidationError naming the field (a malformed telephone number or link), nothing
    saved then."""
    unknown = set(profile) - set(ARCHIVE_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not part of an archive's profile: {', '.join(sorted(unknown))}")
    changes = {name: (value or "").strip() for name, value in profile.items()}
    return archive_update(actor=actor, archive=archive, **changes)


@transaction.atomic
def membership_grant(*, actor: User | None, archive: Archive, user: User, role: str) -> Membership:
    """Give ``user`` a role in ``archive``. Granting a role already held changes nothing."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.STAFF_MANAGE)
    membership, created = Membership.objects.get_or_create(user=user, archive=archive, role=role)
    if created:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor,
            action="membership.grant",
            obj=membership,
            archive=archive,
            after={"user": user.get_username(), "role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, archive: Archive, user: User, role: str) -> bool:
    """Take a role away. Returns False when the user did not hold it."""
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.STAFF_MANAGE)
    membership = Membership.objects.filter(user=user, archive=archive, role=role).first()
    if membership is None:
        return False
    audit_record(
        actor=actor,
        action="membership.revoke",
        obj=membership,
        archive=archive,
        before={"user": user.get_username(), "role": role},
    )
    membership.delete()
    if not user.is_superuser and not Membership.objects.filter(user=user).exists():
        # Staff-wide reads (the survey) must end with the person's last role.
        User.objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
    return True


@transaction.atomic
def staff_user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a staff account. Only an installation administrator (or the system) may."""
    if actor is not None:
        _require_installation_admin(actor, "staff.create")
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        is_staff=True,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="staff.create",
        obj=user,
        object_repr=username,
        after={"username": username, "is_superuser": is_superuser},
    )
    return user


_UNAMBIGUOUS_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def password_generate(length: int = 16) -> str:
    """A first password for a new account: random, without look-alike characters."""
    import secrets

    return "".join(secrets.choice(_UNAMBIGUOUS_CHARACTERS) for _ in range(length))


@transaction.atomic
def staff_member_create(
    *,
    actor: User | None,
    archive: Archive,
    username: str,
    role: str,
    email: str = "",
    display_name: str = "",
) -> tuple[User, str]:
    """Create a staff account holding ``role`` in ``archive``, with a generated first password.

    An administrator of the archive may (so a district archive needs no installation
    administrator to add its staff). Returns the user and the password, which is stored only
    hashed: the caller shows it once."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.STAFF_MANAGE)
    password = password_generate()
    user = User(username=username, email=email, display_name=display_name, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="staff.create",
        obj=user,
        archive=archive,
        object_repr=username,
        after={"username": username, "is_superuser": False, "email": email},
    )
    membership_grant(actor=actor, archive=archive, user=user, role=role)
    return user, password


PLATFORM_ACCOUNT_FIELDS = (
    "name",
    "appid",
    "app_secret",
    "token",
    "encoding_aes_key",
    "original_id",
    "wechat_type",
    "message_mode",
    "weibo_uid",
    "weibo_access_token",
    "safe_domain",
    "welcome_text",
    "is_active",
)
PLATFORM_ACCOUNT_SECRETS = frozenset(
    name
    for name in PLATFORM_ACCOUNT_FIELDS
    if isinstance(PlatformAccount._meta.get_field(name), EncryptedTextField)
)


@transaction.atomic
def platform_account_update(
    *,
    actor: User | None,
    archive: Archive,
    platform: str,
    clear_secrets: Iterable[str] = (),
    **changes: Any,
) -> PlatformAccount:
    """Set an archive's account on ``platform`` (created on first use); only its
    administrators may. Secrets are write-only: an empty or missing secret keeps the stored
    one, ``clear_secrets`` names those to erase. The audit entry says a secret changed,
    never what it is."""
    unknown = set(changes) - set(PLATFORM_ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a platform account")
    if platform not in PlatformAccount.Platform.values:
        raise ValueError(f"unknown platform {platform!r}")
    clear_secrets = set(clear_secrets)
    if clear_secrets - PLATFORM_ACCOUNT_SECRETS:
        raise ValueError(
            f"not secrets: {', '.join(sorted(clear_secrets - PLATFORM_ACCOUNT_SECRETS))}"
        )
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    account = (
        PlatformAccount.objects.select_for_update()
        .filter(archive=archive, platform=platform)
        .first()
    )
    created = account is None
    if created:
        account = PlatformAccount(archive=archive, platform=platform)
    changes = {
        name: value
        for name, value in changes.items()
        if name not in PLATFORM_ACCOUNT_SECRETS or value not in (None, "")
    }
    changes.update({name: "" for name in clear_secrets})
    before = changes_apply(account, changes)
    if not before and not created:
        return account
    account.full_clean()
    account.save()
    audit_record(
        actor=actor,
        action="platform_account.create" if created else "platform_account.update",
        obj=account,
        archive=archive,
        before=None if created else before,
        after=snapshot(account, PLATFORM_ACCOUNT_FIELDS if created else list(before)),
    )
    return account


def worker_heartbeat_record(*, name: str = "huey") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
