"""Bulk writing of many rows at once: COPY on PostgreSQL, multi-row INSERT statements on SQLite.

Scenario loading, the demo and the generator all produce a ``Tables`` — plain tuples per model with
ids assigned up front, so children can point at parents without reading anything back — and write
it with ``write_tables`` inside the caller's transaction. Row-by-row ORM saves would cost minutes at
100,000 accounts; this path costs seconds (see docs/performance.md).

Ids are reserved from each table's own sequence (``IdPools``), never by locking a table: an import
running for a minute does not stop the cash desk or the API from writing the same tables.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice

from django.db import IntegrityError, connections, models

from raschet.ids import IdPools
from raschet.ids import reserve_ids as reserve_ids  # where the bulk path's callers have looked for it

COPY_CHUNK = 1 << 20
SQLITE_ROWS = 500  # rows per INSERT statement on SQLite (insert_sqlite)


@dataclass
class Table:
    """Rows of one model, as tuples in the order of ``columns`` (attnames, ``id`` first)."""

    model: type[models.Model]
    columns: Sequence[str]
    rows: list[tuple] = field(default_factory=list)


class Tables:
    """Rows for several models, written parents first, ids reserved up front (``IdPools``) so that
    children can point at their parents; a dict of first ids instead numbers the rows from there
    (the caller vouches that no one else uses them)."""

    def __init__(self, ids: IdPools | dict[type[models.Model], int] | None = None):
        self._tables: dict[type[models.Model], Table] = {}
        self.explicit = isinstance(ids, dict)
        self._next = dict(ids) if isinstance(ids, dict) else {}
        self._pools = ids if isinstance(ids, IdPools) else IdPools()

    def declare(self, *model_list: type[models.Model]) -> None:
        """Fix the writing order (parents first) before any row is added."""
        for model in model_list:
            self._tables.setdefault(model, Table(model, ()))

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        table = self._tables.setdefault(model, Table(model, ()))
        if not table.columns:
            table.columns = ("id", *columns)
        return table

    def _ids(self, model: type[models.Model], count: int) -> list[range]:
        if not self.explicit:
            return self._pools.take(model, count)
        first = self._next.get(model, 1)
        self._next[model] = first + count
        return [range(first, first + count)]

    def add(self, model: type[models.Model], columns: Sequence[str], *values) -> int:
        """Append one row and return the id given to it."""
        table = self.table(model, columns)
        new_id = self._ids(model, 1)[0].start
        table.rows.append((new_id, *values))
        return new_id

    def add_rows(self, model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> list[int]:
        """Append many rows (without ids) at once; returns the ids given to them."""
        table = self.table(model, columns)
        ids = [new_id for run in self._ids(model, len(rows)) for new_id in run]
        table.rows.extend((new_id, *row) for new_id, row in zip(ids, rows, strict=True))
        return ids

    def __iter__(self):
        return iter(self._tables.values())

    def count(self, model: type[models.Model]) -> int:
        table = self._tables.get(model)
        return len(table.rows) if table else 0


def first_free_ids(model_list: Iterable[type[models.Model]] = (), using: str = "default") -> IdPools:
    """Kept for callers written before ids were reserved: the pools ids are reserved from (no table is
    locked; ``model_list`` is not needed any more)."""
    return IdPools(using)


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _escape(value: str) -> str:
    if _NEEDS_ESCAPE(value) is None:
        return value
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text(value) -> str:
    """One value in COPY's text format; dispatch on the exact type (millions of calls: no isinstance chain)."""
    return _COPY_FORMAT.get(type(value), _other_text)(value)


def _other_text(value) -> str:
    return _escape(str(value))


def _json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=64)
def _datetime_text(value: datetime) -> str:
    return value.isoformat(sep=" ")


_COPY_FORMAT = {
    type(None): lambda _value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: int.__repr__,
    Decimal: Decimal.__str__,
    str: _escape,
    date: date.isoformat,
    datetime: lambda value: _datetime_text(value),
    dict: lambda value: _escape(_json_text(value)),
    list: lambda value: _escape(_json_text(value)),
}


def _sqlite_converters(rows: list[tuple]) -> list[Callable | None]:
    """One converter per column, chosen by the type of its first non-null value: converting only the
    columns that need it keeps millions of rows cheap."""
    kinds: list[type | None] = [None] * len(rows[0])
    for row in rows[:1000]:
        for index, value in enumerate(row):
            if kinds[index] is None and value is not None:
                kinds[index] = type(value)
    table = {dict: _json_text, list: _json_text, Decimal: str, datetime: _datetime_text, date: date.isoformat}
    return [table.get(kind) for kind in kinds]


def _convert(rows: list[tuple], converters: list[Callable | None]) -> list[tuple] | Iterable[tuple]:
    active = [(index, convert) for index, convert in enumerate(converters) if convert]
    if not active:
        return rows

    def converted(row: tuple) -> tuple:
        values = list(row)
        for index, convert in active:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)

    return map(converted, rows)


def advance_sequence(cursor, table: str) -> None:
    """The table's sequence past its greatest id, for rows numbered without it; never backwards (other
    writers may hold ids reserved beyond the rows committed so far)."""
    cursor.execute(f"""SELECT setval(s, GREATEST((SELECT COALESCE(MAX(id), 1) FROM "{table}"),
                                          COALESCE(pg_sequence_last_value(s), 1)))
                       FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS s) sequence""", [table])


def _write_postgresql(connection, table: Table, progress: Callable[[int], None] | None,
                      explicit: bool = False) -> None:
    name = connection.ops.quote_name(table.model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _db_columns(table))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for index, row in enumerate(table.rows, 1):
                buffer.write("\t".join(map(_copy_text, row)))
                buffer.write("\n")
                if buffer.tell() > COPY_CHUNK:
                    copy.write(buffer.getvalue().encode())
                    buffer = io.StringIO()
                    if progress:
                        progress(index)
            copy.write(buffer.getvalue().encode())
        if explicit:  # numbered by the caller: the sequence continues after them (never moves back)
            advance_sequence(cursor, table.model._meta.db_table)


def _write_sqlite(connection, table: Table, progress: Callable[[int], None] | None,
                  explicit: bool = False) -> None:
    columns = [connection.ops.quote_name(c) for c in _db_columns(table)]
    converters = _sqlite_converters(table.rows)
    step = 200_000
    for start in range(0, len(table.rows), step):
        chunk = table.rows[start:start + step]
        insert_sqlite(connection.connection, connection.ops.quote_name(table.model._meta.db_table), columns,
                      _convert(chunk, converters))
        if progress:
            progress(start + len(chunk))


def insert_sqlite(raw, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (values in the order of ``columns``, quoted names) with INSERT statements of
    ``SQLITE_ROWS`` rows each, on the driver's connection ``raw``. Not one statement per row
    (``executemany``): on a table with an ABORT trigger (the ledger's and the lines' guards) every
    statement keeps a journal of the pages it changes, to undo itself alone, and per row that
    journal costs more than the insert; per 500 rows the same rows cost 2–2.5 × less CPU
    (docs/performance.md). The triggers and constraints still run for every row, and a failed
    statement fails the caller's transaction as before."""
    width = len(columns)
    per = max(1, min(SQLITE_ROWS, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    row = f"({', '.join('?' * width)})"
    full = head + ", ".join([row] * per)  # the same text each time: the driver keeps it prepared
    rows = iter(rows)
    while chunk := list(islice(rows, per)):
        sql = full if len(chunk) == per else head + ", ".join([row] * len(chunk))
        raw.execute(sql, list(chain.from_iterable(chunk)))


def _db_columns(table: Table) -> list[str]:
    meta = table.model._meta
    return [meta.get_field(name).column for name in table.columns]  # get_field knows attnames too


def write_tables(tables: Tables, using: str = "default",
                 progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Write every table (call inside ``transaction.atomic``); returns rows written per table."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bigger page cache keeps index updates in memory
            cursor.execute("PRAGMA cache_size = -262144")
    writer = _write_postgresql if connection.vendor == "postgresql" else _write_sqlite
    superuser = connection.vendor == "postgresql" and _is_superuser(connection)
    written = {}
    for table in tables:
        if not table.rows:
            continue
        label = str(table.model._meta.verbose_name_plural)
        total = len(table.rows)
        report = (lambda done, label=label, total=total: progress(label, done, total)) if progress else None
        skipped = superuser and not has_insert_triggers(connection, table.model) and skip_row_triggers(connection)
        with connection.wrap_database_errors:  # raw driver errors become Django's, as elsewhere
            writer(connection, table, report, tables.explicit)
        if skipped:
            restore_row_triggers(connection)
            _verify_foreign_keys(connection, table)
        written[table.model._meta.label] = total
    return written


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def has_insert_triggers(connection, model: type[models.Model] | str) -> bool:
    """Whether a table (a model's, or named) has INSERT triggers of its own (not the key checks) that
    switching row triggers off would silence; guards enabled ALWAYS (the ledger's) fire regardless
    and do not count."""
    table = model if isinstance(model, str) else model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass "
                       "AND NOT tgisinternal AND tgtype & 4 <> 0 AND tgenabled <> 'A')", [table])
        return bool(cursor.fetchone()[0])


def skip_row_triggers(connection) -> bool:
    """Foreign keys are checked by a trigger per row, which doubles the cost of COPY; where the role
    may (a superuser), switch row triggers off for this transaction and check every key with one
    anti-join per foreign key afterwards instead. Elsewhere the row triggers stay and just cost time."""
    if not _is_superuser(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def restore_row_triggers(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")


def missing_key(field: models.ForeignKey, value) -> IntegrityError:
    """The refusal of a row whose foreign key ``field`` holds ``value``, a row that does not exist."""
    return IntegrityError(f"{field.model._meta.verbose_name_plural}: ссылка {field.name} = {value} "
                          f"указывает на несуществующую запись «{field.related_model._meta.verbose_name}»")


def _verify_foreign_keys(connection, table: Table) -> None:
    """Every foreign key of the new rows must point at an existing row, or the transaction fails."""
    meta = table.model._meta
    quote = connection.ops.quote_name
    first_id = min(row[0] for row in table.rows)
    with connection.cursor() as cursor:
        for field in meta.concrete_fields:
            if not field.is_relation or field.attname not in table.columns:
                continue
            target = field.related_model._meta
            cursor.execute(
                f"SELECT c.{quote(field.column)} FROM {quote(meta.db_table)} c "
                f"LEFT JOIN {quote(target.db_table)} p ON p.{quote(target.pk.column)} = c.{quote(field.column)} "
                f"WHERE c.id >= %s AND c.{quote(field.column)} IS NOT NULL AND p.{quote(target.pk.column)} IS NULL "
                f"LIMIT 1", [first_id])
            missing = cursor.fetchone()
            if missing:
                raise missing_key(field, missing[0])


@contextmanager
def indexes_built_afterwards(model_list: Iterable[type[models.Model]], using: str = "default") -> Iterator[int]:
    """Load many rows into empty tables without maintaining their secondary indexes row by row: the
    indexes and unique constraints of those tables that are empty on entry are dropped, and built
    again, each in one sorted pass, when the block ends (yields how many were dropped). On
    PostgreSQL only; elsewhere, and for tables that already hold rows, nothing changes.

    Call inside ``transaction.atomic``: the drop holds the tables exclusively until commit, and if
    the block fails the transaction must roll back (the indexes come back with it). Primary keys stay
    (foreign keys depend on them), and so do unique constraints that a foreign key depends on; the
    other unique constraints are added back as constraints, so a duplicate still fails the load."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield 0
        return
    rebuild = []
    with connection.cursor() as cursor:
        for model in model_list:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                rebuild += _droppable_indexes(cursor, model._meta.db_table)
        for drop, _create in rebuild:
            cursor.execute(drop)
    yield len(rebuild)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # per build: bounded, fewer sort passes
        for _drop, create in rebuild:
            cursor.execute(create)


def _droppable_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(drop, create) statements for the plain indexes and the unique constraints nothing refers to."""
    cursor.execute(
        "SELECT k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conrelid = %s::regclass "
        "AND k.contype = 'u' AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
        "AND f.conindid = k.conindid)", [table])
    statements = [(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
                   f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}') for name, definition in cursor.fetchall()]
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [table])
    return statements + [(f'DROP INDEX "{name}"', definition) for name, definition in cursor.fetchall()]
