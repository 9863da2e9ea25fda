"""A follower's ``person_id`` becomes a keyed digest of the openid (issue 20: openids
encrypted at rest); interest labels keep the openid itself encrypted, for the publishing desk."""

import re

from django.db import migrations

import archivox.core.fields

DIGEST = re.compile(r"[0-9a-f]{64}")


def digest_followers(apps, schema_editor):
    from archivox.core.fields import person_digest

    alias = schema_editor.connection.alias
    Response = apps.get_model("engagement_polls", "Response")
    PersonLabel = apps.get_model("engagement_polls", "PersonLabel")
    responses = Response.objects.using(alias).filter(channel="wechat")
    for pk, person_id in responses.values_list("pk", "person_id").iterator():
        if not DIGEST.fullmatch(person_id) and not person_id.startswith("purged-"):
            responses.filter(pk=pk).update(person_id=person_digest(f"wx:{person_id}"))
    labels = PersonLabel.objects.using(alias).filter(channel="wechat")
    for pk, person_id in labels.values_list("pk", "person_id").iterator():
        if not DIGEST.fullmatch(person_id):
            # The field encrypts the openid as it is written.
            label = labels.get(pk=pk)
            label.person_id = person_digest(f"wx:{person_id}")
            label.openid = person_id
            label.save(update_fields=["person_id", "openid"])


class Migration(migrations.Migration):

    dependencies = [
        ("engagement_polls", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="personlabel",
            name="openid",
            field=archivox.core.fields.EncryptedTextField(
                blank=True, verbose_name="WeChat follower"
            ),
        ),
        migrations.RunPython(digest_followers, migrations.RunPython.noop, elidable=False),
    ]
