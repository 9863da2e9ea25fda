"""PostgreSQL: a partial GIN index on a 1-in-1,024 sample of the index rows (issue 24), inside
the 1-in-128 sample of 0005. A word in a quarter of the catalog is counted from it: reading the
sample's rows (their id and archive) for 建设 at a million descriptions was 3,800 rows, 14 ms.
SQLite: nothing to do (its sample table answers from the index alone)."""

from django.db import migrations

# Written out (not imported from ranking.py): a migration must keep doing what it did.
FORWARD = (
    "CREATE INDEX IF NOT EXISTS catalog_searchtext_coarse_gin ON catalog_searchtext "
    "USING gin (document) WHERE (((description_id) * 40503) >> 7) & 1023 = 0"
)
BACKWARD = "DROP INDEX IF EXISTS catalog_searchtext_coarse_gin"


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_searchtext_archive")]

    operations = [migrations.RunPython(forward, backward)]
