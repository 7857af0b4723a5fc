"""Tests for exact money: the one constructor, HALF_UP rounding and largest-remainder splits."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.money import (
    KOPECK,
    dec,
    format_money,
    from_kopecks,
    money,
    round_money,
    round_volume,
    split_largest_remainder,
    to_kopecks,
)


def test_worked_example_rounds_half_up_not_bankers():
    amount = dec("14.55") * dec("52.30")
    assert amount == Decimal("760.965")
    assert round_money(amount) == Decimal("760.97")
    assert amount.quantize(KOPECK, rounding=ROUND_HALF_EVEN) == Decimal("760.96")  # what we must avoid


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [
        ("-0.005", "-0.01"),
        ("2.675", "2.68"),
        ("0.004", "0.00"),
        ("1.005", "1.01"),
        ("-2.675", "-2.68"),
        ("7", "7.00"),
    ],
)
def test_round_money_examples(raw, rounded):
    result = round_money(dec(raw))
    assert result == Decimal(rounded)
    assert result.as_tuple().exponent == -2


def test_round_money_never_returns_negative_zero():
    assert str(round_money(dec("-0.004"))) == "0.00"


def test_round_money_accepts_int_from_empty_sum_but_refuses_float():
    assert round_money(sum([])) == Decimal("0.00")
    with pytest.raises(TypeError):
        round_money(0.5)


def test_round_volume_keeps_six_decimals_half_up():
    assert round_volume(dec("17.78333333")) == Decimal("17.783333")
    assert round_volume(dec("0.0000005")) == Decimal("0.000001")
    assert round_volume(dec("123456789012345678901234.5")).as_tuple().exponent == -6


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("\u00a01\u202f234,5 ", "1234.5"),
        ("-0,5", "-0.5"),
        ("52.30", "52.30"),
        ("1e3", "1E+3"),
        (7, "7"),
        (Decimal("0.1"), "0.1"),
    ],
)
def test_dec_accepts_exact_inputs(raw, expected):
    assert dec(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", [0.1, True, None, [1]])
def test_dec_refuses_floats_bools_and_other_types(raw):
    with pytest.raises(TypeError, match="строку"):
        dec(raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-inf", "abc", "", "1,2.3", "1,2,3", Decimal("NaN")])
def test_dec_refuses_non_numbers_naming_the_value(raw):
    with pytest.raises(ValueError) as info:
        dec(raw)
    assert str(raw) in str(info.value)


def test_money_builds_and_rounds():
    assert money("1 234,565") == Decimal("1234.57")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234.56", "1 234,56"),
        ("-1234567.891", "-1 234 567,89"),
        ("0", "0,00"),
        ("999.5", "999,50"),
        ("-0.001", "0,00"),
    ],
)
def test_format_money(amount, text):
    assert format_money(dec(amount)) == text


def test_kopecks_round_trip_and_refuse_fractions():
    assert to_kopecks(dec("5230.45")) == 523045
    assert from_kopecks(523045) == Decimal("5230.45")
    with pytest.raises(ValueError, match="копейки"):
        to_kopecks(dec("1.005"))


def test_split_hands_leftover_kopecks_to_largest_remainders_earlier_first():
    assert split_largest_remainder(dec("1.00"), [dec(1)] * 3) == [dec("0.34"), dec("0.33"), dec("0.33")]
    assert split_largest_remainder(dec("0.05"), [dec(1), dec(2), dec(2)]) == [
        dec("0.01"),
        dec("0.02"),
        dec("0.02"),
    ]
    assert split_largest_remainder(dec("0.02"), [dec(1), dec(1), dec(1)]) == [
        dec("0.01"),
        dec("0.01"),
        dec("0.00"),
    ]


def test_split_negative_total_rounds_towards_zero():
    assert split_largest_remainder(dec("-1.00"), [dec(1)] * 3) == [dec("-0.34"), dec("-0.33"), dec("-0.33")]


def test_split_gives_nothing_to_zero_weights():
    assert split_largest_remainder(dec("10"), [dec(0), dec(1), dec(0)]) == [
        dec("0.00"),
        dec("10.00"),
        dec("0.00"),
    ]


def test_split_payment_across_services_pro_rata():
    # Domain §8: 500 ₽ left for February is spread over its services in proportion to their debts.
    # Exact shares are 166.665, 166.665 and 166.67: the spare kopeck goes to the first tie.
    shares = split_largest_remainder(dec("500"), [dec("333.33"), dec("333.33"), dec("333.34")])
    assert shares == [dec("166.67"), dec("166.66"), dec("166.67")]
    assert sum(shares) == dec("500.00")


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (dec("1"), [dec(0), dec(0)], ValueError),
        (dec("1"), [], ValueError),
        (dec("1"), [dec(1), dec(-1)], ValueError),
        (dec("1.001"), [dec(1)], ValueError),
        (dec("1"), [0.5], TypeError),
    ],
)
def test_split_refuses_bad_input(total, weights, error):
    with pytest.raises(error):
        split_largest_remainder(total, weights)


amounts = st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6)


@given(amounts)
def test_round_money_agrees_with_decimal_half_up(x):
    assert round_money(x) == x.quantize(KOPECK, rounding=ROUND_HALF_UP)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_ties_go_away_from_zero_unlike_bankers(kopecks):
    tie = Decimal(kopecks) / 100 + (Decimal("0.005") if kopecks >= 0 else Decimal("-0.005"))
    rounded = round_money(tie)
    assert abs(rounded) == abs(tie) + Decimal("0.005")
    if kopecks % 2 == 0:  # banker's rounding keeps the even kopeck, so the two must differ
        assert rounded != tie.quantize(KOPECK, rounding=ROUND_HALF_EVEN)


weights_lists = st.lists(
    st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=3),
    min_size=1,
    max_size=12,
).filter(lambda ws: any(w > 0 for w in ws))


@given(st.integers(min_value=-(10**9), max_value=10**9), weights_lists)
def test_split_adds_up_exactly_and_stays_within_a_kopeck(kopecks, weights):
    total = from_kopecks(kopecks)
    shares = split_largest_remainder(total, weights)
    assert sum(shares) == total
    weight_sum = sum(Fraction(w) for w in weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = Fraction(total) * Fraction(weight) / weight_sum
        assert abs(Fraction(share) - exact) < Fraction(1, 100)
        assert share.as_tuple().exponent == -2
