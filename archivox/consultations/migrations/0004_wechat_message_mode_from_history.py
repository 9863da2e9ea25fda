"""Give each existing WeChat account the message mode its deliveries show (issue 17).

Until now the callback took any mode from any account. An account that has received an
encrypted message is set to the mode of the latest one (a genuine safe- or compatible-mode
account must not keep taking plaintext: that was the downgrade); one that has only ever
received plaintext is set to plaintext, so its messages keep arriving; one without messages
keeps the default, safe. An administrator can change it in the console."""

from django.db import migrations

MODE_OF_TRANSPORT = {"safe": "safe", "compat": "compatible", "plain": "plaintext"}


def message_mode_from_history(apps, schema_editor):
    PlatformAccount = apps.get_model("core", "PlatformAccount")
    InboundMessage = apps.get_model("engagement", "InboundMessage")
    for account in PlatformAccount.objects.filter(platform="wechat"):
        delivered = InboundMessage.objects.filter(account=account, channel="wechat")
        latest = (
            delivered.filter(transport__in=["safe", "compat"])
            .order_by("-received_at", "-id")
            .values_list("transport", flat=True)
            .first()
        )
        if latest is None and delivered.filter(transport="plain").exists():
            latest = "plain"
        if latest is not None and MODE_OF_TRANSPORT[latest] != account.message_mode:
            PlatformAccount.objects.filter(pk=account.pk).update(
                message_mode=MODE_OF_TRANSPORT[latest]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_platformaccount_message_mode"),
        ("engagement", "0003_inbound_flood_index_and_reply_claim"),
    ]

    operations = [
        migrations.RunPython(message_mode_from_history, migrations.RunPython.noop),
    ]
