"""The full-text index over catalog_searchtext.

SQLite: an external-content FTS5 table kept in step by triggers. PostgreSQL: a generated
tsvector column with a GIN index, and a prefix index on the materialised path (LIKE 'x%' needs
pattern ops there)."""

from django.db import migrations, models

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_fts USING fts5(title, body, content='catalog_searchtext', "
    "content_rowid='description_id', tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER catalog_searchtext_ai AFTER INSERT ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (rowid, title, body) "
    "VALUES (new.description_id, new.title, new.body); END",
    "CREATE TRIGGER catalog_searchtext_ad AFTER DELETE ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (catalog_fts, rowid, title, body) "
    "VALUES ('delete', old.description_id, old.title, old.body); END",
    "CREATE TRIGGER catalog_searchtext_au AFTER UPDATE ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (catalog_fts, rowid, title, body) "
    "VALUES ('delete', old.description_id, old.title, old.body); "
    "INSERT INTO catalog_fts (rowid, title, body) "
    "VALUES (new.description_id, new.title, new.body); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchtext_ai",
    "DROP TRIGGER IF EXISTS catalog_searchtext_ad",
    "DROP TRIGGER IF EXISTS catalog_searchtext_au",
    "DROP TABLE IF EXISTS catalog_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE catalog_searchtext ADD COLUMN document tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B')) STORED",
    "CREATE INDEX catalog_searchtext_document_gin ON catalog_searchtext USING gin (document)",
    "CREATE INDEX catalog_description_path_prefix ON catalog_description "
    "(path varchar_pattern_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_description_path_prefix",
    "DROP INDEX IF EXISTS catalog_searchtext_document_gin",
    "ALTER TABLE catalog_searchtext DROP COLUMN IF EXISTS document",
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
    dependencies = [("catalog", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "description",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_text",
                        serialize=False,
                        to="catalog.description", verbose_name="description",
                    ),
                ),
                ("title", models.TextField(verbose_name="title (segmented)")),
                ("body", models.TextField(verbose_name="text (segmented)")),
            ], options={"verbose_name": "search text", "verbose_name_plural": "search texts"},
        ),
        migrations.RunPython(forward, backward),
    ]
