"""PostgreSQL partitions of the big tables (see migration 0012): a month's charge lines in a partition
of their own — since migration 0018 partitioned again by run, a full run's lines in a table of the
run's own (below) — and entries in a partition per year. Made before a month's lines or entries are written;
rows of a period that has no partition yet are kept by the default partition, which stays correct,
only less pruned (a partition is then not made for that period: its rows would have to move).

Every partition carries the parent's statement-level guards (``billing.guards``): row triggers are
cloned onto partitions by PostgreSQL, statement triggers are not, and SQL naming a partition (an
UPDATE, a TRUNCATE of ``billing_entry_y2026``) would otherwise pass them by."""

from __future__ import annotations

import os

from django.db import connection, transaction

from raschet.billing.guards import LINE
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
# partition); into a bare table the same COPY is over twice as fast (111 s → 48 s summed over a 1.5 M
# month's units), and an index built once over the whole run is cheaper than 15 M insertions into it.
# So a full run's units write into a table of its own with no index, made when the run starts; when
# the run finishes its indexes are built and the table becomes
# the run's partition of the month (``ATTACH PARTITION``: the indexes, keys and the bound are already
# there, so nothing is scanned or built again). Until then no reader sees the lines — nor should one:
# a run's lines are shown only once it is done. The DDL is done by :data:`RUN_TABLE_FUNCTIONS`.

def month_partition(period: Period) -> str:
    return f"billing_chargeline_p{period.year}_{period.month:02d}"


def run_table(run_id: int) -> str:
    return f"billing_chargeline_r{int(run_id)}"


def open_run_table(run_id: int, period: Period) -> bool:
    """Make the bare table that the units of the full run ``run_id`` write their lines into; returns
    whether it was made (PostgreSQL, where the month's partition is partitioned by run: months made
    since migration 0018). The table has the lines' columns, checks and keys, the statement guards of
    every partition, and a check of its bound, which spares ``ATTACH`` its scan. Made by
    ``raschet_open_run_table`` (:data:`RUN_TABLE_FUNCTIONS`), so that the application's role, which
    owns nothing, may have it made and attached, but not drop or alter it itself."""
    if connection.vendor != "postgresql":
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT raschet_open_run_table(%s, %s)", [int(run_id), str(period)])
        return bool(cursor.fetchone()[0])


def unattached_run_table(run_id: int) -> str | None:
    """The run's own table while its units write into it (made, not yet attached), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT NOT relispartition FROM pg_class WHERE oid = to_regclass(%s)",
                       [f"public.{run_table(run_id)}"])
        found = cursor.fetchone()
    return run_table(run_id) if found and found[0] else None


def attach_run_table(run_id: int) -> bool:
    """Index the run's own table as the month's partition is indexed and attach it as the run's
    partition of its month, inside the caller's transaction; returns whether there was one to attach
    (the function asks). Each index is built once over all the run's lines, with the memory of
    ``RUN_INDEX_MEMORY``."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT raschet_attach_run_table(%s, %s)", [int(run_id), RUN_INDEX_MEMORY])
        return bool(cursor.fetchone()[0])


def drop_run_table(run_id: int) -> bool:
    """Remove a draft run's own table with its lines (attached or not), inside the caller's
    transaction: a superseded or cancelled run's lines go at once instead of row by row. A posted run's
    is refused (its lines are the period's charges); returns whether there was one."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT raschet_drop_run_table(%s)", [int(run_id)])
        return bool(cursor.fetchone()[0])


# Owned by whoever migrates (the tables' owner) and run with its rights (SECURITY DEFINER, a fixed
# search_path): the application's role calls them, and can do nothing else with a run's table but
# write lines into it while it is bare.
RUN_TABLE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION raschet_open_run_table(run bigint, month text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := 'billing_chargeline_r' || run;
  part text := 'billing_chargeline_p' || replace(month, '-', '_');
  item record;
  number int := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM billing_calcrun WHERE id = run AND period = month AND status = 'running') THEN
    RAISE EXCEPTION 'Расчёт % периода % не выполняется', run, month USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(part)) THEN
    RETURN false;  -- a month partitioned before runs had tables: its lines go into its one partition
  END IF;
  IF to_regclass(name) IS NOT NULL THEN
    RETURN true;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE billing_chargeline INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (period IS NOT NULL AND period = %L '
                 'AND run_id IS NOT NULL AND run_id = %s)', name, name || '_bound', month, run);
  FOR item IN SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
              WHERE conrelid = 'billing_chargeline'::regclass AND contype = 'f' ORDER BY conname LOOP
    number := number + 1;
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', name, name || '_key' || number, item.definition);
  END LOOP;
  FOR item IN SELECT tgname, pg_get_triggerdef(oid) AS definition, tgenabled FROM pg_trigger
              WHERE tgrelid = 'billing_chargeline'::regclass AND NOT tgisinternal AND tgtype & 1 = 0
                AND tgenabled IN ('A', 'O') LOOP
    EXECUTE replace(item.definition, ' ON public.billing_chargeline ', format(' ON public.%I ', name));
    IF item.tgenabled = 'A' THEN
      EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', name, item.tgname);
    END IF;
  END LOOP;
  RETURN true;
END $$;

CREATE OR REPLACE FUNCTION raschet_attach_run_table(run bigint, memory text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  name text := 'billing_chargeline_r' || run;
  part text;
  item record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass(name) AND NOT relispartition) THEN
    RETURN false;
  END IF;
  SELECT 'billing_chargeline_p' || replace(period, '-', '_') INTO part FROM billing_calcrun WHERE id = run;
  PERFORM set_config('maintenance_work_mem', memory, true);
  FOR item IN SELECT indisprimary, indisunique, split_part(pg_get_indexdef(indexrelid), ' USING ', 2) AS method
              FROM pg_index WHERE indrelid = to_regclass(part) ORDER BY indisprimary DESC, indexrelid LOOP
    IF item.indisprimary THEN
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY %s', name, name || '_pkey',
                     substr(item.method, strpos(item.method, '(')));
    ELSE
      EXECUTE format('CREATE %s INDEX ON %I USING %s', CASE WHEN item.indisunique THEN 'UNIQUE' ELSE '' END,
                     name, item.method);
    END IF;
  END LOOP;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%s)', part, name, run);
  RETURN true;
END $$;

CREATE OR REPLACE FUNCTION raschet_drop_run_table(run bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF to_regclass('billing_chargeline_r' || run) IS NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM billing_calcrun WHERE id = run AND status = 'posted') THEN
    RAISE EXCEPTION '{LINE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  EXECUTE format('DROP TABLE %I', 'billing_chargeline_r' || run);
  RETURN true;
END $$;
"""
DROP_RUN_TABLE_FUNCTIONS = """DROP FUNCTION IF EXISTS raschet_open_run_table(bigint, text);
DROP FUNCTION IF EXISTS raschet_attach_run_table(bigint, text); DROP FUNCTION IF EXISTS raschet_drop_run_table(bigint)"""
