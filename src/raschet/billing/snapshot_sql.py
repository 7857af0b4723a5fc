"""How the inputs reader asks the database: the scope of a read, decimals and dates as it can take them
exactly, a snapshot table read by COPY or by fetch, a filter on ids, a join through the child's index.
Shared by ``billing.snapshot`` and ``billing.snapshot_readings``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from django.db import connection

from raschet.domain.periods import Period
from raschet.engine.inputs import SCHEMAS
from raschet.store.frames import read_frame
from raschet.store.sql import in_ids


def _text(column: str, small: bool = False) -> str:
    """A decimal or date column as the reader can take it exactly: as text on SQLite, which keeps
    numerics as floating point, and in a ``small`` read (rows fetched: Polars parses text faster than
    it converts ``Decimal`` and ``date`` objects — a building's readings took 31 ms instead of 18);
    as it is in PostgreSQL's COPY, which prints it as that same text without a cast per value (the
    cast cost the server more than the printing: a unit's 810,000 readings, 0.90 s with it, 0.56 s
    without)."""
    return column if connection.vendor == "postgresql" and not small else f"CAST({column} AS TEXT)"


SMALL_SCOPE = 3  # buildings: below this a plain fetch is cheaper than COPY (a one-account preview)


def _frame(name: str, sql: str, params: Iterable = (), small: bool = False) -> pl.DataFrame:
    """Run ``sql`` (columns in the order of the table's schema, decimals and dates by :func:`_text`) into the
    snapshot table ``name``: COPY on PostgreSQL for large scopes, exact decimals on both databases."""
    return read_frame(sql, list(params), SCHEMAS[name], small=small)


_in = in_ids  # a filter on a column's ids: one array parameter on PostgreSQL


def _join(child: str, key: str, parent: str, lookup: bool) -> str:
    """``child`` (``"table alias"``) joined to ``parent`` on ``child.key = parent.id``.

    With ``lookup`` (a set of buildings on PostgreSQL: a preview's one, a unit's hundred) the
    child's rows are found through its index on ``key``, one parent row at a time: as a plain join
    the planner prices the index lookups above a scan of the whole region's table and hashes it (a
    parallel scan of every reading: 75 ms instead of 4 for one building; for a unit of 20,000
    accounts at 1.5 M, 285 ms instead of 53 for the accounts and 210 instead of 38 for the areas,
    the scan's cost growing with the region, the lookups' with the unit); ``OFFSET 0`` keeps it
    from flattening the lookup back into that join.
    """
    table, alias = child.split()
    parent_alias = parent.split()[1]
    if lookup:
        return (f"{parent} CROSS JOIN LATERAL (SELECT * FROM {table} {alias} "
                f"WHERE {alias}.{key} = {parent_alias}.id OFFSET 0) {alias}")
    return f"{child} JOIN {parent} ON {parent_alias}.id = {alias}.{key}"


@dataclass(frozen=True)
class Scope:
    """What one read covers: the buildings (None = all), their accounts, the period and the purpose."""

    building_ids: list[int] | None
    account_ids: list[int] | None
    period: Period | None
    recalculation: bool           # read what the ledger holds for ``period`` (the ``posted`` input)
    small: bool
    lookup: bool

    def text(self, column: str) -> str:
        """``column`` selected as this read takes decimals and dates (:func:`_text`)."""
        return _text(column, self.small)
