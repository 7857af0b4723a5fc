"""The catch-up after a late reading recalculates the months without a reading
(``pipeline.past_volumes``) for the late chains only, from a snapshot cut down to them: what it
finds a month charged must be exactly what that month's own calculation charged, whichever other
chains are recalculated with it."""

from __future__ import annotations

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import calculate
from raschet.engine.pipeline import past_volumes
from raschet.engine.synthetic import Shape, region

KEYS = ["account_id", "service", "zone", "volume_source"]


def _snapshot():
    return region(Shape(accounts=150, min_premises=40, max_premises=60, missing_reading=0.3, no_meter=0.1,
                        changes=0.2, seed=5)).checked()


def _charged(snapshot, month: Period) -> pl.DataFrame:
    """The metered volumes (10⁻⁶) of each chain as the month's own calculation charged them."""
    lines = calculate(snapshot, month).lines.filter(pl.col("method") == "metered")
    return lines.group_by(KEYS).agg((pl.col("volume") * 10**6).cast(pl.Int64).sum()).sort(KEYS)


def test_past_volumes_are_what_the_month_charged():
    snapshot, month = _snapshot(), Period.parse("2026-03")
    charged = _charged(snapshot, month)
    chains = charged.select("account_id", "service").unique().sort("account_id", "service")
    assert set(charged["volume_source"]) >= {"meter", "average", "norm"}
    assert past_volumes(snapshot, month, chains).equals(charged)


def test_a_chain_is_recalculated_the_same_alone_and_with_others():
    snapshot, month = _snapshot(), Period.parse("2026-03")
    chains = _charged(snapshot, month).select("account_id", "service").unique().sort("account_id", "service")
    together = past_volumes(snapshot, month, chains)
    for chain in chains.filter(pl.col("account_id").is_in([3, 41, 97, 150])).iter_rows(named=True):
        alone = past_volumes(snapshot, month, pl.DataFrame([chain]))
        mine = together.filter((pl.col("account_id") == chain["account_id"]) & (pl.col("service") == chain["service"]))
        assert alone.equals(mine), chain
