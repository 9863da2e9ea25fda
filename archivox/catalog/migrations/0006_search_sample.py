"""SQLite's counterpart of PostgreSQL's sample index (0005; issue 24): a small FTS5 table over
the 1-in-128 sample of descriptions a broad query's count is estimated from.

Counting the sample through ``catalog_fts`` read the word's whole posting list (321,000 entries
for 档案 at a million descriptions) to keep 1 in 128; this table holds only the sample, so the
estimate reads about 2,500. Contentless: it stores no text of its own, and triggers keep it in
step with ``catalog_searchtext`` for the sampled rows only. PostgreSQL: nothing to do."""

from django.db import migrations

# Written out (not imported from ranking.py): a migration must keep doing what it did.
SAMPLED = "(((({row}.description_id) * 40503) >> 7) & 127) = 0"

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_fts_sample USING fts5(title, body, content='', "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER catalog_searchtext_sample_ai AFTER INSERT ON catalog_searchtext "
    f"WHEN {SAMPLED.format(row='new')} BEGIN "
    "INSERT INTO catalog_fts_sample (rowid, title, body) "
    "VALUES (new.rank_key, new.title, new.body); END",
    "CREATE TRIGGER catalog_searchtext_sample_ad AFTER DELETE ON catalog_searchtext "
    f"WHEN {SAMPLED.format(row='old')} BEGIN "
    "INSERT INTO catalog_fts_sample (catalog_fts_sample, rowid, title, body) "
    "VALUES ('delete', old.rank_key, old.title, old.body); END",
    "CREATE TRIGGER catalog_searchtext_sample_au AFTER UPDATE OF title, body, rank_key "
    f"ON catalog_searchtext WHEN {SAMPLED.format(row='new')} BEGIN "
    "INSERT INTO catalog_fts_sample (catalog_fts_sample, rowid, title, body) "
    "VALUES ('delete', old.rank_key, old.title, old.body); "
    "INSERT INTO catalog_fts_sample (rowid, title, body) "
    "VALUES (new.rank_key, new.title, new.body); END",
    "INSERT INTO catalog_fts_sample (rowid, title, body) "
    "SELECT rank_key, title, body FROM catalog_searchtext "
    f"WHERE {SAMPLED.format(row='catalog_searchtext')}",
    "INSERT INTO catalog_fts_sample (catalog_fts_sample) VALUES ('optimize')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchtext_sample_ai",
    "DROP TRIGGER IF EXISTS catalog_searchtext_sample_ad",
    "DROP TRIGGER IF EXISTS catalog_searchtext_sample_au",
    "DROP TABLE IF EXISTS catalog_fts_sample",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_rank")]
    operations = [migrations.RunPython(forward, backward)]
