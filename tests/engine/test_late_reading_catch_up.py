"""The catch-up after a late reading recalculates the months without a reading
(``pipeline.past_volumes``) for the late chains only, from a snapshot cut down to them: what it
finds a month charged must be exactly what that month's own calculation charged, whichever other
chains are recalculated with it."""

from __future__ import annotations

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import calculate
from raschet.engine.pipeline import past_volumes
from raschet.generators.snapshot import Shape, region

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


def _with_gaps(snapshot):
    """Four older monthly readings per register (July to October 2025), then gaps: every third meter
    has no reading from December to February, every sixth none from November either; read again
    in March, they are late — three months by the average, or three by the average and one by the norm."""
    readings = snapshot.readings
    first = readings.sort("date").group_by("meter_id", "zone").first()
    older = pl.concat([first.with_columns(pl.date(2025, 6 + back, 25).alias("date"),
                                          (pl.col("value") - (5 - back) * 7).alias("value"))
                       for back in range(1, 5)]).select(readings.columns)
    gap = ((pl.col("meter_id") % 3 == 0) & (pl.col("date") > pl.date(2025, 12, 1))
           & (pl.col("date") < pl.date(2026, 3, 1))) | ((pl.col("meter_id") % 6 == 0) & (pl.col("date").dt.month() == 11))
    return snapshot.replace(readings=pl.concat([older, readings]).filter(~gap))


def test_the_one_pass_catch_up_equals_recalculating_each_month(monkeypatch):
    """The gap months computed together (methods/catchup.py) charge exactly what each month's own
    calculation charged (``past_volumes``, the whole pipeline per month)."""
    import importlib

    from raschet.engine import pipeline

    metered = importlib.import_module("raschet.engine.methods.metered")
    snapshot, march = _with_gaps(_snapshot()), Period.parse("2026-03")
    vectorised = calculate(snapshot, march)
    seen = {}
    original = pipeline.past_segments

    def recording(unit, codes, late, start, end):
        seen.update(unit=unit, codes=codes)
        return original(unit, codes, late, start, end)

    def per_month(past, meters, valid, pos, late):
        parts = [past_volumes(seen["unit"], Period(k // 12, k % 12 + 1),
                              late.filter(pl.col("first_gap") <= k).drop("first_gap"), seen["codes"])
                 .with_columns(pl.lit(k, dtype=pl.Int64).alias("month"))
                 for k in range(late["first_gap"].min(), march.year * 12 + march.month - 1)]
        keys = ["account_id", "service", "zone", "volume_source", "month"]
        return pl.concat(parts).select(*keys, "volume").sort(keys)

    monkeypatch.setattr(pipeline, "past_segments", recording)
    monkeypatch.setattr(metered, "charged_months", per_month)
    reference = calculate(snapshot, march)
    late = vectorised.lines.filter(pl.col("explanation").str.contains("вычтено"))
    assert late.height >= 10
    assert late["explanation"].str.contains(r"по среднему [1-9]\S* \(3 мес\.\), по нормативу [1-9]\S* \(1 мес").any()
    assert late["explanation"].str.contains(r"по среднему [1-9]\S* \(3 мес\.\), по нормативу 0 \(0 мес").any()
    assert vectorised.lines.equals(reference.lines)
    assert vectorised.problems.equals(reference.problems)
