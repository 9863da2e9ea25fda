"""PostgreSQL: a partial GIN index on the head of the static order (issue 24): every description
of some quality (rank_key below 7 * 2**40) and the first 2**17 of the others by id. A broad
query's window is read below a rank_key bound at the start of that order; the planner proves that
a bound inside the head implies this index's predicate and reads its shorter posting lists:
建设 修缮 报告 at a million descriptions decoded 940,000 postings for 22,000 matches from the
whole index. New descriptions come after the head: adding them does not touch it.
SQLite: nothing to do (FTS5 reads its posting lists in the static order already)."""

from django.db import migrations

# Written out (not imported from ranking.py): a migration must keep doing what it did.
FORWARD = (
    "CREATE INDEX IF NOT EXISTS catalog_searchtext_head_gin ON catalog_searchtext "
    "USING gin (document) WHERE rank_key < 7696581525504"
)
BACKWARD = "DROP INDEX IF EXISTS catalog_searchtext_head_gin"


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_search_coarse_sample")]

    operations = [migrations.RunPython(forward, backward)]
