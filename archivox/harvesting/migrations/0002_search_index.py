"""The full-text index over harvesting_harvestedsearchtext, as catalog's 0002 builds its own:
SQLite, an external-content FTS5 table kept in step by triggers; PostgreSQL, a generated
tsvector column with a GIN index."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE harvesting_fts USING fts5(title, body, "
    "content='harvesting_harvestedsearchtext', content_rowid='record_id', "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER harvesting_searchtext_ai AFTER INSERT ON harvesting_harvestedsearchtext "
    "BEGIN INSERT INTO harvesting_fts (rowid, title, body) "
    "VALUES (new.record_id, new.title, new.body); END",
    "CREATE TRIGGER harvesting_searchtext_ad AFTER DELETE ON harvesting_harvestedsearchtext "
    "BEGIN INSERT INTO harvesting_fts (harvesting_fts, rowid, title, body) "
    "VALUES ('delete', old.record_id, old.title, old.body); END",
    "CREATE TRIGGER harvesting_searchtext_au AFTER UPDATE ON harvesting_harvestedsearchtext "
    "BEGIN INSERT INTO harvesting_fts (harvesting_fts, rowid, title, body) "
    "VALUES ('delete', old.record_id, old.title, old.body); "
    "INSERT INTO harvesting_fts (rowid, title, body) "
    "VALUES (new.record_id, new.title, new.body); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS harvesting_searchtext_ai",
    "DROP TRIGGER IF EXISTS harvesting_searchtext_ad",
    "DROP TRIGGER IF EXISTS harvesting_searchtext_au",
    "DROP TABLE IF EXISTS harvesting_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE harvesting_harvestedsearchtext ADD COLUMN document tsvector GENERATED ALWAYS "
    "AS (setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B')) STORED",
    "CREATE INDEX harvesting_searchtext_document_gin ON harvesting_harvestedsearchtext "
    "USING gin (document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS harvesting_searchtext_document_gin",
    "ALTER TABLE harvesting_harvestedsearchtext DROP COLUMN IF EXISTS document",
]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES_FORWARD if postgres else SQLITE_FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES_BACKWARD if postgres else SQLITE_BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("harvesting", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
