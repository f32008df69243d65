"""The full-text index of articles and lessons, in the form each database offers.

SQLite: an FTS5 table per model over `search_text` (external content, porter stemming), kept in
sync by triggers. PostgreSQL: a GIN index on `to_tsvector('english', search_text)`, the exact
expression `pmo.support.search` queries. Other databases get neither.
"""

from django.db import migrations

TABLES = ("support_article", "support_lesson")


def _sqlite_sql(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5("
        f"search_text, content='{table}', content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for sql in _sqlite_sql(table):
                schema_editor.execute(sql)
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX {table}_search ON {table} USING gin "
                f"(to_tsvector('english'::regconfig, COALESCE({table}.search_text, '')))"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
