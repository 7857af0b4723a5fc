"""Code tables: the small integers the engine's lines carry instead of strings.

A charge line is stored and passed on with typed, integer-coded columns only (``explain.py``):
zone, method, volume source, kind and the explanation's note are positions in the fixed tables
below; service and supplier are positions in the run's own tables (:class:`Codes`, built once
from the snapshot before it is cut into units, so every unit codes them alike).  Inside the
pipeline the same columns are Polars ``Enum`` columns of these tables — joins and group-bys then
work on small integers while the code still reads ``pl.col("zone") == "total"`` — and the lines
leave the engine as the Enums' physical integers.

The fixed tables only grow at the end: a stored code must keep its meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import polars as pl

ZONES = ("total", "day", "night", "peak", "semipeak")
# Every method of the registry (``methods.METHODS``, a test checks it) and the methods of lines
# made outside any rule: the annual heating correction and the recalculation difference.
METHODS = ("metered", "norm", "area", "heating", "common_needs", "formula", "sum_of", "heating_correction",
           "recalc")
# A sum_of line has its least reliable part's source (methods/sum_of.py), so it needs no code of its own.
SOURCES = ("meter", "average", "norm", "area", "building_meter", "formula")
KINDS = ("charge", "reduction", "recalc")
# The explanation's note: which sentence of ``explain.NOTE_TEXTS`` the line carries (null: none).
NOTES = (
    "late_reading", "replaced_meter", "average", "no_meter", "broken_meter", "no_readings", "uniform_meter",
    "uniform_norm", "common_by_norm", "common_capped", "common_zero", "formula", "absence", "interruption",
    "recalc", "heating_correction", "sum_of",
)

ZONE, METHOD, SOURCE, KIND, NOTE = (pl.Enum(values) for values in (ZONES, METHODS, SOURCES, KINDS, NOTES))


@dataclass(frozen=True)
class Codes:
    """The run's service and supplier tables: code ``i`` is ``services[i]`` / ``suppliers[i]``."""

    services: tuple[str, ...]
    suppliers: tuple[str, ...]
    expressions: dict[int, str]          # rule_id → the expression of a formula rule
    reasons: tuple[str, ...] = ()        # the interruptions' reasons (acts), by reason_code

    @cached_property
    def service(self) -> pl.Enum:
        return pl.Enum(self.services)

    @cached_property
    def supplier(self) -> pl.Enum:
        return pl.Enum(self.suppliers)

    @classmethod
    def of(cls, services: list[pl.Series], suppliers: list[pl.Series], rules: pl.DataFrame,
           reasons: pl.Series) -> Codes:
        """Sorted distinct non-null values of the given string columns; the formula rules' expressions."""
        expressions = {}
        for rule_id, method, params in rules.select("rule_id", "method", "params").iter_rows():
            if method != "formula":
                continue
            try:
                expression = json.loads(params or "{}").get("expression")
            except (json.JSONDecodeError, AttributeError):
                expression = None
            if isinstance(expression, str):
                expressions[rule_id] = expression
        return cls(_distinct(services), _distinct(suppliers), expressions, _distinct([reasons]))


def _distinct(columns: list[pl.Series]) -> tuple[str, ...]:
    """Sorted distinct values (one query over all the columns: a preview pays per query, not per row)."""
    columns = [c for c in columns if c.len()]
    if not columns:
        return ()
    return tuple(sorted(set(pl.concat(columns, rechunk=False).unique().to_list()) - {None}))
