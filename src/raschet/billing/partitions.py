"""PostgreSQL partitions of the big tables (see migration 0012): a month's charge lines in a partition
of their own, entries in a partition per year. Made before a month's lines or entries are written;
rows of a period that has no partition yet are kept by the default partition, which stays correct,
only less pruned (a partition is then not made for that period: its rows would have to move).

Every partition carries the parent's statement-level guards (``billing.guards``): row triggers are
cloned onto partitions by PostgreSQL, statement triggers are not, and SQL naming a partition (an
UPDATE, a TRUNCATE of ``billing_entry_y2026``) would otherwise pass them by."""

from __future__ import annotations

import os

from django.db import connection, transaction

from raschet.billing.locks import retry_on_conflict
from raschet.domain.periods import Period

PARTITION_MAKER = 0x7261736368  # the advisory lock key of whoever makes partitions ("rasch")
# maintenance_work_mem of the index builds of a run's own table: the key's sort of a 1.5 M-account
# month (15.5 M lines) took 5.7 s with 512 MB and 3.6 s with 2 GB, which it then sorts in memory; the
# memory is taken only as the sort grows, and only while the run finishes (no unit running then).
RUN_INDEX_MEMORY = os.environ.get("RASCHET_RUN_INDEX_MEMORY", "2GB")


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{name}"])
    return bool(cursor.fetchone()[0])


def _partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
                   [f"public.{table}"])
    return bool(cursor.fetchone()[0])


def guard_partition(cursor, table: str, partition: str) -> int:
    """The parent's statement-level guards that ``partition`` lacks, enabled as on the parent (ALWAYS,
    or origin for the TRUNCATE guards); returns how many were made."""
    cursor.execute("""SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s)
                      AND NOT tgisinternal AND tgtype & 1 = 0 AND tgenabled IN ('A', 'O')""", [f"public.{table}"])
    guards = cursor.fetchall()
    cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s)", [f"public.{partition}"])
    present = {name for (name,) in cursor.fetchall()}
    made = 0
    for name, definition, enabled in guards:
        if name in present:
            continue
        cursor.execute(definition.replace(f" ON public.{table} ", f" ON public.{partition} "))
        if enabled == "A":
            cursor.execute(f'ALTER TABLE {partition} ENABLE ALWAYS TRIGGER "{name}"')
        made += 1
    return made


def guard_all_partitions(cursor) -> int:
    """``guard_partition`` for every partition of the partitioned billing tables, at every level (a
    month's lines are partitioned again by run)."""
    cursor.execute("""SELECT top, relid::regclass::text FROM (VALUES ('billing_entry'), ('billing_chargeline')) t(top),
                             pg_partition_tree(to_regclass(top)) WHERE level > 0""")
    return sum(guard_partition(cursor, table, partition) for table, partition in cursor.fetchall())


def _make(cursor, table: str, name: str, bound: str, in_default: str, params: list) -> None:
    if _exists(cursor, name):
        return
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table}_default WHERE {in_default})", params)
    if cursor.fetchone()[0]:
        return
    by_run = " PARTITION BY LIST (run_id)" if table == "billing_chargeline" else ""
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES {bound}{by_run}")
    guard_partition(cursor, table, name)
    if by_run:  # the lines of partial runs (a few accounts), and of any run without a table of its own
        cursor.execute(f"CREATE TABLE {name}_other PARTITION OF {name} DEFAULT")
        guard_partition(cursor, table, f"{name}_other")


@retry_on_conflict
def ensure_partitions(period: Period) -> None:
    """The partitions that the lines and entries of ``period`` go to (and the next year's entries').
    Made one maker at a time: two ``CREATE TABLE … PARTITION OF`` at once (two months calculated
    together) lock the parent and the default partition in opposite orders and deadlock. The advisory
    lock is taken by nothing else, so it cannot join a cycle with the lock order of ``billing.locks``."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_MAKER])
        if _partitioned(cursor, "billing_chargeline"):
            code = str(period)
            _make(cursor, "billing_chargeline", f"billing_chargeline_p{period.year}_{period.month:02d}",
                  f"IN ('{code}')", "period = %s", [code])
        if _partitioned(cursor, "billing_entry"):
            for year in (period.year, period.year + 1):
                _make(cursor, "billing_entry", f"billing_entry_y{year}", f"FROM ('{year}-01') TO ('{year + 1}-01')",
                      "period >= %s AND period < %s", [f"{year}-01", f"{year + 1}-01"])


def analyze_period(period: Period, *, lines: bool = False) -> None:
    """Refresh the planner's statistics of the partitions a whole month was just written to. Until
    autovacuum comes round, PostgreSQL plans a freshly filled partition by the estimate it had when it
    was empty: an account's lines of the month were then found by a bitmap of the run's whole 15 M
    lines (0.8 s an account card at 1.5 M accounts instead of milliseconds). ANALYZE samples, so it
    costs seconds whatever the size, and runs inside the caller's transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if lines and _partitioned(cursor, "billing_chargeline"):
            cursor.execute(f"ANALYZE billing_chargeline_p{period.year}_{period.month:02d}")


# A full run's own table. Lines written into a table with indexes pay for each index with every row
# (a unit's COPY at 1.5 M accounts ran at ~90,000 lines/s against the three indexes of the month's
# partition); into a bare table COPY is several times faster, and an index built once over the whole
# run is cheaper than 15 M insertions into it. So a full run's units write into a table of its own with
# no index, made when the run starts; when the run finishes its indexes are built and the table becomes
# the run's partition of the month (``ATTACH PARTITION``: the indexes, keys and the bound are already
# there, so nothing is scanned or built again). Until then no reader sees the lines — nor should one:
# a run's lines are shown only once it is done.

def month_partition(period: Period) -> str:
    return f"billing_chargeline_p{period.year}_{period.month:02d}"


def run_table(run_id: int) -> str:
    return f"billing_chargeline_r{int(run_id)}"


def open_run_table(run_id: int, period: Period) -> bool:
    """Make the bare table that the units of the full run ``run_id`` write their lines into; returns
    whether it was made (PostgreSQL, where the month's partition is partitioned by run: months made
    since migration 0018). The table has the lines' columns, checks and keys, the statement guards of
    every partition, and a check of its bound, which spares ``ATTACH`` its scan."""
    if connection.vendor != "postgresql":
        return False
    name, month = run_table(run_id), month_partition(period)
    with transaction.atomic(), connection.cursor() as cursor:
        if not _partitioned(cursor, month) or not _may_attach(cursor, month):
            return False
        cursor.execute(f"CREATE TABLE {name} (LIKE billing_chargeline INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bound CHECK (period IS NOT NULL AND "
                       f"period = '{period}' AND run_id IS NOT NULL AND run_id = {int(run_id)})")
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'billing_chargeline'::regclass AND contype = 'f' ORDER BY conname")
        for number, (definition,) in enumerate(cursor.fetchall(), 1):
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_key{number} {definition}")
        guard_partition(cursor, "billing_chargeline", name)
    return True


def _may_attach(cursor, month: str) -> bool:
    """Whether this role may make a table and attach it to the month's partition: it must be able to
    create in the schema and own the partition (a superuser, or the tables' owner). The application's
    role of docs/period-lifecycle.md is neither, so its runs write into the month's partition as
    before: slower, the same lines."""
    cursor.execute("SELECT has_schema_privilege('public', 'CREATE') AND pg_has_role(relowner, 'USAGE') "
                   "FROM pg_class WHERE oid = to_regclass(%s)", [f"public.{month}"])
    found = cursor.fetchone()
    return bool(found and found[0])


def unattached_run_table(run_id: int) -> str | None:
    """The run's own table while its units write into it (made, not yet attached), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT NOT relispartition FROM pg_class WHERE oid = to_regclass(%s)",
                       [f"public.{run_table(run_id)}"])
        found = cursor.fetchone()
    return run_table(run_id) if found and found[0] else None


def attach_run_table(run_id: int, period: Period) -> bool:
    """Index the run's own table as the month's partition is indexed and attach it as the run's
    partition, inside the caller's transaction; returns whether there was one to attach. Each index is
    built once over all the run's lines, with the memory of ``RUN_INDEX_MEMORY``."""
    name, month = unattached_run_table(run_id), month_partition(period)
    if name is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [RUN_INDEX_MEMORY])
        cursor.execute("SELECT indisprimary, indisunique, pg_get_indexdef(indexrelid) FROM pg_index "
                       "WHERE indrelid = to_regclass(%s) ORDER BY indisprimary DESC, indexrelid", [f"public.{month}"])
        for primary, unique, definition in cursor.fetchall():
            columns = definition[definition.index(" USING "):]
            if primary:
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_pkey PRIMARY KEY "
                               f"{columns.split(' ', 3)[3]}")
            else:
                cursor.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX ON {name}{columns}")
        cursor.execute(f"ALTER TABLE {month} ATTACH PARTITION {name} FOR VALUES IN ({int(run_id)})")
    return True


def drop_run_table(run_id: int) -> bool:
    """Remove a draft run's own table with its lines (attached or not), inside the caller's
    transaction: a superseded or cancelled run's lines go at once instead of row by row. Only for runs
    that were never posted; returns whether there was one."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{run_table(run_id)}"])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(f"DROP TABLE {run_table(run_id)}")
    return True
