"""The full-text index of the help topics, in each database's own way.

SQLite: an FTS5 table over help_topic's title and search_text (external content: the words are
stored once, in help_topic), kept in step by triggers. Django rebuilds a SQLite table to alter
it, which drops its triggers: a later migration that alters help_topic must create them again.

PostgreSQL: a generated tsvector column (title weight A, the words weight B) with a GIN index;
the database keeps it current. The model does not declare either: tsc/help/search.py reads them.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE help_topic_fts USING fts5("
    "title, search_text, content='help_topic', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER help_topic_fts_insert AFTER INSERT ON help_topic BEGIN"
    " INSERT INTO help_topic_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text); END",
    "CREATE TRIGGER help_topic_fts_delete AFTER DELETE ON help_topic BEGIN"
    " INSERT INTO help_topic_fts(help_topic_fts, rowid, title, search_text)"
    " VALUES ('delete', old.id, old.title, old.search_text); END",
    "CREATE TRIGGER help_topic_fts_update AFTER UPDATE ON help_topic BEGIN"
    " INSERT INTO help_topic_fts(help_topic_fts, rowid, title, search_text)"
    " VALUES ('delete', old.id, old.title, old.search_text);"
    " INSERT INTO help_topic_fts(rowid, title, search_text) VALUES (new.id, new.title, new.search_text); END",
    # Topics already in the table (none when migrating from scratch) enter the index.
    "INSERT INTO help_topic_fts(help_topic_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS help_topic_fts_update",
    "DROP TRIGGER IF EXISTS help_topic_fts_delete",
    "DROP TRIGGER IF EXISTS help_topic_fts_insert",
    "DROP TABLE IF EXISTS help_topic_fts",
]

POSTGRESQL = [
    "ALTER TABLE help_topic ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('english'::regconfig, title), 'A')"
    " || setweight(to_tsvector('english'::regconfig, search_text), 'B')) STORED",
    "CREATE INDEX help_topic_search ON help_topic USING gin (search)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS help_topic_search",
    "ALTER TABLE help_topic DROP COLUMN IF EXISTS search",
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL for one database vendor only (a no-op on the others)."""

    def __init__(self, vendor: str, sql, reverse_sql):
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("help", "0001_initial")]

    operations = [
        RunSQLOn("sqlite", SQLITE, SQLITE_REVERSE),
        RunSQLOn("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
    ]
