"""A run's own table of lines made, attached and dropped by functions that run with the rights of the
tables' owner (``billing.partitions.RUN_TABLE_FUNCTIONS``): the application's role, which owns nothing
(docs/period-lifecycle.md), gets the fast write of a full run too, and still cannot drop or alter a
run's table — nor drop a posted run's through the function. SQLite: nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from raschet.billing.partitions import RUN_TABLE_FUNCTIONS

        with schema_editor.connection.cursor() as cursor:  # no parameters: the SQL's % are its own
            cursor.execute(RUN_TABLE_FUNCTIONS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from raschet.billing.partitions import DROP_RUN_TABLE_FUNCTIONS

        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_RUN_TABLE_FUNCTIONS)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0018_lines_partitioned_by_run'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
