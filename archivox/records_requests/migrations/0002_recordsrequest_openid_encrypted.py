"""The follower's openid of a records-use request encrypted at rest (issue 20). The column
becomes text first, so the ciphertext fits on PostgreSQL; then the rows are converted."""

from django.db import migrations, models

import archivox.core.fields


def encrypt_followers(apps, schema_editor):
    from archivox.core.fields import PREFIX, encrypt_text

    RecordsRequest = apps.get_model("records_requests", "RecordsRequest")
    requests = RecordsRequest.objects.using(schema_editor.connection.alias)
    for pk, openid in requests.exclude(openid="").values_list("pk", "openid").iterator():
        if not openid.startswith(PREFIX):
            requests.filter(pk=pk).update(openid=encrypt_text(openid))


class Migration(migrations.Migration):

    dependencies = [
        ("records_requests", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recordsrequest",
            name="openid",
            field=models.TextField(blank=True, verbose_name="WeChat openid"),
        ),
        migrations.RunPython(encrypt_followers, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="recordsrequest",
            name="openid",
            field=archivox.core.fields.EncryptedTextField(blank=True, verbose_name="WeChat openid"),
        ),
    ]
