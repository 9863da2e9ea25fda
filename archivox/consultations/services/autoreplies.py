"""The auto-reply rules staff keep for an archive's WeChat account: created, changed and deleted
(audited); each change clears this process's cache of the rules at once and the other processes'
within ``replies.RULES_CACHE_SECONDS``. Matching them is ``replies``'s and ``rules``'s."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.consultations.models import AutoReplyRule
from archivox.consultations.services.common import may
from archivox.core.models import Archive
from archivox.core.selectors import Capability
from archivox.core.services import audit_record

RULE_FIELDS = (
    "name",
    "match",
    "pattern",
    "priority",
    "kind",
    "text",
    "title",
    "description",
    "url",
    "picurl",
    "max_hits",
    "is_active",
)


def _rules_changed(archive_id: int) -> None:
    from archivox.consultations.replies import rules_cache_clear

    transaction.on_commit(lambda: rules_cache_clear(archive_id))
    rules_cache_clear(archive_id)


@transaction.atomic
def autoreply_rule_create(*, actor: Any, archive: Archive, **values: Any) -> AutoReplyRule:
    may(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    rule = AutoReplyRule(archive=archive, **values)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="autoreply_rule.create",
        obj=rule,
        archive=archive,
        after={name: getattr(rule, name) for name in RULE_FIELDS},
    )
    _rules_changed(archive.pk)
    return rule


@transaction.atomic
def autoreply_rule_update(*, actor: Any, rule: AutoReplyRule, **changes: Any) -> AutoReplyRule:
    from archivox.core.services import changes_apply

    may(user=actor, archive=rule.archive, capability=Capability.ARCHIVE_MANAGE)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    before = changes_apply(rule, changes)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="autoreply_rule.update",
        obj=rule,
        archive=rule.archive,
        before=before,
        after={name: getattr(rule, name) for name in before},
    )
    _rules_changed(rule.archive_id)
    return rule


@transaction.atomic
def autoreply_rule_delete(*, actor: Any, rule: AutoReplyRule) -> None:
    may(user=actor, archive=rule.archive, capability=Capability.ARCHIVE_MANAGE)
    audit_record(actor=actor, action="autoreply_rule.delete", obj=rule, archive=rule.archive)
    archive_id = rule.archive_id
    rule.delete()
    _rules_changed(archive_id)
