"""On PostgreSQL, leave room in each page of the task table so that rescheduling, which rewrites
the computed dates of many tasks at once, updates rows in place (HOT updates)."""

from django.db import migrations


def set_fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name("planning_task")
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    set_fillfactor(apps, schema_editor, value=100)


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
