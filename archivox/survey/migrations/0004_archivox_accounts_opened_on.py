from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def date_the_accounts_archivox_made(apps, schema_editor):
    """Accounts that monitoring and the publishing desk made had no opening day, so a survey of
    an earlier time (the paper's 2016) counted them as open then. They are known open from the
    day Archivox made them, or from their first post recorded if that is earlier."""
    Account = apps.get_model("survey", "Account")
    undated = (
        Account.objects.filter(source="archivox", opened_on__isnull=True)
        .annotate(first_post=Min("posts__published_on"))
        .only("pk", "created_at")
    )
    for account in undated.iterator():
        made = timezone.localdate(account.created_at)
        opened_on = min(made, account.first_post) if account.first_post else made
        Account.objects.filter(pk=account.pk).update(opened_on=opened_on)


class Migration(migrations.Migration):
    """Issue 18: an account Archivox made is dated, so it never shows in an earlier survey."""

    dependencies = [
        ("survey", "0003_paper_v2_risk_flags_monitoring"),
    ]

    operations = [
        migrations.RunPython(date_the_accounts_archivox_made, migrations.RunPython.noop),
    ]
