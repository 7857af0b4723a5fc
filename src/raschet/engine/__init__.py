"""Raschet's calculation engine: Polars frames in, charge lines out; no Django, no database.

``calculate(snapshot, period, accounts=None)`` runs the pipeline of ``pipeline.py`` over a
:class:`Snapshot` (its input tables are declared once, in ``inputs.py``) and returns a
:class:`CalcResult`: ``frame`` — the lines in their stored form, one row per account × service ×
supplier × zone/band × segment with typed, integer-coded columns only (``explain.LINE_SCHEMA``,
codes in ``codes.py`` and ``result.codes``); ``lines`` — the same made readable on demand
(``explain.OUTPUT_SCHEMA``: text codes, Decimals, a short JSON "why"); ``problems`` (errors as
data) and ``timings`` (seconds per stage).  The same vectorised code computes one account (a
population of one) and a whole region, and gives the same lines for an account either way.

The engine computes the whole bill: charges by every method of the registry :data:`METHODS`, the
late-reading catch-up (all gap months in one pass), temporary absence and interruption reductions,
the annual heating correction in its month, and — with ``recalculation=True`` — the recalculation
difference against the ``posted`` input instead of the lines themselves.  People's text (the
key/value explanation and the one-sentence one) is made from the typed columns by
``explain.explanation`` / ``explain.sentence``, never stored per line.

Money is exact: scaled integers inside (``fixed.py``), HALF_UP to kopecks once per line; an input
beyond what the integers hold is an account's problem row (``bounds.py``), never an exception.
:func:`validate_expression` checks a ``formula`` rule before it is saved.

For the caller (the Django adapter):

* pass whole buildings (see ``snapshot.py``); big runs are cut into units of whole buildings
  internally, so memory stays bounded and the lines are the same;
* a service's monthly amount is the sum of ``amount`` over its lines, charges and reductions;
  ``excess_amount`` is the part of ``amount`` due to the increasing factor, not an extra;
* ``kind`` is charge, reduction (temporary absence, interruption: negative amount, a note) or
  recalc (the heating correction, a recalculation difference; ``ref_period`` the month corrected);
* an (account, service) with any problem has no lines at all; everything else is calculated;
* heating outside the season gives no line; a common-needs volume of 0 gives a 0.00 line;
* the average charged for months without readings, and its subtraction when a reading arrives,
  are recomputed from the readings in the snapshot, not read from past charges — a change of
  past data is the recalculation's business (``ref_period`` entries), not the engine's;
* results of units calculated apart are put together with :func:`combine` (their code tables differ).
"""

from raschet.engine.methods import METHODS
from raschet.engine.methods.formula import validate_expression
from raschet.engine.pipeline import CalcResult, calculate, combine
from raschet.engine.snapshot import Snapshot

__all__ = ["METHODS", "CalcResult", "Snapshot", "calculate", "combine", "validate_expression"]
