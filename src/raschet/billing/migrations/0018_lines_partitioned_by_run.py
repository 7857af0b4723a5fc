"""A month's lines partitioned again by run (PostgreSQL): a full run writes its lines into a bare table
of its own and attaches it, indexed, when it finishes (``billing.partitions.open_run_table``). A
unique key of a partitioned table must hold every partition column, so the lines' primary key becomes
(id, period, run_id); ``id`` stays unique by its one identity sequence, as it already was across months.
Months partitioned before keep their one partition (their runs write into it as before); months made
from now on are partitioned by run, with a default partition for partial runs. SQLite: nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE billing_chargeline DROP CONSTRAINT billing_chargeline_pkey")
        cursor.execute("ALTER TABLE billing_chargeline ADD CONSTRAINT billing_chargeline_pkey PRIMARY KEY (id, period, run_id)")


def backwards(apps, schema_editor):
    """Each month partitioned by run becomes one plain partition again (its rows copied into it), then
    the key loses ``run_id``."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from raschet.billing.partitions import guard_partition

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
                          JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_partitioned_table p ON p.partrelid = c.oid
                          WHERE i.inhparent = 'billing_chargeline'::regclass""")
        months = cursor.fetchall()
        for name, _bound in months:
            cursor.execute(f"ALTER TABLE billing_chargeline DETACH PARTITION {name}")
            cursor.execute(f"CREATE TABLE {name}_flat (LIKE billing_chargeline INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(f"INSERT INTO {name}_flat SELECT * FROM {name}")
            cursor.execute(f"DROP TABLE {name}")
            cursor.execute(f"ALTER TABLE {name}_flat RENAME TO {name}")
        cursor.execute("ALTER TABLE billing_chargeline DROP CONSTRAINT billing_chargeline_pkey")
        cursor.execute("ALTER TABLE billing_chargeline ADD CONSTRAINT billing_chargeline_pkey PRIMARY KEY (id, period)")
        for name, bound in months:
            cursor.execute(f"ALTER TABLE billing_chargeline ATTACH PARTITION {name} {bound}")
            guard_partition(cursor, "billing_chargeline", name)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0017_ledger_view'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
