"""Registering the repositories an archive harvests, and the harvested collections it shows."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import Archive
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.harvesting.models import Repository, SharedCollection

# Harvesting draws other institutions' records into the installation: the archive's
# administrators decide it, as they decide its accounts.
MANAGE = Capability.ARCHIVE_MANAGE
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


def check_manage(actor: User | None, archive: Archive) -> None:
    """Staff must manage the archive; ``actor=None`` is the system (commands, the demo)."""
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=MANAGE)


def set_specs_parse(text: str) -> list[str]:
    """Set specs as typed: separated by spaces, commas or new lines."""
    return [spec for spec in re.split(r"[\s,，]+", text or "") if spec]


def repository_create(
    *,
    actor: User | None,
    archive: Archive,
    name: str,
    base_url: str,
    metadata_prefix: str = Repository.MetadataPrefix.OAI_DC,
    set_specs: list[str] | str = "",
    schedule: str = Repository.Schedule.DAILY,
) -> Repository:
    check_manage(actor, archive)
    name, base_url = (name or "").strip(), (base_url or "").strip()
    specs = set_specs_parse(set_specs) if isinstance(set_specs, str) else list(set_specs)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the repository a name, as the public should see it.")]
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
        errors["base_url"] = [
            _("The base URL is the repository's OAI-PMH address, http(s)://… without ?verb=.")
        ]
    elif Repository.objects.filter(base_url=base_url, metadata_prefix=metadata_prefix).exists():
        errors["base_url"] = [_("This repository is already registered in this format.")]
    if metadata_prefix not in Repository.MetadataPrefix.values:
        errors["metadata_prefix"] = [_("Choose oai_dc or oai_ead.")]
    if schedule not in Repository.Schedule.values:
        errors["schedule"] = [_("Choose how often to harvest.")]
    bad = [spec for spec in specs if not SET_SPEC.match(spec)]
    if bad:
        errors["set_specs"] = [_("Not a set spec: %s") % ", ".join(bad)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        repository = Repository.objects.create(
            archive=archive,
            name=name[:200],
            base_url=base_url,
            metadata_prefix=metadata_prefix,
            set_specs=specs,
            schedule=schedule,
        )
        audit_record(
            actor=actor,
            action="repository.create",
            obj=repository,
            archive=archive,
            after={"base_url": base_url, "metadata_prefix": metadata_prefix, "sets": specs},
        )
    return repository


def repository_delete(*, actor: User | None, repository: Repository) -> int:
    """Unregister a repository and take its records out of the union catalog."""
    check_manage(actor, repository.archive)
    with transaction.atomic():
        removed = repository.records.count()
        audit_record(
            actor=actor,
            action="repository.delete",
            obj=repository,
            archive=repository.archive,
            before={"base_url": repository.base_url, "records": removed},
        )
        repository.delete()
    return removed


def shared_collection_create(
    *,
    actor: User | None,
    archive: Archive,
    repository: Repository,
    title: str,
    introduction: str = "",
    set_spec: str = "",
    query: str = "",
) -> SharedCollection:
    check_manage(actor, archive)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the collection a title.")]
    set_spec = (set_spec or "").strip()
    if set_spec and not SET_SPEC.match(set_spec):
        errors["set_spec"] = [_("Not a set spec: %s") % set_spec]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        collection = SharedCollection.objects.create(
            archive=archive,
            repository=repository,
            title=title[:200],
            introduction=(introduction or "").strip(),
            set_spec=set_spec,
            query=(query or "").strip()[:200],
            position=SharedCollection.objects.filter(archive=archive).count(),
        )
        audit_record(
            actor=actor,
            action="shared_collection.create",
            obj=collection,
            archive=archive,
            after={"repository": repository.pk, "set": set_spec, "query": collection.query},
        )
    return collection


def shared_collection_delete(*, actor: User | None, collection: SharedCollection) -> None:
    check_manage(actor, collection.archive)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="shared_collection.delete",
            obj=collection,
            archive=collection.archive,
        )
        collection.delete()
