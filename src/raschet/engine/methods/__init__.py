"""The registry of calculation methods: one explicit dict, no import side effects.

Every method has the signature ``(segments, context, individual_volumes) -> (volume lines,
problem rows)`` (see ``methods/base.py``).  A rule naming a method that is not here is an error
row ``unknown_method``.  Methods in :data:`DISTRIBUTED` share out a building's volume and run in
the common-house distribution stage, after the individual methods, because ``common_needs``
subtracts the individual volumes of the whole building.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from raschet.engine.methods.building import common_needs, heating
from raschet.engine.methods.formula import formula
from raschet.engine.methods.metered import metered
from raschet.engine.methods.simple import area, norm
from raschet.engine.methods.sum_of import sum_of

Method = Callable[..., tuple[pl.DataFrame, pl.DataFrame]]

METHODS: dict[str, Method] = {
    "metered": metered,
    "norm": norm,
    "area": area,
    "heating": heating,
    "common_needs": common_needs,
    "formula": formula,
    "sum_of": sum_of,
}

# sum_of shares nothing out, but it is built on the individual volumes, so it runs in this stage too.
DISTRIBUTED = frozenset({"heating", "common_needs", "sum_of"})
# Methods of the distribution stage that receive the individual methods' volumes — the volume lines
# (seg_id, zone, volume_source, volume, factor, …) with their segment's account_id, building_id,
# service, date_from, date_to and days, one row per volume line: common needs sums them per
# building, ``sum_of`` (wastewater as cold + hot water) per account and days.
USES_INDIVIDUAL = frozenset({"common_needs", "sum_of"})
