"""Ids for new rows, reserved from each table's own sequence, so that rows can point at each other
before anything is written and two writers never get the same id — without locking a table (an
import running for a minute must not stop the cash desk or the API writing the same tables).

``Tables`` of ``raschet.bulk`` and the region generator take their ids here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, models


class IdPools:
    """Ids for the new rows of each model, reserved as they are needed, so that rows can point at each
    other before anything is written and two writers never get the same id — without locking a table.

    PostgreSQL: taken from the table's own sequence (``reserve_ids``), in blocks that grow as a
    writer keeps asking, so a registry of 100,000 payments asks a dozen times; ids left unused are a
    gap, which nothing minds. SQLite: counted on from the greatest id ever given, read once per model
    inside the writing transaction (``prime`` reads them at once), which is safe because an SQLite
    writer holds the whole database from its first statement (``BEGIN IMMEDIATE``). With ``start``
    (first ids per model) nothing is read: ids are counted from there (frames made without a database)."""

    FIRST_BLOCK, LARGEST_BLOCK = 64, 1 << 16

    def __init__(self, using: str = "default", start: dict[type[models.Model], int] | None = None):
        self.using = using
        self.counting = start is not None
        self._free: dict[type[models.Model], list[range]] = {}
        self._block: dict[type[models.Model], int] = {}
        self._next: dict[type[models.Model], int] = dict(start or {})  # SQLite, or counted from ``start``
        self.first: dict[type[models.Model], int] = {}  # the first id given per model

    def prime(self, model_list: Iterable[type[models.Model]]) -> IdPools:
        """On SQLite, read where each model's ids go on now (in this thread's transaction), so that
        ``take`` may then be called from another thread (the generator builds chunks in one)."""
        if connections[self.using].vendor != "postgresql":
            for model in model_list:
                self._next.setdefault(model, reserve_ids(model, 1, self.using)[0].start)
        return self

    def take(self, model: type[models.Model], count: int) -> list[range]:
        """``count`` ids for ``model`` as runs of consecutive ids (one run, unless other writers took
        ids from the same sequence at the same moment)."""
        if count <= 0:
            return []
        if self.counting or connections[self.using].vendor != "postgresql":
            first = self._next.get(model) or (1 if self.counting else reserve_ids(model, 1, self.using)[0].start)
            self._next[model] = first + count
            self.first.setdefault(model, first)
            return [range(first, first + count)]
        free = self._free.setdefault(model, [])
        if sum(len(run) for run in free) < count:
            block = self._block.get(model, self.FIRST_BLOCK)
            self._block[model] = min(block * 2, self.LARGEST_BLOCK)
            free += reserve_ids(model, max(count, block), self.using)
        taken, need = [], count
        while need:
            run = free[0]
            part = range(run.start, run.start + min(need, len(run)))
            taken.append(part)
            need -= len(part)
            free[0] = range(part.stop, run.stop)
            if not free[0]:
                free.pop(0)
        self.first.setdefault(model, taken[0].start)
        return taken


def reserve_ids(model: type[models.Model], count: int, using: str = "default") -> list[range]:
    """``count`` ids of ``model``'s table that no other writer will use, as runs of consecutive ids.

    PostgreSQL: ``nextval`` of the table's sequence ``count`` times in one query, usually one run; if
    other writers drew from the sequence at the same moment, the ids come as several runs. SQLite:
    after the greatest id ever given in the table; only inside the writing transaction, which holds
    the database (rows this writer has reserved but not written yet are its own to count past)."""
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            if not connection.in_atomic_block:
                raise RuntimeError("reserve_ids on SQLite belongs inside the writing transaction")
            cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                           f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))", [table])
            first = cursor.fetchone()[0] + 1
            return [range(first, first + count)]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(v), MAX(v) FROM (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) ids",
                       [sequence, count])
        low, high = cursor.fetchone()
        if high - low + 1 == count:
            return [range(low, high + 1)]
        # Interleaved with another writer: these ids are left as a gap, and the runs are read this time.
        cursor.execute("SELECT MIN(v), MAX(v) FROM (SELECT nextval(%s::regclass) AS v, n "
                       "FROM generate_series(1, %s) n) ids GROUP BY v - n ORDER BY 1", [sequence, count])
        return [range(low, high + 1) for low, high in cursor.fetchall()]


def draw_id(table: str, using: str = "default") -> int:
    """One id of ``table``'s sequence that no row will ever have: a place among its rows (the ledger's
    mark of a posted run). PostgreSQL: ``nextval``. SQLite: the sequence's counter moved past it
    (the table's ids are AUTOINCREMENT, so the next row gets a greater one), inside the writing
    transaction as :func:`reserve_ids`."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return int(cursor.fetchone()[0])
        if not connection.in_atomic_block:
            raise RuntimeError("draw_id on SQLite belongs inside the writing transaction")
        cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                       f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0)) + 1", [table])
        drawn = int(cursor.fetchone()[0])
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [drawn, table])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, drawn])
        return drawn
