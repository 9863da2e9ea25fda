"""The inbox keeps no follower openid in plain text (issue 20: "encrypted at rest"). A WeChat
message's ``sender`` and a consultation's ``person`` become the keyed digest of ``wx:<openid>``
(``core.fields.person_digest``; a Weibo uid, ``wb:<uid>``), which still finds "one open
consultation per person"; the openid an answer must reach is kept encrypted beside it
(``InboundMessage.sender_openid``, ``Consultation.person_openid``). The payload and the raw
XML of WeChat messages get the digest in place of the openid. Rows already converted, and
purged ones, are left as they are, so the migration may run again."""

import re

from django.db import migrations, models

import archivox.core.fields

DIGEST = re.compile(r"[0-9a-f]{64}")
PREFIXES = {"wechat": "wx:", "weibo": "wb:"}


def _plain(value):
    return bool(value) and not DIGEST.fullmatch(value) and not value.startswith("purged-")


def digest_senders(apps, schema_editor):
    from archivox.core.fields import person_digest

    alias = schema_editor.connection.alias
    InboundMessage = apps.get_model("engagement", "InboundMessage")
    Consultation = apps.get_model("engagement", "Consultation")
    messages = InboundMessage.objects.using(alias).filter(channel__in=list(PREFIXES))
    rows = messages.values_list("pk", "channel", "sender", "raw", "payload")
    for pk, channel, sender, raw, payload in rows.iterator():
        if not _plain(sender):
            continue
        key = person_digest(PREFIXES[channel] + sender)
        changes = {"sender": key}
        if channel == "wechat":
            # The field encrypts the openid as it is written.
            changes["sender_openid"] = sender
            changes["raw"] = raw.replace(sender, key)
            if isinstance(payload, dict) and payload.get("FromUserName") == sender:
                changes["payload"] = {**payload, "FromUserName": key}
        messages.filter(pk=pk).update(**changes)
    consultations = Consultation.objects.using(alias).filter(channel__in=list(PREFIXES))
    rows = consultations.values_list("pk", "channel", "person")
    for pk, channel, person in rows.iterator():
        if not _plain(person):
            continue
        changes = {"person": person_digest(PREFIXES[channel] + person)}
        if channel == "wechat":
            changes["person_openid"] = person
        consultations.filter(pk=pk).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0005_consultation_person_openid"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="sender_openid",
            field=archivox.core.fields.EncryptedTextField(
                blank=True, verbose_name="WeChat follower"
            ),
        ),
        migrations.AlterField(
            model_name="inboundmessage",
            name="sender",
            field=models.CharField(max_length=128, verbose_name="sender"),
        ),
        migrations.RunPython(digest_senders, migrations.RunPython.noop, elidable=False),
    ]
