"""Payment allocation: the worked examples of domain.md §7 and the invariants that must always hold."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.allocation import Debt, allocate, is_charged, split, split_largest_share
from raschet.domain.periods import Period

D = Decimal
JAN, FEB, MAR = Period(2026, 1), Period(2026, 2), Period(2026, 3)


def test_three_way_split_of_domain_example():
    assert split_largest_share(D("1000.00"), [D("1234.56"), D("789.01"), D("456.78")]) == [
        D("497.74"), D("318.10"), D("184.16")]


def test_both_policies_give_the_domain_example_and_differ_elsewhere():
    weights = [D("1234.56"), D("789.01"), D("456.78")]
    assert split(D("1000.00"), weights, "largest_remainder") == split(D("1000.00"), weights)
    # three equal debts, 0.02 to share: HALF_UP gives 0.01 each, then −0.01 on the largest (the first)
    assert split(D("0.02"), [D("1"), D("1"), D("1")]) == [D("0.00"), D("0.01"), D("0.01")]
    assert split(D("0.02"), [D("1"), D("1"), D("1")], "largest_remainder") == [D("0.01"), D("0.01"), D("0.00")]


def test_bill_split_pro_rata():
    assert split_largest_share(D("2000"), [D("2000"), D("1000"), D("1000")]) == [D("1000"), D("500"), D("500")]


def feb_and_jan():
    return [Debt(JAN, "maintenance", "UK", D("1000.00")), Debt(FEB, "maintenance", "UK", D("600.00")),
            Debt(FEB, "cold_water", "VK", D("400.00"))]


def test_no_period_named_pays_the_oldest_first():
    shares, advance = allocate(D("1500.00"), feb_and_jan())
    assert [(s.period, s.service, s.amount) for s in shares] == [
        (JAN, "maintenance", D("1000.00")), (FEB, "maintenance", D("300.00")), (FEB, "cold_water", D("200.00"))]
    assert advance == D("0.00")


def test_named_period_first_then_the_oldest():
    shares, advance = allocate(D("1500.00"), feb_and_jan(), named=FEB)
    assert [(s.period, s.amount) for s in shares] == [(FEB, D("600.00")), (FEB, D("400.00")), (JAN, D("500.00"))]
    assert advance == 0


def test_money_left_after_all_debts_is_an_advance():
    shares, advance = allocate(D("2500.00"), feb_and_jan())
    assert sum(s.amount for s in shares) == D("2000.00") and advance == D("500.00")


def test_penalties_only_when_named():
    debts = [Debt(JAN, "maintenance", "UK", D("100.00")), Debt(JAN, "penalty", "UK", D("50.00"), penalty=True)]
    shares, advance = allocate(D("150.00"), debts)
    assert [s.service for s in shares] == ["maintenance"] and advance == D("50.00")
    shares, advance = allocate(D("150.00"), debts, pay_penalties=True)
    assert advance == 0 and {s.service for s in shares} == {"maintenance", "penalty"}


def test_periods_inside_the_limitation_come_before_older_ones():
    old = Period(2022, 1)
    debts = [Debt(old, "maintenance", "UK", D("100.00")), Debt(MAR, "maintenance", "UK", D("100.00"))]
    shares, _ = allocate(D("100.00"), debts, limitation_start=Period(2023, 4))
    assert [s.period for s in shares] == [MAR]


def test_a_named_period_not_charged_yet_takes_the_whole_payment_as_its_advance():
    """§7 rule 1: a QR naming 2026-11 must not pay the May debts because November is not posted yet."""
    may = [Debt(Period(2026, 5), "cold_water", "VK", D("760.97"))]
    shares, advance = allocate(D("1500.00"), may, named=Period(2026, 11), named_charged=False)
    assert (shares, advance) == ([], D("1500.00"))
    # once November is posted, the same money pays November first and only its excess the oldest debt
    november = [*may, Debt(Period(2026, 11), "cold_water", "VK", D("1000.00"))]
    shares, advance = allocate(D("1500.00"), november, named=Period(2026, 11))
    assert [(str(s.period), s.amount) for s in shares] == [("2026-11", D("1000.00")), ("2026-05", D("500.00"))]
    assert advance == 0


def test_without_a_named_period_the_charged_flag_changes_nothing():
    shares, advance = allocate(D("1500.00"), feb_and_jan(), named_charged=False)
    assert sum(s.amount for s in shares) == D("1500.00") and advance == 0


def test_a_period_is_charged_up_to_the_last_posted_one():
    assert is_charged(MAR, MAR) and is_charged(JAN, MAR)
    assert not is_charged(Period(2026, 4), MAR)
    assert not is_charged(JAN, None)  # nothing posted yet: every named period waits


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)


@given(payment=st.decimals(min_value=D("0"), max_value=D("500000"), places=2),
       debts=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["a", "b", "c"]), amounts), max_size=12),
       named=st.none() | st.integers(0, 5), policy=st.sampled_from(["largest_share", "largest_remainder"]),
       named_charged=st.booleans())
def test_shares_and_advance_add_up_and_no_debt_is_overpaid(payment, debts, named, policy, named_charged):
    unique = {(Period(2026, 1) + p, s): a for p, s, a in debts}
    owed = [Debt(p, s, "X", a) for (p, s), a in unique.items()]
    shares, advance = allocate(payment, owed, named=None if named is None else Period(2026, 1) + named,
                               policy=policy, named_charged=named_charged)
    assert sum((s.amount for s in shares), D(0)) + advance == payment
    if named is not None and not named_charged:
        assert shares == [] and advance == payment
        return
    assert advance >= 0
    by_key = {(d.period, d.service): d.amount for d in owed}
    for share in shares:
        assert D("0.01") <= share.amount <= by_key[(share.period, share.service)]
    if advance > 0:
        assert sum(s.amount for s in shares) == sum(by_key.values())


def test_refuses_fractions_of_a_kopeck():
    with pytest.raises(ValueError):
        allocate(D("1.005"), [])
