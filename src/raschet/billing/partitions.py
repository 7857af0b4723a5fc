"""PostgreSQL partitions of the big tables (see migration 0012): a month's charge lines in a partition
of their own, entries in a partition per year. Made before a month's lines or entries are written;
rows of a period that has no partition yet are kept by the default partition, which stays correct,
only less pruned (a partition is then not made for that period: its rows would have to move).

Every partition carries the parent's statement-level guards (``billing.guards``): row triggers are
cloned onto partitions by PostgreSQL, statement triggers are not, and SQL naming a partition (an
UPDATE, a TRUNCATE of ``billing_entry_y2026``) would otherwise pass them by."""

from __future__ import annotations

from django.db import connection, transaction

from raschet.billing.locks import retry_on_conflict
from raschet.domain.periods import Period

PARTITION_MAKER = 0x7261736368  # the advisory lock key of whoever makes partitions ("rasch")


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
    """``guard_partition`` for every partition of the partitioned billing tables."""
    cursor.execute("""SELECT parent.relname, child.relname FROM pg_inherits i
                      JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid
                      WHERE parent.relname IN ('billing_entry', 'billing_chargeline')""")
    return sum(guard_partition(cursor, table, partition) for table, partition in cursor.fetchall())


def _make(cursor, table: str, name: str, bound: str, in_default: str, params: list) -> None:
    if _exists(cursor, name):
        return
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table}_default WHERE {in_default})", params)
    if cursor.fetchone()[0]:
        return
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES {bound}")
    guard_partition(cursor, table, name)


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
