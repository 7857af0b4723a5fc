"""One engine pass for several as-of dates gives each date's rows exactly as a pass of its own."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from raschet.engine.penalties import BUCKETS, MOVEMENTS, penalty_rows, penalty_rows_at
from raschet.engine.penalty_terms import PenaltyTerms, terms_frames

TERMS = PenaltyTerms(*terms_frames([(date(2025, 6, 9), Decimal("20")), (date(2025, 10, 27), Decimal("16.5")),
                                    (date(2026, 2, 16), Decimal("15.5"))],
                                   [(date(2025, 1, 1), date(2026, 1, 1), "min_key", Decimal("9.5"))],
                                   [(date(2025, 9, 1), date(2025, 11, 1), "citizen")]))
PERIODS = ["2025-03", "2025-04", "2025-05", "2025-06"]


@st.composite
def worlds(draw):
    buckets, moves = [], []
    for account in range(1, draw(st.integers(1, 4)) + 1):
        for period in draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=3, unique=True)):
            due = date(int(period[:4]), int(period[5:]) + 1, 10)
            buckets.append((account, period, "standard", "citizen", due, draw(st.integers(1, 500_000)),
                            30, 300, 91, 130))
            for _ in range(draw(st.integers(0, 3))):
                paid = due + timedelta(days=draw(st.integers(-5, 400)))
                moves.append((account, period, "standard", paid + timedelta(days=1),
                              draw(st.integers(-20_000, 300_000)), paid))
    return (pl.DataFrame(buckets, schema=BUCKETS, orient="row"),
            pl.DataFrame(moves, schema=MOVEMENTS, orient="row"))


@settings(max_examples=60, deadline=None)
@given(worlds(), st.integers(0, 500), st.integers(1, 60))
def test_one_pass_equals_a_pass_per_date(world, offset, gap):
    buckets, moves = world
    early = date(2025, 4, 1) + timedelta(days=offset)
    late = early + timedelta(days=gap)
    together = penalty_rows_at(buckets, moves, TERMS, [early, late])
    for as_of, (rows, problems) in zip([early, late], together, strict=True):
        alone_rows, alone_problems = penalty_rows(buckets, moves, TERMS, as_of)
        assert rows.equals(alone_rows)
        assert problems.equals(alone_problems)
    old = _old_engine()
    for as_of, (rows, _) in zip([early, late], together, strict=True):
        assert rows.equals(old.penalty_rows(buckets, moves, TERMS, as_of)[0])


def _old_engine():
    """The engine as it was before the one-pass change (kept beside this test)."""
    path = Path(__file__).with_name("penalties_two_pass.py")
    spec = importlib.util.spec_from_file_location("penalties_two_pass", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
