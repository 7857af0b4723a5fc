"""Polars frames to and from the database without a Python object per value: the path for months of
millions of lines.

``read_frame`` runs a SELECT and returns a frame of exactly the given schema; on PostgreSQL the result
travels as ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` and is parsed by Polars, on SQLite it is fetched
in chunks. Decimals always arrive as text and are cast exactly (never through a float): on SQLite the
caller selects them ``CAST(x AS TEXT)``, since SQLite keeps numerics as floating point.

``write_frame`` inserts a frame into a model's table: on PostgreSQL as Polars CSV chunks streamed into
``COPY ... FROM STDIN (FORMAT csv)``, on SQLite with multi-row INSERT statements. Ids come from the table's own
identity (autoincrement on SQLite) when the frame has none, so writers need not lock the table; a
superuser skips the per-row key triggers and checks each distinct key once afterwards. Both run on
Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

import gc
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
import psycopg
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone

from raschet.bulk import (
    Table,
    _verify_foreign_keys,
    advance_sequence,
    has_insert_triggers,
    insert_sqlite,
    missing_key,
    restore_row_triggers,
    skip_row_triggers,
)

WRITE_ROWS = 200_000  # rows per CSV chunk (PostgreSQL) or converted at once (SQLite)
READ_BYTES = 64 << 20  # CSV bytes parsed at once on PostgreSQL: bounds the memory of the text
FETCH_ROWS = 100_000  # rows per fetchmany on SQLite
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


# ---------------------------------------------------------------- reading


def read_frame(sql: str, params: Sequence | None, schema: dict[str, pl.DataType], *, small: bool = False
               ) -> pl.DataFrame:
    """The rows of ``sql`` (``%s`` placeholders, Django's style) as a frame of exactly ``schema``, whose
    order is the order of the SELECT list. Decimal columns must arrive as text on SQLite
    (``CAST(x AS TEXT)``); a declared scale smaller than the stored one would truncate. ``small``: a
    few rows expected (one building's inputs), where a plain fetch costs less than starting a COPY."""
    connection.ensure_connection()
    if connection.vendor == "postgresql" and not small:
        chunks = _read_postgresql(sql, params, schema)
    else:
        chunks = _read_rows(sql, params, schema)
    if not chunks:
        return pl.DataFrame(schema=schema)
    return pl.concat(chunks, rechunk=True)


def _raw_type(dtype: pl.DataType) -> pl.DataType:
    """How PostgreSQL's CSV is parsed before the cast: integers and dates directly, the rest as text."""
    if dtype in _INTEGERS or dtype in (pl.Utf8, pl.Float64, pl.Date):
        return dtype
    return pl.Utf8


def _cast(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """From the raw columns to ``schema``: text decimals parsed exactly, dates, booleans ``t``/``f``."""
    return frame.select(_cast_column(name, frame.schema[name], dtype).alias(name) for name, dtype in schema.items())


def _cast_column(name: str, raw: pl.DataType, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if raw == dtype:
        return column
    if raw == pl.Utf8 and isinstance(dtype, pl.Decimal):
        return column.str.to_decimal(scale=dtype.scale).cast(dtype)
    if raw.is_float() and not dtype.is_float():
        raise TypeError(f"read_frame: {name} arrives as a float; select it as text (CAST({name} AS TEXT))")
    if raw == pl.Utf8 and dtype == pl.Date:
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d")
    if raw == pl.Utf8 and dtype == pl.Boolean:
        return pl.when(column.is_null()).then(None).otherwise(column == "t")
    if isinstance(dtype, pl.Datetime):
        return _datetime(column, raw, dtype)
    return column.cast(dtype)


def _datetime(column: pl.Expr, raw: pl.DataType, dtype: pl.Datetime) -> pl.Expr:
    """PostgreSQL prints ``2026-03-01 10:00:00+00`` (Django's sessions are in UTC), SQLite keeps naive UTC."""
    if raw == pl.Utf8:
        parsed = column.str.to_datetime(time_unit=dtype.time_unit, time_zone="UTC")
    else:
        parsed = column.cast(pl.Datetime(dtype.time_unit)).dt.replace_time_zone("UTC")
    if dtype.time_zone is None:
        return parsed.dt.replace_time_zone(None)
    return parsed.dt.convert_time_zone(dtype.time_zone)


def _bind(sql: str, params: Sequence | None) -> str:
    """``sql`` with its parameters bound client-side by psycopg (quoted and escaped as literals)."""
    if params is None:
        return sql
    return psycopg.ClientCursor(connection.connection).mogrify(sql, list(params))


def _read_postgresql(sql: str, params: Sequence | None, schema: dict) -> list[pl.DataFrame]:
    raw_schema = {name: _raw_type(dtype) for name, dtype in schema.items()}
    chunks, pieces, size = [], [], 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({_bind(sql, params)}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:  # one message per row: a chunk boundary never splits a row
                pieces.append(bytes(data))
                size += len(data)
                if size >= READ_BYTES:
                    chunks.append(_parse_csv(pieces, raw_schema, schema))
                    pieces, size = [], 0
    if pieces:
        chunks.append(_parse_csv(pieces, raw_schema, schema))
    return chunks


def _parse_csv(pieces: list[bytes], raw_schema: dict, schema: dict) -> pl.DataFrame:
    """COPY's CSV: NULL is an empty unquoted field, an empty string is ``""``."""
    text = io.BytesIO(b"".join(pieces))
    pieces.clear()
    frame = pl.read_csv(text, has_header=False, schema=raw_schema, quote_char='"', infer_schema=False)
    return _cast(frame, schema)


@contextmanager
def one_snapshot() -> Iterator[None]:
    """The reads inside see the database as of one moment, not each statement its own (a reading
    written while a unit reads its meters, then their readings, would be half seen). Outside a
    transaction: one transaction, on PostgreSQL REPEATABLE READ and READ ONLY; SQLite's transaction
    reads one snapshot already. Inside the caller's transaction the caller's isolation holds (it
    cannot be changed once the transaction has run a statement)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _read_rows(sql: str, params: Sequence | None, schema: dict) -> list[pl.DataFrame]:
    """Chunks of ``fetchmany`` (SQLite, and small reads on PostgreSQL); each column's raw type is
    inferred from the driver's Python values and then cast."""
    chunks = []
    with connection.cursor() as cursor, _no_cyclic_collection():
        cursor.execute(sql, None if params is None else list(params))
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunks.append(_cast(_columns(rows, list(schema)), schema))
    return chunks


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while fetched rows live. Their thousands of tuples hold no
    cycles (they are freed by reference counting once the frame is built), but allocating them drove
    every collection of a one-account preview, among them a full collection of the whole heap
    (~120 ms) once in 7 previews: 17 ms a preview on average (bench/preview.py)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _columns(rows: list[tuple], names: list[str]) -> pl.DataFrame:
    """The fetched rows as a frame built column by column: a tenth of the time of a row-oriented
    frame whose types are inferred from every row (7 ms for a building's 6,000 readings). A column
    whose values are not of one type (SQLite may mix integers and reals) is inferred row-wise."""
    try:
        return pl.DataFrame([pl.Series(name, values) for name, values in zip(names, zip(*rows, strict=True), strict=True)])
    except (TypeError, OverflowError, pl.exceptions.PolarsError):
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


# ---------------------------------------------------------------- writing


def write_frame(model: type[models.Model], frame: pl.DataFrame, columns: dict[str, str] | None = None,
                table: str | None = None) -> int:
    """Insert every row of ``frame`` into ``model``'s table (or, on PostgreSQL, into ``table``, one of
    its shape: a run's own table of lines); returns the number of rows.

    Column names are the model's attnames (``account_id``); ``columns`` renames frame columns to them.
    Without an ``id`` column the table numbers the rows (its identity or autoincrement). A JSONField takes a
    Utf8 column of JSON text (or a Struct/List column, encoded here); a decimal with more places than
    its field is refused rather than rounded. A foreign key to a missing row fails the transaction
    (PostgreSQL: here; SQLite: at commit, its keys being deferred)."""
    if columns:
        frame = frame.rename(columns)
    _fields(model, frame.columns)
    if frame.is_empty():
        return 0
    connection.ensure_connection()
    with transaction.atomic():
        frame = _with_defaults(model, frame)
        ordered = ["id"] if "id" in frame.columns else []
        frame = _conform(frame, _fields(model, [*ordered, *(c for c in frame.columns if c != "id")]))
        if connection.vendor == "postgresql":
            _write_postgresql(model, frame, table or model._meta.db_table)
        else:
            if table is not None:
                raise ValueError("a table of the model's shape is PostgreSQL's")
            _write_sqlite(model, frame)
    return frame.height


def _fields(model: type[models.Model], names: list[str]) -> dict[str, models.Field]:
    """The concrete field of each frame column (by attname or name)."""
    meta, fields = model._meta, {}
    for name in names:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ValueError(f"{meta.label} has no field {name!r}") from error
        if not field.concrete or field.many_to_many:
            raise ValueError(f"{meta.label}.{name} is not a column")
        fields[name] = field
    return fields


def _with_defaults(model: type[models.Model], frame: pl.DataFrame) -> pl.DataFrame:
    """Fields absent from the frame get what the ORM would store: their default (evaluated once, as a
    constant), ``""`` for text, now for ``auto_now(_add)``; the rest are left to the database (NULL)."""
    present = set(frame.columns) | {model._meta.get_field(c).name for c in frame.columns}
    values = []
    for field in model._meta.concrete_fields:
        if field.name in present or field.primary_key:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = timezone.now() if auto else field.get_default()
        if value is None:
            continue
        if isinstance(field, models.JSONField):
            value = json.dumps(value, ensure_ascii=False)
        values.append(pl.lit(value).alias(field.attname))
    return frame.with_columns(values) if values else frame


def _conform(frame: pl.DataFrame, fields: dict[str, models.Field]) -> pl.DataFrame:
    """JSON encoded, decimals checked against their fields' places, ``id`` first."""
    exprs = []
    for name, field in fields.items():
        column, dtype = pl.col(name), frame.schema[name]
        if isinstance(field, models.JSONField) and dtype != pl.Utf8:
            if isinstance(dtype, pl.Struct):
                column = column.struct.json_encode()
            else:
                column = column.map_elements(lambda value: json.dumps(value, ensure_ascii=False),
                                             return_dtype=pl.Utf8)
        elif isinstance(field, models.DecimalField) and isinstance(dtype, pl.Decimal):
            _check_places(frame, name, field, dtype)
        exprs.append(column.alias(name))
    return frame.select(exprs)


def _check_places(frame: pl.DataFrame, name: str, field: models.DecimalField, dtype: pl.Decimal) -> None:
    """Refuse values the database would round (PostgreSQL) or keep beyond the field's places (SQLite)."""
    if dtype.scale <= field.decimal_places:
        return
    column = pl.col(name)
    cut = column.cast(pl.Decimal(38, field.decimal_places)).cast(dtype)
    bad = frame.filter(column != cut).select(column.first()).item() if frame.height else None
    if bad is not None:
        raise ValueError(f"{name} = {bad} has more than {field.decimal_places} decimal places: round it first")


def _db_columns(frame: pl.DataFrame, model: type[models.Model]) -> list[str]:
    meta = model._meta
    return [meta.get_field(name).column for name in frame.columns]


def _write_postgresql(model: type[models.Model], frame: pl.DataFrame, into: str) -> None:
    """COPY the frame in CSV chunks into the table ``into``; without an ``id`` column the table's
    identity numbers the rows (no lock: units of a run write side by side). Key triggers are skipped and
    the keys checked afterwards where allowed."""
    checked_here = not has_insert_triggers(connection, into) and skip_row_triggers(connection)
    quote = connection.ops.quote_name
    table = quote(into)
    names = ", ".join(quote(c) for c in _db_columns(frame, model))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            for chunk in frame.iter_slices(WRITE_ROWS):
                buffer = io.BytesIO()
                chunk.write_csv(buffer, include_header=False, null_value="", quote_style="necessary")
                copy.write(buffer.getvalue())
        if "id" in frame.columns:  # explicit ids: the identity continues after them, never backwards
            advance_sequence(cursor, model._meta.db_table)
    if checked_here:
        restore_row_triggers(connection)
        _check_keys(model, frame)


def _check_keys(model: type[models.Model], frame: pl.DataFrame) -> None:
    """What the skipped key triggers would do, once per distinct key instead of once per row: every
    referenced row must exist, and it is locked ``FOR KEY SHARE`` until commit so it cannot go away."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.attname not in frame.columns:
                continue
            values = frame[field.attname].drop_nulls().unique().to_list()
            if not values:
                continue
            target = field.related_model._meta
            key = f"{quote(target.db_table)}.{quote(target.pk.column)}"
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(target.db_table)} WHERE {key} = ANY(%s) "
                           f"FOR KEY SHARE) found", [values])
            if cursor.fetchone()[0] == len(values):
                continue
            cursor.execute(f"SELECT v FROM unnest(%s::bigint[]) v WHERE NOT EXISTS "
                           f"(SELECT 1 FROM {quote(target.db_table)} WHERE {key} = v) LIMIT 1", [values])
            raise missing_key(field, cursor.fetchone()[0])


def verify_foreign_keys(model: type[models.Model], attnames: Sequence[str], first_id: int) -> None:
    """``raschet.bulk``'s anti-join check of every foreign key among ``attnames`` over the rows with
    ``id >= first_id`` (for loads that number their rows themselves and check once at the end)."""
    _verify_foreign_keys(connection, Table(model, tuple(attnames), [(first_id,)]))


def _write_sqlite(model: type[models.Model], frame: pl.DataFrame) -> None:
    """Multi-row INSERT statements (``raschet.bulk.insert_sqlite``): decimals as exact text, dates and
    datetimes as Django stores them."""
    quote = connection.ops.quote_name
    columns = [quote(c) for c in _db_columns(frame, model)]
    frame = frame.select(_sqlite_value(name, dtype) for name, dtype in frame.schema.items())
    with connection.cursor() as cursor:  # a bigger page cache keeps index updates in memory
        cursor.execute("PRAGMA cache_size = -262144")
    for chunk in frame.iter_slices(WRITE_ROWS):
        insert_sqlite(connection.connection, quote(model._meta.db_table), columns, chunk.rows())


def _sqlite_value(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.Decimal):
        return column.cast(pl.Utf8)
    if dtype == pl.Date:
        return column.dt.to_string("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return column.dt.to_string("%Y-%m-%d %H:%M:%S%.6f")
    return column
