"""The penalty engine without a database: hand calculations row by row, the policies, the exact split."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import polars as pl
import pytest

from raschet.engine.penalties import BUCKETS, MOVEMENTS, penalty_rows, penalty_totals, split_by_weight
from raschet.engine.penalty_terms import Fractions, PenaltyTerms, terms_frames

REGIMES = [(date(2016, 1, 1), date(2022, 2, 28), "key", D("0")), (date(2022, 2, 28), date(2023, 1, 1), "fixed", D("9.5")),
           (date(2023, 1, 1), date(2027, 1, 1), "min_key", D("9.5")), (date(2027, 1, 1), None, "key", D("0"))]
STOPS = [(date(2020, 4, 6), date(2021, 1, 2), "citizen"), (date(2022, 4, 1), date(2022, 10, 2), "citizen")]


def terms(rates=((date(2025, 10, 27), D("16.5")),), stops=STOPS, **policy) -> PenaltyTerms:
    return PenaltyTerms(*terms_frames(list(rates), REGIMES, stops), **policy)


CITIZEN = Fractions()


def bucket(period="2026-03", due=date(2026, 4, 15), amount=500_000, f=CITIZEN, group="standard",
           category="citizen", account=1):
    return (account, period, group, category, due, amount, f.grace, f.first, f.step, f.second)


def pay(on: date, amount: int, period="2026-03", accrues=True, account=1, group="standard"):
    from datetime import timedelta

    return (account, period, group, on + timedelta(days=1 if accrues else 0), amount, on)


def run(buckets, moves, as_of, t=None):
    rows, problems = penalty_rows(pl.DataFrame(buckets, schema=BUCKETS, orient="row"),
                                  pl.DataFrame(moves, schema=MOVEMENTS, orient="row"), t or terms(), as_of)
    return rows, problems


def table(rows: pl.DataFrame) -> list[tuple]:
    return [(r["date_from"], r["date_to"], r["days"], r["base"], r["denominator"], r["rate"], r["amount"])
            for r in rows.iter_rows(named=True)]


def test_statement_as_of_a_date_reproduces_the_hand_calculation_row_by_row():
    """March 2026, 5,000.00 due 15.04.2026; 1,000.00 paid 01.06, 1,500.00 paid 20.07; as of 31.08.2026.

    Hand calculation (rate 9.5 % throughout: min(9.5, 16.5)):
      day 31 = 16.05, day 91 = 15.07.
      16.05–01.06  17 days × 5,000.00 × 9.5 % / 300 = 26.916… → 26.92  (payment day accrues)
      02.06–14.07  43 days × 4,000.00 × 9.5 % / 300 = 54.466… → 54.47
      15.07–20.07   6 days × 4,000.00 × 9.5 % / 130 = 17.538… → 17.54
      21.07–31.08  42 days × 2,500.00 × 9.5 % / 130 = 76.730… → 76.73
      total = 26.92 + 54.47 + 17.54 + 76.73 = 175.66
    """
    rows, problems = run([bucket()], [pay(date(2026, 6, 1), 100_000), pay(date(2026, 7, 20), 150_000)],
                         date(2026, 8, 31))
    assert problems.is_empty()
    assert table(rows) == [
        (date(2026, 5, 16), date(2026, 6, 1), 17, 500_000, 300, 95_000, 2692),
        (date(2026, 6, 2), date(2026, 7, 14), 43, 400_000, 300, 95_000, 5447),
        (date(2026, 7, 15), date(2026, 7, 20), 6, 400_000, 130, 95_000, 1754),
        (date(2026, 7, 21), date(2026, 8, 31), 42, 250_000, 130, 95_000, 7673),
    ]
    assert penalty_totals(rows)["amount"].to_list() == [17566]


def test_payment_day_excluded_by_policy_moves_the_drop_one_day_earlier():
    t = terms(payment_day_accrues=False)
    rows, _ = run([bucket()], [pay(date(2026, 6, 1), 100_000, accrues=False)], date(2026, 6, 10), t)
    # 16.05–31.05 16 days × 5,000 / 300 = 25.333 → 25.33; 01.06–10.06 10 days × 4,000 / 300 = 12.666 → 12.67
    assert table(rows) == [(date(2026, 5, 16), date(2026, 5, 31), 16, 500_000, 300, 95_000, 2533),
                           (date(2026, 6, 1), date(2026, 6, 10), 10, 400_000, 300, 95_000, 1267)]


def test_rate_of_a_paid_part_is_the_key_rate_on_its_payment_day_and_as_of_for_the_rest():
    """The key rate falls to 8 % on 01.07.2026: the part paid on 01.06 keeps min(9.5, 16.5) = 9.5 %, the
    unpaid rest takes min(9.5, 8) = 8 % (rate on the as-of date); with the as_of policy both take 8 %."""
    rates = ((date(2025, 10, 27), D("16.5")), (date(2026, 7, 1), D("8")))
    rows, _ = run([bucket()], [pay(date(2026, 6, 1), 100_000)], date(2026, 7, 10), terms(rates))
    assert [r[5] for r in table(rows)] == [95_000, 80_000]
    rows, _ = run([bucket()], [pay(date(2026, 6, 1), 100_000)], date(2026, 7, 10), terms(rates, rate_date="as_of"))
    assert [r[5] for r in table(rows)] == [80_000, 80_000]


def test_commercial_consumer_pays_1_130_from_the_day_after_the_due_date():
    # 16.04–30.04: 15 days × 5,000 × 9.5 % / 130 = 54.807… → 54.81
    rows, _ = run([bucket(f=Fractions(0, 130, None, None), category="commercial")], [], date(2026, 4, 30))
    assert table(rows) == [(date(2026, 4, 16), date(2026, 4, 30), 15, 500_000, 130, 95_000, 5481)]


def test_moratorium_covers_only_its_categories():
    """The 2022 moratorium listed for citizens only: a commercial consumer accrues through it."""
    rows, _ = run([bucket("2022-02", date(2022, 3, 10), f=Fractions(0, 130, None, None), category="commercial")],
                  [], date(2022, 4, 30), terms(((date(2022, 2, 28), D("20")),)))
    assert [(r[0], r[1]) for r in table(rows)] == [(date(2022, 3, 11), date(2022, 4, 30))]
    citizen, _ = run([bucket("2022-02", date(2022, 3, 10))], [], date(2022, 4, 30), terms(((date(2022, 2, 28), D("20")),)))
    assert citizen.is_empty()  # days 31… start on 10.04, inside the moratorium


def test_missing_key_rate_is_reported_not_guessed():
    rows, problems = run([bucket("2019-01", date(2019, 2, 10))], [], date(2019, 6, 30), terms())
    assert rows.is_empty()
    assert problems.to_dicts() == [{"account_id": 1, "ref_period": "2019-01", "rate_date": date(2019, 6, 30)}]


def test_overpayment_and_early_payment_leave_no_base():
    rows, _ = run([bucket()], [pay(date(2026, 4, 1), 600_000)], date(2026, 8, 31))
    assert rows.is_empty()


def test_later_bucket_of_a_period_is_paid_after_the_earlier_one():
    """An increase (1,000.00, due 15.05) and the original (5,000.00, due 15.04): 5,500.00 paid 20.06 pays
    the original whole and half of the increase."""
    rows, _ = run([bucket(), bucket(due=date(2026, 5, 15), amount=100_000)], [pay(date(2026, 6, 20), 550_000)],
                  date(2026, 6, 30))
    assert [(r["due"], r["date_from"], r["base"]) for r in rows.iter_rows(named=True)] == [
        (date(2026, 4, 15), date(2026, 5, 16), 500_000),
        (date(2026, 5, 15), date(2026, 6, 15), 100_000), (date(2026, 5, 15), date(2026, 6, 21), 50_000)]


def test_no_penalty_on_penalties_is_structural():
    """The engine's only debts are its buckets: a penalty never becomes a base (the accrual posts penalty
    entries without a service, which the claims sources never read as debt)."""
    assert "penalty" not in BUCKETS


@pytest.mark.parametrize("total, weights, expected", [
    (10001, [1, 1, 1], [3334, 3334, 3333]),
    (-10001, [1, 1, 1], [-3334, -3334, -3333]),
    (100, [0, 0], [100]),
    (15346, [300000, 200000], [9208, 6138]),
])
def test_split_by_weight_is_exact(total, weights, expected):
    totals = pl.DataFrame({"k": [1], "amount": [total]})
    parts = pl.DataFrame({"k": [1] * len(weights), "supplier_id": list(range(1, len(weights) + 1)), "weight": weights})
    shares = split_by_weight(totals, parts, ["k"], "supplier_id")
    assert shares["amount"].to_list() == expected
    assert sum(shares["amount"]) == total


def test_due_date_by_accrual_period_and_weekend_policy():
    t = terms()
    assert t.due_date("2026-02") == date(2026, 3, 10)
    assert t.due_date("2026-03") == date(2026, 4, 15)
    assert t.due_date("2025-12") == date(2026, 1, 10)
    shifted = terms(weekend_shift=True, non_working_days=frozenset({date(2026, 1, 12)}))
    assert shifted.due_date("2025-12") == date(2026, 1, 13)  # Sat 10.01 → Mon 12.01 (holiday) → Tue 13.01
    assert shifted.due_date("2026-03") == date(2026, 4, 15)  # a Wednesday stays


def test_fractions_refuse_nonsense():
    with pytest.raises(ValueError):
        Fractions(30, 300, 91, None)
    with pytest.raises(ValueError):
        Fractions(30, 300, 20, 130)
