"""A year of history for a generated region: its months calculated, all but the last closed, and
each closed month paid by the residents through a bank registry (``registries.demo_registry``).

The demo shows it; the API, documents and portal tests start from it.
"""

from __future__ import annotations

import random

import polars as pl
from tqdm import tqdm

from raschet.billing.services import calculate_period, close_period
from raschet.exchange import parse_sber
from raschet.generators.plan import RegionSpec
from raschet.generators.registries import demo_registry
from raschet.payments.imports import import_registry


def calculate_year(spec: RegionSpec, show_progress: bool = True) -> list[tuple[str, int, str]]:
    """Calculate the region's twelve months, closing all but the last, and let the residents pay each
    closed month through a bank registry: a year of history to look at. Nothing changes between the
    months, so the recalculation pass of each month is skipped."""
    summary = []
    periods = [spec.last_period - back for back in range(spec.months - 1, -1, -1)]
    rng = random.Random(spec.seed)
    for period in tqdm(periods, desc="Расчёт месяцев", unit=" мес.", disable=not show_progress):
        outcome = calculate_period(period=period, recalculate_past=False, keep_lines=True)
        if period != spec.last_period:
            close_period(period=period)
            bills = outcome.lines.group_by("number").agg(pl.col("amount").sum()).sort("number")
            import_registry(parse_sber(demo_registry(period, bills.rows(), rng), f"sber-{period}.txt"), channel="sber")
        summary.append((str(period), outcome.lines.height, str(outcome.lines["amount"].sum())))
    return summary
