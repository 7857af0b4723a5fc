"""Collecting lazy plans cheaply: the engine's plans are small and already written in order.

For one account the frames have a few rows, and the cost of a Polars operation is its fixed
overhead, not its work: a chain of eager calls pays it once per call, and a lazy plan collected
with the default optimisations pays for the optimiser (common-subplan search and the rest) more
than it saves.  :func:`collect` runs a plan the way an eager call runs its single step — without
the optimiser passes — so a fused plan costs about one eager call.  The plans here are written
with their filters and projections where they belong, so nothing is lost for a whole region.
"""

from __future__ import annotations

import polars as pl

# The flags of an eager DataFrame call (polars' own ``QueryOptFlags._eager``); public "none" as
# a fallback should a future Polars drop the private constructor.
_factory = getattr(pl.QueryOptFlags, "_eager", None)
FLAGS: pl.QueryOptFlags = _factory() if callable(_factory) else pl.QueryOptFlags.none()


def collect(plan: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """The plan's result, without optimiser passes (a DataFrame is returned as it is)."""
    if isinstance(plan, pl.DataFrame):
        return plan
    return plan.collect(optimizations=FLAGS)


def collect_all(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Several plans in one call (Polars runs them in parallel), without optimiser passes."""
    return pl.collect_all(plans, optimizations=FLAGS)
