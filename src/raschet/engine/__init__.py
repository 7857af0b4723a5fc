"""Raschet's calculation engine: Polars frames in, charge lines out; no Django, no database.

``calculate(snapshot, period, accounts=None)`` runs the pipeline of ``pipeline.py`` over a
:class:`Snapshot` and returns a :class:`CalcResult` — ``lines`` (one row per account × service ×
supplier × zone/band × segment, columns in ``explain.OUTPUT_SCHEMA``), ``problems`` (errors as
data) and ``timings`` (seconds per stage).  The same vectorised code computes one account (a
population of one) and a whole region, and gives the same lines for an account either way.

Money is exact: scaled integers inside (``fixed.py``), Decimal columns outside, HALF_UP to
kopecks once per line.  Methods live in the explicit registry :data:`METHODS`;
:func:`validate_expression` checks a ``formula`` rule before it is saved.

For the caller (the Django adapter):

* pass whole buildings (see ``snapshot.py``); big runs are cut into units of whole buildings
  internally, so memory stays bounded and the lines are the same;
* a service's monthly amount is the sum of ``amount`` over its lines, charges and reductions;
  ``excess_amount`` is the part of ``amount`` due to the increasing factor, not an extra;
* ``kind`` is "charge" or "reduction" (temporary absence; negative amount, ``reason`` set);
* an (account, service) with any problem has no lines at all; everything else is calculated;
* heating outside the season gives no line; a common-needs volume of 0 gives a 0.00 line;
* the average charged for months without readings, and its subtraction when a reading arrives,
  are recomputed from the readings in the snapshot, not read from past charges — a change of
  past data is the recalculation's business (``ref_period`` entries), not the engine's.
"""

from raschet.engine.methods import METHODS
from raschet.engine.methods.formula import validate_expression
from raschet.engine.pipeline import CalcResult, calculate, combine
from raschet.engine.snapshot import Snapshot

__all__ = ["METHODS", "CalcResult", "Snapshot", "calculate", "combine", "validate_expression"]
