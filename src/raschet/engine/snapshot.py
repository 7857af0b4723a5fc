"""The engine's input: a frozen bundle of Polars frames, one per kind of input data.

Its tables, their columns, partitioning keys and dated columns are declared once, in
``inputs.INPUTS``; every table the caller leaves out is empty (so a new input is optional for
every existing caller).

What a snapshot must hold for a period P (the adapter's side of the contract):

* every account of every building that holds a requested account — common needs subtract the
  individual volumes of the whole building, so a building is never split;
* dated rows that overlap P (others are ignored, so passing more is harmless) — and, for a
  metered service whose reading arrives late, those that overlap the months since its previous
  reading: what those months charged (average, then norm) is calculated again and subtracted;
* readings of those accounts' and buildings' meters dated before P's end, with history: the last
  reading before P whatever its age, and the months before it that an average needs (6 months
  before the last reading) — in practice the 13 months before P plus the last older reading and
  the 6 months before it per register; for uniform heating the building meter readings around
  the last two 1 January;
* decimals with at most the scale of their column (:meth:`Snapshot.checked` would round extra digits).

:meth:`Snapshot.from_rows` builds a snapshot from lists of dicts (strings for decimals and dates),
filling the obvious defaults, so tests read like the worked examples in ``domain.md``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from raschet.domain.money import dec
from raschet.engine.inputs import INPUTS, SCHEMAS


class Snapshot:
    """All inputs of one calculation, as Polars frames with the schemas of ``inputs.INPUTS``.

    ``snapshot.readings`` and the like read a table; a table not given is empty but typed.
    """

    def __init__(self, **tables: pl.DataFrame) -> None:
        unknown = set(tables) - set(INPUTS)
        if unknown:
            raise TypeError(f"Неизвестные таблицы снимка: {sorted(unknown)}")
        full = {name: tables[name] if name in tables else _EMPTY[name] for name in INPUTS}
        object.__setattr__(self, "tables", full)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Снимок неизменяем: используйте replace()")

    def __getattr__(self, name: str) -> pl.DataFrame:
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def empty(cls) -> Snapshot:
        """A snapshot with every table empty but correctly typed."""
        return cls()

    @classmethod
    def from_rows(cls, **tables: list[dict[str, Any]]) -> Snapshot:
        """Build from lists of dicts; decimals and dates may be strings ("52.30", "2026-03-01")."""
        unknown = set(tables) - set(INPUTS)
        if unknown:
            raise TypeError(f"Неизвестные таблицы снимка: {sorted(unknown)}")
        return cls(**{name: _frame(name, rows) for name, rows in tables.items()})

    def replace(self, **frames: pl.DataFrame) -> Snapshot:
        """A copy with some tables replaced (the snapshot itself is immutable)."""
        return Snapshot(**{**self.tables, **frames})

    def checked(self) -> Snapshot:
        """A copy whose tables have exactly the documented columns and types (cast where safe)."""
        out = {}
        for name, schema in SCHEMAS.items():
            frame = self.tables[name]
            missing = set(schema) - set(frame.columns)
            if missing:
                raise ValueError(f"В таблице {name} нет столбцов {sorted(missing)}")
            if frame.schema == _EXACT_SCHEMAS[name]:
                out[name] = frame  # already exact (the usual case): no per-table cast
            else:
                out[name] = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
        return Snapshot(**out)


_EXACT_SCHEMAS = {name: pl.Schema(schema) for name, schema in SCHEMAS.items()}  # built once, compared per call
_EMPTY = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}


def _frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    defaults = INPUTS[name].defaults
    data: dict[str, list[Any]] = {column: [] for column in schema}
    for index, row in enumerate(rows):
        merged = {**defaults, **row}
        if name == "rules" and "rule_id" not in merged:
            merged["rule_id"] = index + 1
        for column, dtype in schema.items():
            data[column].append(_value(merged.get(column), dtype))
    return pl.DataFrame(data, schema=schema)


def _value(value: Any, dtype: pl.DataType) -> Any:
    if value is None:
        return None
    if isinstance(dtype, pl.Decimal):
        return dec(value).quantize(Decimal(1).scaleb(-dtype.scale))
    if dtype == pl.Date and isinstance(value, str):
        return date.fromisoformat(value)
    if dtype == pl.Utf8 and isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
