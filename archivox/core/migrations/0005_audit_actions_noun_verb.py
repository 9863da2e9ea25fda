"""Audit entries written before the actions were named one way (``noun.verb``) get the new
names, so the audit log's filter finds old and new entries alike."""

from django.db import migrations

RENAMED = {
    "two_factor.enabled": "two_factor.enable",
    "two_factor.disabled": "two_factor.disable",
    "topic.item_add": "topic_item.add",
    "topic.item_remove": "topic_item.remove",
    "survey.institution.create": "institution.create",
    "survey.account.create": "survey_account.create",
    "reservations.resource_create": "resource.create",
    "reservations.resource_update": "resource.update",
    "reservations.opening_hours_set": "opening_hours.set",
    "reservations.closure_add": "closure.add",
    "reservations.closure_remove": "closure.remove",
    "reservations.check_in": "booking.check_in",
    "reservations.booking_cancel": "booking.cancel",
    "publishing.settings": "publishing_settings.update",
    "inbox.settings_update": "inbox_settings.update",
    "exhibitions.exhibition_create": "exhibition.create",
    "exhibitions.exhibition_update": "exhibition.update",
    "exhibitions.exhibition_publish": "exhibition.publish",
    "exhibitions.section_add": "section.add",
    "exhibitions.section_update": "section.update",
    "exhibitions.section_remove": "section.remove",
    "exhibitions.sections_reorder": "section.reorder",
    "exhibitions.item_add": "exhibition_item.add",
    "exhibitions.item_remove": "exhibition_item.remove",
    "exhibitions.event_create": "event.create",
    "exhibitions.event_update": "event.update",
    "exhibitions.event_publish": "event.publish",
    "exhibitions.event_cancel": "event.cancel",
}


def rename(apps, schema_editor, mapping=RENAMED):
    AuditEntry = apps.get_model("core", "AuditEntry")
    for old, new in mapping.items():
        AuditEntry.objects.filter(action=old).update(action=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, mapping={new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_sensitive_words")]

    operations = [migrations.RunPython(rename, rename_back)]
