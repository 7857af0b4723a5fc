"""Bulk writing of many rows at once: COPY on PostgreSQL, one ``executemany`` on SQLite.

Scenario loading, the demo and the generator all produce a ``Tables`` — plain tuples per model with
ids assigned up front, so children can point at parents without reading anything back — and write
it with ``write_tables`` inside the caller's transaction. Row-by-row ORM saves would cost minutes at
100,000 accounts; this path costs seconds (see docs/performance.md).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connections, models

COPY_CHUNK = 1 << 20


@dataclass
class Table:
    """Rows of one model, as tuples in the order of ``columns`` (attnames, ``id`` first)."""

    model: type[models.Model]
    columns: Sequence[str]
    rows: list[tuple] = field(default_factory=list)


class Tables:
    """Rows for several models, written parents first; ids come from ``next_id``."""

    def __init__(self, start_ids: dict[type[models.Model], int] | None = None):
        self._tables: dict[type[models.Model], Table] = {}
        self._next = dict(start_ids or {})

    def declare(self, *model_list: type[models.Model]) -> None:
        """Fix the writing order (parents first) before any row is added."""
        for model in model_list:
            self._tables.setdefault(model, Table(model, ()))

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        table = self._tables.setdefault(model, Table(model, ()))
        if not table.columns:
            table.columns = ("id", *columns)
        return table

    def add(self, model: type[models.Model], columns: Sequence[str], *values) -> int:
        """Append one row and return the id given to it."""
        table = self.table(model, columns)
        new_id = self._next.get(model, 1)
        self._next[model] = new_id + 1
        table.rows.append((new_id, *values))
        return new_id

    def __iter__(self):
        return iter(self._tables.values())

    def count(self, model: type[models.Model]) -> int:
        table = self._tables.get(model)
        return len(table.rows) if table else 0


def first_free_ids(model_list: Iterable[type[models.Model]], using: str = "default") -> dict:
    """The first unused id of each model; on PostgreSQL the tables are locked against other writers
    until the transaction ends, so the ids stay free."""
    connection = connections[using]
    result = {}
    with connection.cursor() as cursor:
        for model in model_list:
            table = connection.ops.quote_name(model._meta.db_table)
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            result[model] = cursor.fetchone()[0]
    return result


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, (dict, list)):
        return _copy_text(json.dumps(value, ensure_ascii=False))
    return str(value)


def _sqlite_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_postgresql(connection, table: Table, progress: Callable[[int], None] | None) -> None:
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
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table.model._meta.db_table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")


def _write_sqlite(connection, table: Table, progress: Callable[[int], None] | None) -> None:
    name = connection.ops.quote_name(table.model._meta.db_table)
    columns = _db_columns(table)
    sql = (f"INSERT INTO {name} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    raw = connection.connection
    step = 200_000
    for start in range(0, len(table.rows), step):
        chunk = table.rows[start:start + step]
        raw.executemany(sql, [tuple(map(_sqlite_value, row)) for row in chunk])
        if progress:
            progress(start + len(chunk))


def _db_columns(table: Table) -> list[str]:
    meta = table.model._meta
    return [meta.get_field(name).column for name in table.columns]  # get_field knows attnames too


def write_tables(tables: Tables, using: str = "default",
                 progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Write every table (call inside ``transaction.atomic``); returns rows written per table."""
    connection = connections[using]
    connection.ensure_connection()
    writer = _write_postgresql if connection.vendor == "postgresql" else _write_sqlite
    written = {}
    for table in tables:
        if not table.rows:
            continue
        label = str(table.model._meta.verbose_name_plural)
        total = len(table.rows)
        report = (lambda done, label=label, total=total: progress(label, done, total)) if progress else None
        writer(connection, table, report)
        written[table.model._meta.label] = total
    return written
