"""The engine's integer HALF_UP equals Decimal ROUND_HALF_UP, ties and negatives included."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from raschet.domain.money import round_money, round_volume
from raschet.engine.fixed import big, div_half_up, scaled, to_decimal

volumes = st.integers(-10**12, 10**12).map(lambda v: D(v).scaleb(-6))
tariffs = st.integers(0, 10**10).map(lambda v: D(v).scaleb(-6))
factors = st.sampled_from([D("1"), D("1.5"), D("1.1"), D("0.7")])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(volumes, tariffs, factors), min_size=1, max_size=50))
@example([(D("14.55"), D("52.30"), D("1")), (D("14.55"), D("52.30"), D("1.5")), (D("0.005"), D("1"), D("1")),
          (D("-0.005"), D("1"), D("1")), (D("1.0025"), D("2"), D("1")), (D("-7.333"), D("52.30"), D("1"))])
def test_amount_rounding_matches_decimal(rows):
    frame = pl.DataFrame(
        {"v": [r[0] for r in rows], "t": [r[1] for r in rows], "f": [r[2] for r in rows]},
        schema={"v": pl.Decimal(38, 6), "t": pl.Decimal(38, 6), "f": pl.Decimal(38, 4)},
    )
    product = big(scaled("v", 6)) * scaled("t", 6) * scaled("f", 4)
    got = frame.select(to_decimal(div_half_up(product, 10**14), 2)).to_series().to_list()
    assert got == [round_money(v * t * f) for v, t, f in rows]


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**15, 10**15), st.integers(1, 31), st.sampled_from([28, 29, 30, 31]))
@example(1, 1, 2)
@example(-1, 1, 2)
def test_proration_matches_decimal(micro: int, days: int, period_days: int):
    frame = pl.DataFrame({"v": [micro]}, schema={"v": pl.Int128})
    got = frame.select(to_decimal(div_half_up(pl.col("v") * days, period_days), 6)).item()
    assert got == round_volume(D(micro).scaleb(-6) * days / period_days)
