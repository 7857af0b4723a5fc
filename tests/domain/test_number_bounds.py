"""The one rule for numbers from outside (issue 10, item 9): plain notation, bounded, never rounded."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.domain import bounds


@pytest.mark.parametrize("text", ["1e3", "1E+3", "1_000.00", "１２３", "٣", "NaN", "Infinity", "-inf", "0x10",
                                  "1,000.00", "1.000,00", "12 34", "", " ", "+5", "5-"])
def test_anything_but_plain_notation_is_refused(text):
    with pytest.raises(ValueError):
        bounds.parse_plain(text)


@pytest.mark.parametrize(("text", "value"), [("1 234,50", "1234.50"), ("-5", "-5"), ("0.001", "0.001"),
                                             (" 7 ", "7"), ("1\u00a0000", "1000")])
def test_plain_numbers_are_read_exactly(text, value):
    assert bounds.parse_plain(text) == Decimal(value)


def test_floats_and_booleans_are_not_numbers_from_outside():
    for value in (1.5, True, None, [1]):
        with pytest.raises(ValueError):
            bounds.parse_plain(value)


@pytest.mark.parametrize(("value", "ok"), [("100.005", False), ("100.00", True), ("0", False), ("0.01", True),
                                           ("999999999.99", True), ("1000000000", False), ("1e12", False),
                                           (Decimal("1E+100"), False), (10**60, False)])
def test_a_payment_amount_has_two_decimals_and_a_ceiling(value, ok):
    number, reason = bounds.PAYMENT_AMOUNT.read(value)
    assert (number is not None) == ok and bool(reason) != ok


def test_every_bound_fits_its_column():
    for name, bound in vars(bounds).items():
        if isinstance(bound, bounds.Bound):
            assert bound.maximum < 10 ** (bound.max_digits - bound.places), name
            assert bounds.decimals(bound.maximum) <= bound.places, name


def test_dates_beyond_the_horizon_are_refused():
    today = date(2026, 12, 1)
    assert bounds.date_reason(date(2026, 12, 4), today) is None
    assert "в будущем" in bounds.date_reason(date(2099, 1, 1), today)
    assert bounds.date_reason(date(1899, 12, 31)) is not None
