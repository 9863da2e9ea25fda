# Public copies without metadata (issue 17, item 6): the original stays for staff.

import io
import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import migrations, models

logger = logging.getLogger(__name__)


def _thumbnail(content):
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail((400, 400))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.info = {}
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def make_public_copies(apps, schema_editor):
    """Each existing object gets its public copy, and its thumbnail is made again from it (the
    old one kept the original's comments and XMP). An object that cannot be copied (an
    unreadable file) is left for staff only."""
    from archivox.core.public_files import NotCleanable, public_copy

    DigitalObject = apps.get_model("catalog", "DigitalObject")
    for obj in DigitalObject.objects.filter(public_file="").iterator():
        try:
            with obj.file.open("rb") as handle:
                public = public_copy(handle.read())[0]
        except (OSError, NotCleanable) as exc:
            logger.warning("digital object %s: no public copy (%s)", obj.pk, exc)
            public = None
        old_thumbnail = obj.thumbnail.name if obj.thumbnail else ""
        name = PurePosixPath(obj.file.name).name
        if public is not None:
            obj.public_file.save(name, ContentFile(public), save=False)
        if obj.kind == "image":
            if public is None:
                obj.thumbnail = ""
            else:
                stem = name.rsplit(".", 1)[0]
                obj.thumbnail.save(f"{stem}.jpg", ContentFile(_thumbnail(public)), save=False)
        obj.save(update_fields=["public_file", "thumbnail"])
        if old_thumbnail and old_thumbnail != obj.thumbnail.name:
            obj.thumbnail.storage.delete(old_thumbnail)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="digitalobject",
            name="public_file",
            field=models.FileField(blank=True, max_length=300, upload_to="public/%Y/%m/", verbose_name="public copy"),
        ),
        migrations.RunPython(make_public_copies, migrations.RunPython.noop),
    ]
