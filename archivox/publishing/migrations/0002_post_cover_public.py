# Public copies of covers without metadata (issue 17, item 6): the original stays for staff.

import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import migrations, models

logger = logging.getLogger(__name__)


def make_public_covers(apps, schema_editor):
    from archivox.core.public_files import NotCleanable, public_copy

    Post = apps.get_model("publishing", "Post")
    for post in Post.objects.exclude(cover="").filter(cover_public="").iterator():
        try:
            with post.cover.open("rb") as handle:
                public = public_copy(handle.read())[0]
        except (OSError, NotCleanable) as exc:
            logger.warning("post %s: no public copy of its cover (%s)", post.pk, exc)
            continue
        post.cover_public.save(PurePosixPath(post.cover.name).name, ContentFile(public), save=False)
        post.save(update_fields=["cover_public"])


class Migration(migrations.Migration):

    dependencies = [
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="cover_public",
            field=models.FileField(blank=True, upload_to="posts/covers/public/%Y/%m/", verbose_name="public cover (no metadata)"),
        ),
        migrations.RunPython(make_public_covers, migrations.RunPython.noop),
    ]
