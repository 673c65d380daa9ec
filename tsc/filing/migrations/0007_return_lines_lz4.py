"""A return's `lines` (about 2.7 KB of jsonb, compressed when stored) use lz4 on PostgreSQL where
the server has it: the same values, compressed in about two thirds of the time pglz takes (a bulk
filer's import stores 50,000 returns at a time). Values already stored keep pglz until rewritten;
SQLite, and a PostgreSQL built without lz4, are left as they are."""

from django.db import migrations


def _lz4_available(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
    return cursor.fetchone() is not None


def lines_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _lz4_available(cursor):
            cursor.execute("ALTER TABLE filing_taxreturn ALTER COLUMN lines SET COMPRESSION lz4")


def lines_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE filing_taxreturn ALTER COLUMN lines SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("filing", "0006_return_indexes")]

    operations = [migrations.RunPython(lines_lz4, lines_default)]
