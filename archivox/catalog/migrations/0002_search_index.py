"""The full-text index: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Also a prefix index on the materialised path for PostgreSQL (LIKE 'x%' needs pattern ops there)."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS catalog_fts"]
POSTGRES_FORWARD = [
    "CREATE TABLE catalog_search_document ("
    " description_id bigint PRIMARY KEY REFERENCES catalog_description(id) ON DELETE CASCADE"
    " DEFERRABLE INITIALLY DEFERRED,"
    " document tsvector NOT NULL)",
    "CREATE INDEX catalog_search_document_gin ON catalog_search_document USING gin (document)",
    "CREATE INDEX catalog_description_path_prefix ON catalog_description (path varchar_pattern_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_description_path_prefix",
    "DROP TABLE IF EXISTS catalog_search_document",
]


def forward(apps, schema_editor):
    statements = (
        POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    )
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = (
        POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
