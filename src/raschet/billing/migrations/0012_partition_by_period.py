"""PostgreSQL: charge lines and ledger entries partitioned by period.

A month of 1.5 M accounts writes about 15 M lines and posts as many entries. Lines are partitioned
by the period they are calculated in (one partition per month, made when a month is first
calculated: ``billing.partitions``), entries by year of their period (made ahead for the years around
now, and when a month is calculated). Queries that name a period read one partition; an index grows
with a month or a year, not with the whole history.

The primary keys become (id, period), as PostgreSQL requires the partition key in every unique
index; ids still come from one identity sequence, so ``id`` stays unique. The key from an entry to
its line can no longer be declared (a partitioned table has no unique index on ``id`` alone): entries
get ``line_id`` only by posting, which copies it from the line itself. Indexes, keys, checks and the
ledger's guard triggers (``ENABLE ALWAYS``) are carried over under their names. SQLite is unchanged.
"""

from django.db import migrations

TABLES = {  # table: (partitioning, first partitions as (suffix, bound))
    "billing_chargeline": ("LIST (period)", []),
    "billing_entry": ("RANGE (period)",
                      [(f"y{year}", f"FROM ('{year}-01') TO ('{year + 1}-01')") for year in range(2015, 2031)]),
}


def _rows(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def partition(schema_editor, table: str, scheme: str, partitions: list[tuple[str, str]]) -> None:
    with schema_editor.connection.cursor() as cursor:
        regclass = f"'public.{table}'::regclass"
        indexes = _rows(cursor, f"""SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                                    WHERE i.indrelid = {regclass} AND NOT i.indisprimary""", [])
        keys = _rows(cursor, f"""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                                 WHERE conrelid = {regclass} AND contype IN ('f', 'c')""", [])
        triggers = _rows(cursor, f"""SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger
                                     WHERE tgrelid = {regclass} AND NOT tgisinternal""", [])
        referencing = _rows(cursor, f"""SELECT conrelid::regclass::text, conname FROM pg_constraint
                                        WHERE confrelid = {regclass} AND contype = 'f'""", [])
        pkey = _rows(cursor, f"SELECT conname FROM pg_constraint WHERE conrelid = {regclass} AND contype = 'p'", [])
        for other, name in referencing:
            cursor.execute(f'ALTER TABLE {other} DROP CONSTRAINT "{name}"')
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_unpartitioned")
        for (name,) in pkey:
            cursor.execute(f'ALTER TABLE {table}_unpartitioned DROP CONSTRAINT "{name}"')
        for (definition,) in indexes:
            index = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
            cursor.execute(f"DROP INDEX {index}")
        for name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table}_unpartitioned DROP CONSTRAINT "{name}"')
        for name, _definition, _enabled in triggers:
            cursor.execute(f'DROP TRIGGER "{name}" ON {table}_unpartitioned')
        cursor.execute(f"""CREATE TABLE {table} (LIKE {table}_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY
                           INCLUDING STORAGE) PARTITION BY {scheme}""")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, period)")
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        if scheme.startswith("LIST"):  # a partition for each period already calculated
            partitions = [(f"p{period.replace('-', '_')}", f"IN ('{period}')") for (period,) in
                          _rows(cursor, f"SELECT DISTINCT period FROM {table}_unpartitioned ORDER BY 1", [])]
        for suffix, bound in partitions:
            cursor.execute(f"CREATE TABLE {table}_{suffix} PARTITION OF {table} FOR VALUES {bound}")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_unpartitioned")
        cursor.execute(f"""SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                         (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)""")
        cursor.execute(f"DROP TABLE {table}_unpartitioned")
        for (definition,) in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition, enabled in triggers:
            cursor.execute(definition)
            if enabled == "A":
                cursor.execute(f'ALTER TABLE {table} ENABLE ALWAYS TRIGGER "{name}"')
        for suffix in ["default", *(suffix for suffix, _bound in partitions)]:
            guard_partition(cursor, table, f"{table}_{suffix}")


def guard_partition(cursor, table: str, partition: str) -> None:
    """The parent's statement-level guards on a partition too (as ``billing.partitions`` does for the
    partitions it makes): statement triggers are not cloned, and SQL naming a partition would pass them."""
    cursor.execute("""SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s)
                      AND NOT tgisinternal AND tgtype & 1 = 0 AND tgenabled = 'A'""", [f"public.{table}"])
    for name, definition in cursor.fetchall():
        cursor.execute(definition.replace(f" ON public.{table} ", f" ON public.{partition} "))
        cursor.execute(f'ALTER TABLE {partition} ENABLE ALWAYS TRIGGER "{name}"')


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (scheme, partitions) in TABLES.items():
        partition(schema_editor, table, scheme, partitions)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("billing", "0011_calcunit")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
