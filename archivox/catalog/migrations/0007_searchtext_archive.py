"""Each index row knows its description's archive (issue 24): PostgreSQL reads one archive's
matches in the static order from an (archive, rank_key) index. Existing rows are filled in
from their descriptions. SQLite's FTS triggers fire only on title, body and rank_key, so the
fill rewrites nothing there."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_search_sample")]

    operations = [
        migrations.AddField(
            model_name="searchtext",
            name="archive_id",
            field=models.BigIntegerField(null=True, verbose_name="archive ID (copy)"),
        ),
        migrations.RunSQL(
            "UPDATE catalog_searchtext SET archive_id = (SELECT d.archive_id FROM "
            "catalog_description d WHERE d.id = catalog_searchtext.description_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="searchtext",
            index=models.Index(fields=["archive_id", "rank_key"], name="catalog_searchtext_archive"),
        ),
    ]
