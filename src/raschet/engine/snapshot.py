"""The engine's input: a frozen bundle of Polars frames, one per kind of input data.

Every table has a fixed schema (:data:`SCHEMAS`).  Conventions shared by all tables:

* dates are ``pl.Date``; ``valid_from`` null means "since ever", ``valid_to`` / ``to`` /
  ``closed`` / ``removed`` are EXCLUSIVE and null means open-ended;
* money, rates, norms, volumes and readings are ``pl.Decimal(38, 6)``, areas
  ``pl.Decimal(38, 4)``, shares ``pl.Decimal(38, 6)`` — never floats;
* ids are ``Int64``; codes are ``Utf8``.

Tables and their columns:

``accounts``
    account_id, number, premises_id, building_id, premises_kind ("residential" |
    "non_residential"), meter_possible (False = a technical-impossibility act exists), share
    (of the premises, 1 = whole), opened, closed (exclusive: the last billed day is closed − 1).
``buildings``
    building_id, code, total_area (S_об, all premises), common_area (S_ои).
``areas``
    premises_id, valid_from, valid_to, area (total area of the premises).
``residents``
    account_id, valid_from, valid_to, count (no row on a day = 0 residents).
``services``
    service (code), kind (cold_water, hot_water, wastewater, electricity, gas, heating,
    maintenance, capital_repair, waste, common_needs, other), unit.
``account_services``
    account_id, service, supplier, valid_from, valid_to: who bills which service on which days;
    only these (account, service, day) are charged.
``tariffs``
    service, supplier, zone ("total" | "day" | "night" | "peak" | "semipeak"), band (1/2/3 for
    volume-banded electricity, null otherwise), building_id (null = everywhere; a
    building-specific row wins), valid_from, valid_to, value.
``norms``
    service, kind ("individual" | "common"), basis ("person" | "area" | "common_area"),
    building_id (null = everywhere), valid_from, valid_to, value (monthly norm).
``rules``
    rule_id, service, method, building_id, account_id (scope: account beats building beats
    everywhere), valid_from, valid_to, params (JSON object text).
``meters``
    meter_id, code, scope ("premises" | "building"), account_id (billed account of a premises
    meter), building_id, service, installed, removed (exclusive of nothing: the final reading is
    dated ``removed``), verification_due (readings dated on or after it are not used), digits.
``readings``
    meter_id, date, zone ("total" for single-register meters), value.
``absences``
    account_id, from, to (the days of leaving and of return are not counted).
``parameters``
    scope ("building" | "premises" | "account"), object_id, key, valid_from, valid_to, value:
    extra dated characteristics usable by key in ``formula`` rules.

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
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from raschet.domain.money import dec

D4 = pl.Decimal(38, 4)
D6 = pl.Decimal(38, 6)
_DATED = {"valid_from": pl.Date, "valid_to": pl.Date}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "accounts": {
        "account_id": pl.Int64, "number": pl.Utf8, "premises_id": pl.Int64, "building_id": pl.Int64,
        "premises_kind": pl.Utf8, "meter_possible": pl.Boolean, "share": D6,
        "opened": pl.Date, "closed": pl.Date,
    },
    "buildings": {"building_id": pl.Int64, "code": pl.Utf8, "total_area": D4, "common_area": D4},
    "areas": {"premises_id": pl.Int64, **_DATED, "area": D4},
    "residents": {"account_id": pl.Int64, **_DATED, "count": pl.Int32},
    "services": {"service": pl.Utf8, "kind": pl.Utf8, "unit": pl.Utf8},
    "account_services": {"account_id": pl.Int64, "service": pl.Utf8, "supplier": pl.Utf8, **_DATED},
    "tariffs": {
        "service": pl.Utf8, "supplier": pl.Utf8, "zone": pl.Utf8, "band": pl.Int16,
        "building_id": pl.Int64, **_DATED, "value": D6,
    },
    "norms": {
        "service": pl.Utf8, "kind": pl.Utf8, "basis": pl.Utf8, "building_id": pl.Int64, **_DATED, "value": D6,
    },
    "rules": {
        "rule_id": pl.Int64, "service": pl.Utf8, "method": pl.Utf8, "building_id": pl.Int64,
        "account_id": pl.Int64, **_DATED, "params": pl.Utf8,
    },
    "meters": {
        "meter_id": pl.Int64, "code": pl.Utf8, "scope": pl.Utf8, "account_id": pl.Int64,
        "building_id": pl.Int64, "service": pl.Utf8, "installed": pl.Date, "removed": pl.Date,
        "verification_due": pl.Date, "digits": pl.Int16,
    },
    "readings": {"meter_id": pl.Int64, "date": pl.Date, "zone": pl.Utf8, "value": D6},
    "absences": {"account_id": pl.Int64, "from": pl.Date, "to": pl.Date},
    "parameters": {"scope": pl.Utf8, "object_id": pl.Int64, "key": pl.Utf8, **_DATED, "value": D6},
}

# Defaults used by from_rows so that test data only spells out what matters.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "accounts": {"premises_kind": "residential", "meter_possible": True, "share": "1",
                 "opened": "2000-01-01", "closed": None},
    "tariffs": {"zone": "total", "band": None, "building_id": None},
    "norms": {"kind": "individual", "basis": "person", "building_id": None},
    "rules": {"building_id": None, "account_id": None, "params": "{}"},
    "meters": {"scope": "premises", "account_id": None, "installed": None, "removed": None,
               "verification_due": None, "digits": None},
    "readings": {"zone": "total"},
    "buildings": {"common_area": "0"},
}


@dataclass(frozen=True)
class Snapshot:
    """All inputs of one calculation, as Polars frames with the schemas of :data:`SCHEMAS`."""

    accounts: pl.DataFrame
    buildings: pl.DataFrame
    areas: pl.DataFrame
    residents: pl.DataFrame
    services: pl.DataFrame
    account_services: pl.DataFrame
    tariffs: pl.DataFrame
    norms: pl.DataFrame
    rules: pl.DataFrame
    meters: pl.DataFrame
    readings: pl.DataFrame
    absences: pl.DataFrame
    parameters: pl.DataFrame

    @classmethod
    def empty(cls) -> Snapshot:
        """A snapshot with every table empty but correctly typed."""
        return cls(**{name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()})

    @classmethod
    def from_rows(cls, **tables: list[dict[str, Any]]) -> Snapshot:
        """Build from lists of dicts; decimals and dates may be strings ("52.30", "2026-03-01")."""
        unknown = set(tables) - set(SCHEMAS)
        if unknown:
            raise TypeError(f"Неизвестные таблицы снимка: {sorted(unknown)}")
        frames = {name: _frame(name, tables.get(name, [])) for name in SCHEMAS}
        return cls(**frames)

    def replace(self, **frames: pl.DataFrame) -> Snapshot:
        """A copy with some tables replaced (the snapshot itself is immutable)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(frames)
        return Snapshot(**current)

    def checked(self) -> Snapshot:
        """A copy whose tables have exactly the documented columns and types (cast where safe)."""
        out = {}
        for name, schema in SCHEMAS.items():
            frame = getattr(self, name)
            missing = set(schema) - set(frame.columns)
            if missing:
                raise ValueError(f"В таблице {name} нет столбцов {sorted(missing)}")
            if frame.schema == _EXACT_SCHEMAS[name]:
                out[name] = frame  # already exact (the usual case): no per-table cast
            else:
                out[name] = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
        return Snapshot(**out)


_EXACT_SCHEMAS = {name: pl.Schema(schema) for name, schema in SCHEMAS.items()}  # built once, compared per call


def _frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    defaults = _DEFAULTS.get(name, {})
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
