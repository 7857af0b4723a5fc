"""The engine's input tables, each declared once: name, columns, partitioning key, dated columns.

:data:`INPUTS` is the one place an input table is described.  Everything else is driven from it:
the :class:`~raschet.engine.snapshot.Snapshot` (its tables, their schemas and the defaults of
``from_rows``), the context build (which rows belong to the working set, which dated rows
overlap the period, decimals as scaled integers), the cutting into units of whole buildings
(``units.py``) and the database reader (``billing/snapshot.py`` has one query per input and
refuses to start if one is missing).  Adding an input is a new :class:`Input` here and the code
that uses it.

Conventions shared by all tables: dates are ``pl.Date``; a ``from`` column null means "since
ever", a ``to`` column is EXCLUSIVE and null means open-ended; money, rates, norms, volumes and
readings are ``pl.Decimal(38, 6)`` (money ``(38, 2)``), areas ``pl.Decimal(38, 4)`` — never
floats; ids are ``Int64``; codes are ``Utf8`` (``coded`` columns become small integers inside).

The partitioning ``key`` says which rows a unit of whole buildings needs: ``account``
(``account_id`` of the unit's accounts), ``premises`` (``premises_id``), ``building``
(``building_id``), ``meter`` (``meter_id`` of the unit's meters) or ``reference`` (shared by every
unit).  The ``meters`` table itself is keyed by ``meter``: a premises meter belongs to its
account's unit, a building meter to its building's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from raschet.engine.codes import ZONE, Codes
from raschet.engine.plans import collect_all

if TYPE_CHECKING:  # the snapshot is built from these declarations
    from raschet.engine.snapshot import Snapshot

D2 = pl.Decimal(38, 2)
D4 = pl.Decimal(38, 4)
D6 = pl.Decimal(38, 6)
_VALID = {"valid_from": pl.Date, "valid_to": pl.Date}
KEY_COLUMNS = {"account": "account_id", "premises": "premises_id", "building": "building_id", "meter": "meter_id"}


@dataclass(frozen=True)
class Input:
    """One input table: its columns, partitioning key, dated columns and what it holds."""

    name: str
    key: str                                  # account | premises | building | meter | reference
    schema: dict[str, pl.DataType]
    doc: str
    dated: tuple[str, str] | None = None      # (from, to): rows outside the period are not needed
    coded: dict[str, str] = field(default_factory=dict)   # column → code table (service, supplier, zone)
    defaults: dict[str, Any] = field(default_factory=dict)  # for Snapshot.from_rows

    @property
    def key_column(self) -> str | None:
        return KEY_COLUMNS.get(self.key)


def _inputs(*tables: Input) -> dict[str, Input]:
    return {table.name: table for table in tables}


INPUTS: dict[str, Input] = _inputs(
    Input("accounts", "building", {
        "account_id": pl.Int64, "number": pl.Utf8, "premises_id": pl.Int64, "building_id": pl.Int64,
        "premises_kind": pl.Utf8, "meter_possible": pl.Boolean, "share": D6, "opened": pl.Date, "closed": pl.Date,
    }, "premises_kind residential | non_residential; meter_possible False = a technical-impossibility act "
       "exists; share of the premises (1 = whole); closed exclusive (the last billed day is closed − 1).",
        defaults={"premises_kind": "residential", "meter_possible": True, "share": "1", "opened": "2000-01-01",
                  "closed": None}),
    Input("buildings", "building", {"building_id": pl.Int64, "code": pl.Utf8, "total_area": D4, "common_area": D4},
          "total_area S_об (all premises), common_area S_ои.", defaults={"common_area": "0"}),
    Input("areas", "premises", {"premises_id": pl.Int64, **_VALID, "area": D4},
          "Total area of the premises.", dated=("valid_from", "valid_to")),
    Input("residents", "account", {"account_id": pl.Int64, **_VALID, "count": pl.Int32},
          "No row on a day = 0 residents.", dated=("valid_from", "valid_to")),
    Input("services", "reference", {"service": pl.Utf8, "kind": pl.Utf8, "unit": pl.Utf8},
          "kind: cold_water, hot_water, wastewater, electricity, gas, heating, maintenance, capital_repair, "
          "waste, common_needs, other.", coded={"service": "service"}),
    Input("account_services", "account", {"account_id": pl.Int64, "service": pl.Utf8, "supplier": pl.Utf8, **_VALID},
          "Who bills which service on which days; only these (account, service, day) are charged.",
          dated=("valid_from", "valid_to"), coded={"service": "service", "supplier": "supplier"}),
    Input("tariffs", "reference", {
        "service": pl.Utf8, "supplier": pl.Utf8, "zone": pl.Utf8, "band": pl.Int16, "building_id": pl.Int64,
        **_VALID, "value": D6,
    }, "zone total | day | night | peak | semipeak; band 1/2/3 for volume-banded electricity; building_id null = "
       "everywhere (a building-specific row wins).", dated=("valid_from", "valid_to"),
        coded={"service": "service", "supplier": "supplier", "zone": "zone"},
        defaults={"zone": "total", "band": None, "building_id": None}),
    Input("norms", "reference", {
        "service": pl.Utf8, "kind": pl.Utf8, "basis": pl.Utf8, "building_id": pl.Int64, **_VALID, "value": D6,
    }, "kind individual | common; basis person | area | common_area; the monthly norm.",
        dated=("valid_from", "valid_to"), coded={"service": "service"},
        defaults={"kind": "individual", "basis": "person", "building_id": None}),
    Input("rules", "reference", {
        "rule_id": pl.Int64, "service": pl.Utf8, "method": pl.Utf8, "building_id": pl.Int64, "account_id": pl.Int64,
        **_VALID, "params": pl.Utf8,
    }, "Scope: account beats building beats everywhere; params a JSON object.", dated=("valid_from", "valid_to"),
        coded={"service": "service"}, defaults={"building_id": None, "account_id": None, "params": "{}"}),
    Input("meters", "meter", {
        "meter_id": pl.Int64, "code": pl.Utf8, "scope": pl.Utf8, "account_id": pl.Int64, "building_id": pl.Int64,
        "service": pl.Utf8, "installed": pl.Date, "removed": pl.Date, "verification_due": pl.Date, "digits": pl.Int16,
    }, "scope premises | building; account_id the billed account of a premises meter; the final reading is "
       "dated removed; readings dated on or after verification_due are not used.", coded={"service": "service"},
        defaults={"scope": "premises", "account_id": None, "installed": None, "removed": None,
                  "verification_due": None, "digits": None}),
    Input("readings", "meter", {"meter_id": pl.Int64, "date": pl.Date, "zone": pl.Utf8, "value": D6},
          "zone total for single-register meters; history before the period is needed (averages, late "
          "readings).", coded={"zone": "zone"}, defaults={"zone": "total"}),
    Input("absences", "account", {"account_id": pl.Int64, "from": pl.Date, "to": pl.Date},
          "The days of leaving and of return are not counted.", dated=("from", "to")),
    Input("parameters", "reference", {
        "scope": pl.Utf8, "object_id": pl.Int64, "key": pl.Utf8, **_VALID, "value": D6,
    }, "scope building | premises | account: dated characteristics usable by key in formula rules.",
        dated=("valid_from", "valid_to")),
    Input("interruptions", "building", {
        "building_id": pl.Int64, "account_id": pl.Int64, "service": pl.Utf8, "date_from": pl.Date,
        "date_to": pl.Date, "excess_hours": D2, "percent_per_hour": D4, "reason": pl.Utf8,
    }, "A service interrupted or of poor quality (domain.md §4.2): account_id null = every account of the "
       "building; the month it starts in is reduced by percent_per_hour × excess_hours of its charge.",
        coded={"service": "service"}, defaults={"account_id": None, "percent_per_hour": "0.15", "reason": ""}),
    Input("posted", "account", {"account_id": pl.Int64, "service": pl.Utf8, "supplier": pl.Utf8,
                                "amount": D2, "volume": D6},
          "For a recalculation: what the ledger holds for the recalculated period, per account × service × "
          "supplier (charges and earlier recalculations).", coded={"service": "service", "supplier": "supplier"},
          defaults={"volume": "0"}),
    Input("heating_charged", "account", {"account_id": pl.Int64, "service": pl.Utf8, "supplier": pl.Utf8,
                                         "amount": D2},
          "For the annual heating correction: what the ledger holds for heating of the previous calendar "
          "year, per account × service × supplier.", coded={"service": "service", "supplier": "supplier"}),
)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {name: table.schema for name, table in INPUTS.items()}


def codes_of(snapshot: Snapshot) -> Codes:
    """The run's code tables: every service and supplier named by a coded column, and the rules'."""
    services = [snapshot.tables[n][c] for n, t in INPUTS.items() for c, code in t.coded.items() if code == "service"]
    suppliers = [snapshot.tables[n][c] for n, t in INPUTS.items() for c, code in t.coded.items() if code == "supplier"]
    return Codes.of(services, suppliers, snapshot.rules, snapshot.interruptions["reason"])


def encode(snapshot: Snapshot, codes: Codes) -> Snapshot:
    """The snapshot with its coded columns as Enums of the run's code tables (zones null → "total")."""
    dtypes = {"service": codes.service, "supplier": codes.supplier, "zone": ZONE}
    plans = {}
    for name, table in INPUTS.items():
        if not table.coded:
            continue
        exprs = [(pl.col(c).fill_null("total") if code == "zone" else pl.col(c)).cast(dtypes[code]).alias(c)
                 for c, code in table.coded.items()]
        if name == "interruptions":  # the reason text is a code too: explain.py shows it
            exprs.append(pl.col("reason").cast(pl.Enum(codes.reasons)).to_physical().cast(pl.Int32).alias("reason"))
        plans[name] = snapshot.tables[name].lazy().with_columns(exprs)
    return snapshot.replace(**dict(zip(plans, collect_all(list(plans.values())), strict=True)))
