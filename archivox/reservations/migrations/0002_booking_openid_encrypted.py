"""Follower openids encrypted at rest, and ``person_key`` a keyed digest instead of
``wx:<openid>`` / ``c:<contact>`` (issue 20). The column becomes text first, so the ciphertext
fits on PostgreSQL; the rows are converted in between; the field is declared encrypted last."""

from django.db import migrations, models

import archivox.core.fields


def encrypt_followers(apps, schema_editor):
    from archivox.core.fields import PREFIX, encrypt_text, person_digest

    Booking = apps.get_model("engagement_reservations", "Booking")
    rows = Booking.objects.using(schema_editor.connection.alias).values_list(
        "pk", "openid", "person_key"
    )
    for pk, openid, person_key in rows.iterator():
        changes = {}
        if openid and not openid.startswith(PREFIX):
            changes["openid"] = encrypt_text(openid)
        # wx:<openid> and c:<contact> were the plain keys; purged-<pk> stays as it is.
        if person_key.startswith(("wx:", "c:")):
            changes["person_key"] = person_digest(person_key)
        if changes:
            Booking.objects.using(schema_editor.connection.alias).filter(pk=pk).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("engagement_reservations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="openid",
            field=models.TextField(blank=True, verbose_name="WeChat openid"),
        ),
        migrations.RunPython(encrypt_followers, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="booking",
            name="openid",
            field=archivox.core.fields.EncryptedTextField(blank=True, verbose_name="WeChat openid"),
        ),
    ]
