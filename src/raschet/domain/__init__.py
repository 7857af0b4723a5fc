"""The pure-Python core of Raschet: money, periods, dated values, identifiers, errors.

Standard library only (an import-linter contract forbids Django, Polars and the apps), so
everything here can be used by the engine, the apps and the tests alike.
"""

from raschet.domain.errors import CODES, Problem, ProblemsError, problem
from raschet.domain.money import (
    KOPECK,
    VOLUME_QUANTUM,
    dec,
    format_money,
    money,
    round_money,
    round_volume,
    split_largest_remainder,
)
from raschet.domain.periods import Period
from raschet.domain.ranges import DateRange, find_overlaps
from raschet.domain.series import Dated, DatedSeries, OverlapError, segment_bounds

__all__ = [
    "CODES",
    "KOPECK",
    "VOLUME_QUANTUM",
    "DateRange",
    "Dated",
    "DatedSeries",
    "OverlapError",
    "Period",
    "Problem",
    "ProblemsError",
    "dec",
    "find_overlaps",
    "format_money",
    "money",
    "problem",
    "round_money",
    "round_volume",
    "segment_bounds",
    "split_largest_remainder",
]
