"""A follower's ``person_id`` on a comment becomes a keyed digest of the openid (issue 20:
openids are not kept in plain text), as polls.identity now gives it."""

import re

from django.db import migrations

DIGEST = re.compile(r"[0-9a-f]{64}")


def digest_followers(apps, schema_editor):
    from archivox.core.fields import person_digest

    Comment = apps.get_model("engagement_topics", "Comment")
    comments = Comment.objects.using(schema_editor.connection.alias).filter(channel="wechat")
    for pk, person_id in comments.values_list("pk", "person_id").iterator():
        if not DIGEST.fullmatch(person_id) and not person_id.startswith("purged-"):
            comments.filter(pk=pk).update(person_id=person_digest(f"wx:{person_id}"))


class Migration(migrations.Migration):

    dependencies = [
        ("engagement_topics", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(digest_followers, migrations.RunPython.noop, elidable=False),
    ]
