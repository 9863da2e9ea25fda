"""The descriptions' titles as written, copied into the search index's rows, and a partial
index of the descriptions the public may not see (issue 24): PostgreSQL ranks a search's window
from the index rows and looks up only whether each match is hidden. The copies are filled here
for the rows indexed before; search.index_rows writes them from now on. (SQLite's FTS5 triggers
fire on title, body and rank_key only: filling these rewrites nothing there.)"""

from django.db import migrations, models

# Correlated subqueries, as 0007: SQLite before 3.33 has no UPDATE ... FROM (Django 5.2 allows
# 3.31), and one statement serves both databases.
FILL = (
    "UPDATE catalog_searchtext SET "
    "written_title = (SELECT d.title FROM catalog_description d "
    "WHERE d.id = catalog_searchtext.description_id), "
    "written_title_en = (SELECT d.title_en FROM catalog_description d "
    "WHERE d.id = catalog_searchtext.description_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_search_head"),
        ("core", "0007_archive_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchtext",
            name="written_title",
            field=models.TextField(null=True, verbose_name="title as written"),
        ),
        migrations.AddField(
            model_name="searchtext",
            name="written_title_en",
            field=models.TextField(null=True, verbose_name="title in English as written"),
        ),
        migrations.AddIndex(
            model_name="description",
            index=models.Index(
                condition=models.Q(
                    models.Q(("effective_access", "open"), _negated=True),
                    ("effective_closed_until__isnull", False),
                    _connector="OR",
                ),
                fields=["id"],
                name="catalog_des_maybe_hidden",
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
