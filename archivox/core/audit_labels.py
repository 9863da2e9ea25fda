"""What an audit entry says in the reader's language: every action code the services record
(``noun.verb``) has a label here, lazily translated; an unknown code is named by its noun and
verb when those are known ("Post: deleted"), else shown as another change. Labels only: no
database, no other app imported (core is the lowest layer)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

AUDIT_ACTION_LABELS: dict[str, Any] = {
    "admin.add": pgettext_lazy("audit action", "Added in the administration site"),
    "admin.change": pgettext_lazy("audit action", "Changed in the administration site"),
    "admin.delete": pgettext_lazy("audit action", "Deleted in the administration site"),
    "archive.create": pgettext_lazy("audit action", "Archive created"),
    "archive.update": pgettext_lazy("audit action", "Archive details changed"),
    "autoreply_rule.create": pgettext_lazy("audit action", "Auto-reply rule created"),
    "autoreply_rule.delete": pgettext_lazy("audit action", "Auto-reply rule deleted"),
    "autoreply_rule.update": pgettext_lazy("audit action", "Auto-reply rule changed"),
    "booking.cancel": pgettext_lazy("audit action", "Booking cancelled"),
    "booking.check_in": pgettext_lazy("audit action", "Visitor checked in"),
    "campaign.create": pgettext_lazy("audit action", "Collecting campaign created"),
    "campaign.update": pgettext_lazy("audit action", "Collecting campaign changed"),
    "canned_answer.create": pgettext_lazy("audit action", "Canned answer created"),
    "canned_answer.delete": pgettext_lazy("audit action", "Canned answer deleted"),
    "catalog.import": pgettext_lazy("audit action", "Catalog imported"),
    "certified_copy.revoke": pgettext_lazy("audit action", "Certified copy revoked"),
    "closure.add": pgettext_lazy("audit action", "Closure day added"),
    "closure.remove": pgettext_lazy("audit action", "Closure day removed"),
    "collection.create": pgettext_lazy("audit action", "Featured collection created"),
    "collection.set_entries": pgettext_lazy("audit action", "Featured collection's items set"),
    "collection.update": pgettext_lazy("audit action", "Featured collection changed"),
    "comment.approve": pgettext_lazy("audit action", "Comment approved"),
    "comment.hide": pgettext_lazy("audit action", "Comment hidden"),
    "consultation.answer": pgettext_lazy("audit action", "Question answered"),
    "consultation.assign": pgettext_lazy("audit action", "Question assigned"),
    "consultation.close": pgettext_lazy("audit action", "Question closed"),
    "consultation.email_set": pgettext_lazy("audit action", "Asker's e-mail recorded"),
    "consultation.note": pgettext_lazy("audit action", "Internal note added"),
    "consultation.tag": pgettext_lazy("audit action", "Question tagged"),
    "current_document.amend": pgettext_lazy("audit action", "Current document amended"),
    "current_document.create": pgettext_lazy("audit action", "Current document created"),
    "current_document.publish": pgettext_lazy("audit action", "Current document published"),
    "current_document.repeal": pgettext_lazy("audit action", "Current document repealed"),
    "delivery.failed": pgettext_lazy("audit action", "Delivery failed"),
    "delivery.retry": pgettext_lazy("audit action", "Delivery retried"),
    "delivery.sent": pgettext_lazy("audit action", "Delivered"),
    "delivery.withdraw": pgettext_lazy("audit action", "Delivery withdrawn"),
    "description.create": pgettext_lazy("audit action", "Description created"),
    "description.delete": pgettext_lazy("audit action", "Description deleted"),
    "description.move": pgettext_lazy("audit action", "Description moved"),
    "description.update": pgettext_lazy("audit action", "Description changed"),
    "digital_object.add": pgettext_lazy("audit action", "Image or file added"),
    "digital_object.delete": pgettext_lazy("audit action", "Image or file deleted"),
    "discussion_settings.update": pgettext_lazy("audit action", "Discussion settings changed"),
    "event.cancel": pgettext_lazy("audit action", "Event cancelled"),
    "event.create": pgettext_lazy("audit action", "Event created"),
    "event.publish": pgettext_lazy("audit action", "Event published"),
    "event.update": pgettext_lazy("audit action", "Event changed"),
    "exhibition.create": pgettext_lazy("audit action", "Exhibition created"),
    "exhibition.publish": pgettext_lazy("audit action", "Exhibition published"),
    "exhibition.update": pgettext_lazy("audit action", "Exhibition changed"),
    "exhibition_item.add": pgettext_lazy("audit action", "Exhibit added"),
    "exhibition_item.remove": pgettext_lazy("audit action", "Exhibit removed"),
    "harvest.start": pgettext_lazy("audit action", "Harvest started"),
    "holiday.set": pgettext_lazy("audit action", "Holidays set"),
    "inbox_settings.update": pgettext_lazy("audit action", "Inbox settings changed"),
    "institution.create": pgettext_lazy("audit action", "Institution created"),
    "interest_label.create": pgettext_lazy("audit action", "Interest label created"),
    "membership.grant": pgettext_lazy("audit action", "Role granted"),
    "membership.revoke": pgettext_lazy("audit action", "Role revoked"),
    "offer.accept": pgettext_lazy("audit action", "Offer accepted"),
    "offer.accession": pgettext_lazy("audit action", "Offer accessioned"),
    "offer.ask": pgettext_lazy("audit action", "More asked of the giver"),
    "offer.decline": pgettext_lazy("audit action", "Offer declined"),
    "offer.reply": pgettext_lazy("audit action", "Giver replied"),
    "offer.submit": pgettext_lazy("audit action", "Offer submitted"),
    "opening_hours.set": pgettext_lazy("audit action", "Opening hours set"),
    "platform_account.create": pgettext_lazy("audit action", "Platform account set up"),
    "platform_account.sandbox_provision": pgettext_lazy("audit action", "Sandbox account set up"),
    "platform_account.update": pgettext_lazy("audit action", "Platform account changed"),
    "notification_template.remove": pgettext_lazy("audit action", "Notification template removed"),
    "notification_template.set": pgettext_lazy("audit action", "Notification template set"),
    "post.approve": pgettext_lazy("audit action", "Post approved"),
    "post.comment": pgettext_lazy("audit action", "Review comment added"),
    "post.correct": pgettext_lazy("audit action", "Post corrected"),
    "post.cover": pgettext_lazy("audit action", "Cover image set"),
    "post.cover_crop": pgettext_lazy("audit action", "Cover cropped"),
    "post.create": pgettext_lazy("audit action", "Post created"),
    "post.delete": pgettext_lazy("audit action", "Post deleted"),
    "post.publish": pgettext_lazy("audit action", "Post published"),
    "post.queue": pgettext_lazy("audit action", "Post queued for sending"),
    "post.refuse": pgettext_lazy("audit action", "Sending refused"),
    "post.request_changes": pgettext_lazy("audit action", "Changes requested"),
    "post.schedule": pgettext_lazy("audit action", "Post scheduled"),
    "post.screening_override": pgettext_lazy("audit action", "Screening warning overridden"),
    "post.submit": pgettext_lazy("audit action", "Post submitted for review"),
    "post.unschedule": pgettext_lazy("audit action", "Schedule cancelled"),
    "post.update": pgettext_lazy("audit action", "Post changed"),
    "post.withdraw": pgettext_lazy("audit action", "Post withdrawn"),
    "poster.create": pgettext_lazy("audit action", "Poster created"),
    "poster_style.update": pgettext_lazy("audit action", "Poster template changed"),
    "publishing_settings.update": pgettext_lazy("audit action", "Publishing settings changed"),
    "question.add": pgettext_lazy("audit action", "Question added"),
    "question.remove": pgettext_lazy("audit action", "Question removed"),
    "questionnaire.create": pgettext_lazy("audit action", "Questionnaire created"),
    "questionnaire.update": pgettext_lazy("audit action", "Questionnaire changed"),
    "recall.close": pgettext_lazy("audit action", "Recall closed"),
    "recall.open": pgettext_lazy("audit action", "Recall opened"),
    "recall_copy.withdraw": pgettext_lazy("audit action", "Copy withdrawn"),
    "recall_copy.withdraw_failed": pgettext_lazy("audit action", "Copy withdrawal failed"),
    "recall_copy.withdrawn": pgettext_lazy("audit action", "Copy confirmed withdrawn"),
    "records_request.claim": pgettext_lazy("audit action", "Records request taken on"),
    "records_request.close": pgettext_lazy("audit action", "Records request closed"),
    "records_request.forward": pgettext_lazy("audit action", "Records request forwarded"),
    "records_request.issue": pgettext_lazy("audit action", "Certified copy issued"),
    "records_request.link": pgettext_lazy(
        "audit action", "Description linked to the records request"
    ),
    "records_request.release": pgettext_lazy("audit action", "Copy passed on to the applicant"),
    "records_request.result": pgettext_lazy("audit action", "Search result recorded"),
    "records_request.submit": pgettext_lazy("audit action", "Records request submitted"),
    "records_request.supplement": pgettext_lazy("audit action", "Records request supplemented"),
    "records_request.verify": pgettext_lazy("audit action", "Records request verified"),
    "repository.create": pgettext_lazy("audit action", "Repository added"),
    "repository.delete": pgettext_lazy("audit action", "Repository removed"),
    "request_kind.save": pgettext_lazy("audit action", "Request kind saved"),
    "resource.create": pgettext_lazy("audit action", "Room or hall created"),
    "resource.update": pgettext_lazy("audit action", "Room or hall changed"),
    "section.add": pgettext_lazy("audit action", "Section added"),
    "section.remove": pgettext_lazy("audit action", "Section removed"),
    "section.reorder": pgettext_lazy("audit action", "Sections reordered"),
    "section.update": pgettext_lazy("audit action", "Section changed"),
    "sensitive_word.add": pgettext_lazy("audit action", "Sensitive word added"),
    "sensitive_word.remove": pgettext_lazy("audit action", "Sensitive word removed"),
    "sensitive_words.set": pgettext_lazy("audit action", "Sensitive words set"),
    "share_defaults.update": pgettext_lazy("audit action", "Share card defaults changed"),
    "shared_collection.create": pgettext_lazy("audit action", "Shared collection created"),
    "shared_collection.delete": pgettext_lazy("audit action", "Shared collection deleted"),
    "staff.create": pgettext_lazy("audit action", "Staff account created"),
    "survey.create": pgettext_lazy("audit action", "Survey created"),
    "survey.import": pgettext_lazy("audit action", "Survey data imported"),
    "survey.load": pgettext_lazy("audit action", "Survey data loaded"),
    "survey.update": pgettext_lazy("audit action", "Survey changed"),
    "survey_account.create": pgettext_lazy("audit action", "Monitored account added"),
    "topic.create": pgettext_lazy("audit action", "Topic created"),
    "topic.update": pgettext_lazy("audit action", "Topic changed"),
    "topic_item.add": pgettext_lazy("audit action", "Item linked to a topic"),
    "topic_item.remove": pgettext_lazy("audit action", "Item unlinked from a topic"),
    "two_factor.disable": pgettext_lazy("audit action", "Two-step login turned off"),
    "two_factor.enable": pgettext_lazy("audit action", "Two-step login turned on"),
    "wechat_menu.check": pgettext_lazy("audit action", "WeChat menu checked"),
    "wechat_menu.publish": pgettext_lazy("audit action", "WeChat menu published"),
    "wechat_menu.refuse": pgettext_lazy("audit action", "WeChat menu refused"),
    "wechat_menu.return": pgettext_lazy("audit action", "WeChat menu returned for changes"),
    "wechat_menu.save": pgettext_lazy("audit action", "WeChat menu saved"),
    "wechat_menu.submit": pgettext_lazy("audit action", "WeChat menu submitted for review"),
    "exhibitions.event_unpublish": pgettext_lazy("audit action", "Event unpublished"),
    "exhibitions.exhibition_unpublish": pgettext_lazy("audit action", "Exhibition unpublished"),
    "recall.update": pgettext_lazy("audit action", "Recall updated"),
    "sensitive_word.change": pgettext_lazy("audit action", "Sensitive word changed"),
}

# For a code recorded by a newer or older version than this one.
AUDIT_NOUNS: dict[str, Any] = {
    "admin": pgettext_lazy("audit noun", "Administration site"),
    "archive": pgettext_lazy("audit noun", "Archive"),
    "booking": pgettext_lazy("audit noun", "Booking"),
    "campaign": pgettext_lazy("audit noun", "Collecting campaign"),
    "catalog": pgettext_lazy("audit noun", "Catalog"),
    "collection": pgettext_lazy("audit noun", "Featured collection"),
    "comment": pgettext_lazy("audit noun", "Comment"),
    "consultation": pgettext_lazy("audit noun", "Question"),
    "current_document": pgettext_lazy("audit noun", "Current document"),
    "delivery": pgettext_lazy("audit noun", "Delivery"),
    "description": pgettext_lazy("audit noun", "Description"),
    "digital_object": pgettext_lazy("audit noun", "Image or file"),
    "event": pgettext_lazy("audit noun", "Event"),
    "exhibition": pgettext_lazy("audit noun", "Exhibition"),
    "membership": pgettext_lazy("audit noun", "Role"),
    "notification_template": pgettext_lazy("audit noun", "Notification template"),
    "offer": pgettext_lazy("audit noun", "Offer"),
    "platform_account": pgettext_lazy("audit noun", "Platform account"),
    "post": pgettext_lazy("audit noun", "Post"),
    "poster": pgettext_lazy("audit noun", "Poster"),
    "poster_style": pgettext_lazy("audit noun", "Poster template"),
    "questionnaire": pgettext_lazy("audit noun", "Questionnaire"),
    "recall": pgettext_lazy("audit noun", "Recall"),
    "records_request": pgettext_lazy("audit noun", "Records request"),
    "repository": pgettext_lazy("audit noun", "Repository"),
    "resource": pgettext_lazy("audit noun", "Room or hall"),
    "section": pgettext_lazy("audit noun", "Exhibition section"),
    "survey": pgettext_lazy("audit noun", "Survey"),
    "topic": pgettext_lazy("audit noun", "Topic"),
    "two_factor": pgettext_lazy("audit noun", "Two-step login"),
    "wechat_menu": pgettext_lazy("audit noun", "WeChat menu"),
    "staff": pgettext_lazy("audit noun", "Staff account"),
}
AUDIT_VERBS: dict[str, Any] = {
    "create": pgettext_lazy("audit verb", "created"),
    "update": pgettext_lazy("audit verb", "changed"),
    "delete": pgettext_lazy("audit verb", "deleted"),
    "add": pgettext_lazy("audit verb", "added"),
    "remove": pgettext_lazy("audit verb", "removed"),
    "publish": pgettext_lazy("audit verb", "published"),
    "set": pgettext_lazy("audit verb", "set"),
    "save": pgettext_lazy("audit verb", "saved"),
    "submit": pgettext_lazy("audit verb", "submitted"),
    "approve": pgettext_lazy("audit verb", "approved"),
    "cancel": pgettext_lazy("audit verb", "cancelled"),
    "close": pgettext_lazy("audit verb", "closed"),
    "open": pgettext_lazy("audit verb", "opened"),
    "withdraw": pgettext_lazy("audit verb", "withdrawn"),
    "import": pgettext_lazy("audit verb", "imported"),
}


def audit_action_register(labels: dict[str, Any]) -> None:
    """Add the labels of actions an app records (called from its ``AppConfig.ready``)."""
    AUDIT_ACTION_LABELS.update(labels)


def audit_action_label(code: str) -> tuple[str, bool]:
    """The label of ``code``, and whether it was known: an unknown code's label is composed
    from its noun and verb, or says it is another change (the caller may show the code)."""
    label = AUDIT_ACTION_LABELS.get(code)
    if label is not None:
        return str(label), True
    noun, _dot, verb = (code or "").partition(".")
    if noun in AUDIT_NOUNS:
        what = AUDIT_VERBS.get(verb.rpartition(".")[2])
        if what is not None:
            return str(_("%(noun)s: %(verb)s") % {"noun": AUDIT_NOUNS[noun], "verb": what}), False
        return str(_("%(noun)s: another change") % {"noun": AUDIT_NOUNS[noun]}), False
    return str(_("Another change")), False


def audit_action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every known action as (code, label) for a filter, grouped by what it acts on; a group
    begins with its prefix (``post.``: every action on posts)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    others: list[tuple[str, str]] = []
    for code, label in AUDIT_ACTION_LABELS.items():
        noun = code.partition(".")[0]
        if noun in AUDIT_NOUNS:
            groups.setdefault(noun, []).append((code, str(label)))
        else:
            others.append((code, str(label)))
    choices = []
    for noun, actions in sorted(groups.items(), key=lambda group: str(AUDIT_NOUNS[group[0]])):
        every = str(_("All: %(noun)s") % {"noun": AUDIT_NOUNS[noun]})
        choices.append((str(AUDIT_NOUNS[noun]), [(f"{noun}.", every), *sorted(actions)]))
    if others:
        choices.append((str(_("Other actions")), sorted(others, key=lambda row: row[1])))
    return choices


# -- what an entry changed ------------------------------------------------------------------

SECRET_SET = "(secret set)"  # noqa: S105 - the mark core.services.snapshot records

# Labels of stored values whose field has no choices (a list of channel names), by
# (object type, key); an app registers its own from ``AppConfig.ready``.
AUDIT_VALUE_LABELS: dict[tuple[str, str], dict[str, Any]] = {}

# Keys an entry records that are no field of its model (a review's level, a reason, a count),
# by name: the change is labelled by the field's verbose name first, then here.
AUDIT_KEY_LABELS: dict[str, Any] = {
    "access": pgettext_lazy("audit field", "Access level"),
    "accounts_created": pgettext_lazy("audit field", "Accounts created"),
    "accounts_updated": pgettext_lazy("audit field", "Accounts updated"),
    "added": pgettext_lazy("audit field", "Added"),
    "announcement": pgettext_lazy("audit field", "Announcement"),
    "assignee": pgettext_lazy("audit field", "Assigned to"),
    "attempt": pgettext_lazy("audit field", "Attempt"),
    "background": pgettext_lazy("audit field", "Background colour"),
    "base_url": pgettext_lazy("audit field", "Address"),
    "box": pgettext_lazy("audit field", "Crop"),
    "by_number": pgettext_lazy("audit field", "By document number"),
    "campaign": pgettext_lazy("audit field", "Collecting campaign"),
    "category": pgettext_lazy("audit field", "Category"),
    "changed": pgettext_lazy("audit field", "Changed"),
    "channel": pgettext_lazy("audit field", "Channel"),
    "channels": pgettext_lazy("audit field", "Channels"),
    "code": pgettext_lazy("audit field", "Code"),
    "colour": pgettext_lazy("audit field", "Colour"),
    "copies": pgettext_lazy("audit field", "Copies"),
    "count": pgettext_lazy("audit field", "Count"),
    "created": pgettext_lazy("audit field", "Created"),
    "description": pgettext_lazy("audit field", "Catalog item"),
    "doc_number": pgettext_lazy("audit field", "Document number"),
    "email": pgettext_lazy("audit field", "E-mail"),
    "entries": pgettext_lazy("audit field", "Entries"),
    "error": pgettext_lazy("audit field", "Error"),
    "file": pgettext_lazy("audit field", "File"),
    "files": pgettext_lazy("audit field", "Files"),
    "finding": pgettext_lazy("audit field", "Finding"),
    "flood_per_minute": pgettext_lazy("audit field", "Messages a minute before flood control"),
    "full": pgettext_lazy("audit field", "Full harvest"),
    "holding": pgettext_lazy("audit field", "Holding archive"),
    "image_url": pgettext_lazy("audit field", "Image"),
    "institutions_created": pgettext_lazy("audit field", "Institutions created"),
    "is_superuser": pgettext_lazy("audit field", "Installation superuser"),
    "issuer": pgettext_lazy("audit field", "Issuer"),
    "items": pgettext_lazy("audit field", "Items"),
    "level": pgettext_lazy("audit field", "Review level"),
    "levels": pgettext_lazy("audit field", "Levels of review"),
    "logo": pgettext_lazy("audit field", "Logo"),
    "matches": pgettext_lazy("audit field", "Live matches"),
    "media_type": pgettext_lazy("audit field", "Media type"),
    "menu": pgettext_lazy("audit field", "Menu"),
    "message": pgettext_lazy("audit field", "Message"),
    "metadata_prefix": pgettext_lazy("audit field", "Metadata format"),
    "name": pgettext_lazy("audit field", "Name"),
    "note": pgettext_lazy("audit field", "Note"),
    "options": pgettext_lazy("audit field", "Options"),
    "order": pgettext_lazy("audit field", "Order"),
    "parent": pgettext_lazy("audit field", "Parent"),
    "periods": pgettext_lazy("audit field", "Periods"),
    "person_email": pgettext_lazy("audit field", "Asker's e-mail"),
    "position": pgettext_lazy("audit field", "Position"),
    "posts": pgettext_lazy("audit field", "Posts"),
    "promise_working_days": pgettext_lazy("audit field", "Promised answer (working days)"),
    "query": pgettext_lazy("audit field", "Search"),
    "questionnaire": pgettext_lazy("audit field", "Questionnaire"),
    "ratio": pgettext_lazy("audit field", "Aspect ratio"),
    "reason": pgettext_lazy("audit field", "Reason"),
    "records": pgettext_lazy("audit field", "Records"),
    "reference_code": pgettext_lazy("audit field", "Reference code"),
    "regions": pgettext_lazy("audit field", "Regions"),
    "remote_id": pgettext_lazy("audit field", "Platform id"),
    "repository": pgettext_lazy("audit field", "Repository"),
    "role": pgettext_lazy("audit field", "Role"),
    "run": pgettext_lazy("audit field", "Harvest run"),
    "scheduled_for": pgettext_lazy("audit field", "Scheduled for"),
    "section": pgettext_lazy("audit field", "Section"),
    "set": pgettext_lazy("audit field", "Set"),
    "sets": pgettext_lazy("audit field", "Sets"),
    "severity": pgettext_lazy("audit field", "Severity"),
    "sha256": pgettext_lazy("audit field", "SHA-256 checksum"),
    "size": pgettext_lazy("audit field", "Size"),
    "slug": pgettext_lazy("audit field", "Short name"),
    "snapshots": pgettext_lazy("audit field", "Snapshots"),
    "source": pgettext_lazy("audit field", "Source"),
    "state": pgettext_lazy("audit field", "Sending state"),
    "status": pgettext_lazy("audit field", "Status"),
    "survey": pgettext_lazy("audit field", "Survey"),
    "tags": pgettext_lazy("audit field", "Tags"),
    "target": pgettext_lazy("audit field", "Link target"),
    "title": pgettext_lazy("audit field", "Title"),
    "two_factor": pgettext_lazy("audit field", "Two-step login"),
    "updated": pgettext_lazy("audit field", "Updated"),
    "user": pgettext_lazy("audit field", "User"),
    "username": pgettext_lazy("audit field", "User name"),
    "validity": pgettext_lazy("audit field", "Validity"),
    "via": pgettext_lazy("audit field", "Answered through"),
    "warnings": pgettext_lazy("audit field", "Screening warnings"),
    "was": pgettext_lazy("audit field", "Before"),
    "withdrawn": pgettext_lazy("audit field", "Withdrawn"),
    "word": pgettext_lazy("audit field", "Word"),
}

# Objects whose name is a file name (an identifier, not words of the interface).
FILE_NAMED = frozenset({"catalog.digitalobject"})


def audit_value_labels_register(object_type: str, key: str, labels: dict[str, Any]) -> None:
    """Name the stored values of ``key`` of ``object_type`` entries (called from an app's
    ``AppConfig.ready``)."""
    AUDIT_VALUE_LABELS[(object_type, key)] = labels


def audit_model_label(object_type: str) -> str:
    """The model's name (its verbose_name) for ``app_label.model``; "" when no model is
    installed under that name (an entry older than a removed model)."""
    model = _model(object_type)
    return _translated(model._meta.verbose_name) if model is not None else ""


def _translated(name: Any) -> str:
    # A name Django made up from the code (no verbose_name given) is English whatever the
    # language; only a lazily translated one is shown.
    return str(name) if isinstance(name, Promise) else ""


def _model(object_type: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except LookupError:
        return None


def _field(model: Any, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a reverse relation without a verbose name
        return None


def audit_value_text(field: Any, value: Any, labels: dict[str, Any] | None = None) -> str:
    """A stored before/after value as a person reads it: a choice by its label (the field's,
    or ``labels``), yes/no, a secret as "set", a list joined; "" for nothing."""
    if value is None or value == "" or value == []:
        return ""
    if value == SECRET_SET:
        return str(_("(set, not shown)"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices or labels:
        labels = labels or {str(key): label for key, label in choices}
        if isinstance(value, list):
            return "、".join(str(labels.get(str(item), item)) for item in value)
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


# Values that are identifiers (shown as code) rather than words of the interface.
IDENTIFIER_KEYS = frozenset({"slug", "reference_code", "sha256", "remote_id", "appid", "key"})


def _value_kind(model: Any, field: Any, name: str) -> str:
    from django.db import models

    # A field kept in English on purpose: a title's English edition, or the name beside its
    # Chinese one (``name`` and ``name_zh``).
    if name.endswith("_en") or (name.isidentifier() and _field(model, f"{name}_zh")):
        return "en"
    if name in IDENTIFIER_KEYS or isinstance(field, models.SlugField | models.URLField):
        return "code"
    return "text"


def audit_change_rows(entry: Any) -> list[dict[str, Any]]:
    """An entry's before/after as rows: the field's label (its verbose_name, else the key's
    in ``AUDIT_KEY_LABELS``; "" when neither names it, the caller then shows the key as
    recorded) and both values as text. ``kind`` says how to show them: ``structured`` (a
    mapping or a list of mappings, shown as recorded), ``code`` (an identifier), ``en``
    (English on purpose) or ``text``."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    model = _model(entry.object_type)
    rows = []
    for name in dict.fromkeys([*before, *after]):
        field = _field(model, name)
        labels = AUDIT_VALUE_LABELS.get((entry.object_type, name))
        was, now = before.get(name), after.get(name)
        structured = any(
            isinstance(value, dict)
            or (isinstance(value, list) and any(isinstance(item, dict | list) for item in value))
            for value in (was, now)
        )
        rows.append(
            {
                "name": name,
                "label": _translated(getattr(field, "verbose_name", ""))
                or str(AUDIT_KEY_LABELS.get(name, "")),
                "before": was if structured else audit_value_text(field, was, labels),
                "after": now if structured else audit_value_text(field, now, labels),
                "kind": "structured" if structured else _value_kind(model, field, name),
            }
        )
    return rows
