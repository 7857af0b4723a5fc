"""History refused at the database for every path (``billing.guards``): TRUNCATE of the ledger and
state tables and of every partition, the lines and status of a posted run, a posted period going
back, balance snapshots, a payment's identity; the SQLite unlock table (which plain SQL could fill)
replaced by a function only a program can define."""

from django.db import migrations


def forwards(apps, schema_editor):
    from raschet.billing import guards

    guards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("billing", "0013_run_cancelled"), ("payments", "0002_content_identity")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
