"""Ranked search for broad queries (issue 24): a static quality and order per description.

``catalog_searchtext`` gains ``quality`` and ``rank_key`` ((7 - quality) << 40 | description id).
SQLite: the FTS5 table is rebuilt with ``rank_key`` as its rowid, so posting lists are read
best-first and a broad query can stop early. PostgreSQL: a B-tree on ``rank_key`` serves the
same ordered read over the GIN matches."""

from django.db import migrations, models

# Written out (not imported from search.py): a migration must keep doing what it did.
FILL_QUALITY = [
    "UPDATE catalog_searchtext SET quality = ("
    " CASE WHEN EXISTS (SELECT 1 FROM catalog_collectionentry e"
    "  JOIN catalog_featuredcollection c ON c.id = e.collection_id"
    "  WHERE e.description_id = catalog_searchtext.description_id AND c.is_published = %s)"
    " THEN 4 ELSE 0 END"
    " + CASE WHEN EXISTS (SELECT 1 FROM catalog_digitalobject o"
    "  WHERE o.description_id = catalog_searchtext.description_id AND o.kind = 'image'"
    "  AND o.public_file <> '') THEN 2 ELSE 0 END"
    " + CASE WHEN EXISTS (SELECT 1 FROM catalog_description d"
    "  WHERE d.id = catalog_searchtext.description_id AND d.level IN ('fonds', 'series'))"
    " THEN 1 ELSE 0 END)",
    "UPDATE catalog_searchtext SET rank_key = (7 - quality) * 1099511627776 + description_id",
]

POSTGRES_FORWARD = [
    # The 1-in-128 sample a broad query's count is estimated from (ranking.sample_sql): the
    # planner uses this small index when the query repeats its predicate.
    "CREATE INDEX catalog_searchtext_sample_gin ON catalog_searchtext USING gin (document) "
    "WHERE (((description_id) * 40503) >> 7) & 127 = 0",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalog_searchtext_sample_gin"]

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchtext_ai",
    "DROP TRIGGER IF EXISTS catalog_searchtext_ad",
    "DROP TRIGGER IF EXISTS catalog_searchtext_au",
    "DROP TABLE IF EXISTS catalog_fts",
    "CREATE VIRTUAL TABLE catalog_fts USING fts5(title, body, content='catalog_searchtext', "
    "content_rowid='rank_key', tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER catalog_searchtext_ai AFTER INSERT ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (rowid, title, body) "
    "VALUES (new.rank_key, new.title, new.body); END",
    "CREATE TRIGGER catalog_searchtext_ad AFTER DELETE ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (catalog_fts, rowid, title, body) "
    "VALUES ('delete', old.rank_key, old.title, old.body); END",
    # Only when the indexed text or the order changes: a quality-neutral touch rewrites nothing.
    "CREATE TRIGGER catalog_searchtext_au AFTER UPDATE OF title, body, rank_key "
    "ON catalog_searchtext BEGIN "
    "INSERT INTO catalog_fts (catalog_fts, rowid, title, body) "
    "VALUES ('delete', old.rank_key, old.title, old.body); "
    "INSERT INTO catalog_fts (rowid, title, body) "
    "VALUES (new.rank_key, new.title, new.body); END",
    "INSERT INTO catalog_fts (catalog_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchtext_ai",
    "DROP TRIGGER IF EXISTS catalog_searchtext_ad",
    "DROP TRIGGER IF EXISTS catalog_searchtext_au",
    "DROP TABLE IF EXISTS catalog_fts",
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
    "INSERT INTO catalog_fts (catalog_fts) VALUES ('rebuild')",
]


def forward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The old triggers would rewrite the FTS rows for every filled-in row.
            for statement in SQLITE_FORWARD[:3]:
                cursor.execute(statement)
        cursor.execute(FILL_QUALITY[0], [True])
        cursor.execute(FILL_QUALITY[1])
        if connection.vendor == "sqlite":
            for statement in SQLITE_FORWARD[3:]:
                cursor.execute(statement)
        else:
            # The filled-in rows leave deferred foreign-key checks pending, and PostgreSQL
            # refuses to index a table with pending trigger events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in POSTGRES_FORWARD:
                cursor.execute(statement)


def backward(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    for statement in SQLITE_BACKWARD if sqlite else POSTGRES_BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_public_demand")]
    operations = [
        migrations.AddField(
            model_name="searchtext",
            name="quality",
            field=models.SmallIntegerField(default=0, verbose_name="static quality"),
        ),
        migrations.AddField(
            model_name="searchtext",
            name="rank_key",
            field=models.BigIntegerField(null=True, unique=True, verbose_name="rank key"),
        ),
        migrations.AddIndex(
            model_name="description",
            index=models.Index(fields=["title"], name="catalog_des_title_idx"),
        ),
        migrations.RunPython(forward, backward),
    ]
