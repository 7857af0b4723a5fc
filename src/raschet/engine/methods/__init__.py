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

# sum_of is not distributed, but like common_needs it needs the individual volumes, so it runs here.
DISTRIBUTED = frozenset({"heating", "common_needs", "sum_of"})
