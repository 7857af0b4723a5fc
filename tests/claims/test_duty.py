"""State duty (domain.md §13): the worked examples and the band edges."""

from decimal import Decimal as D

import pytest

from raschet.claims.duty import claim_duty, court_order_duty


@pytest.mark.parametrize("amount, claim, order", [
    ("85000", "4000", "2000"),        # domain.md §13 worked example
    ("150000", "5500", "2750"),       # domain.md §13 worked example
    ("100000", "4000", "2000"),       # the first band includes 100,000
    ("100001", "4000", "2000"),       # 4,000 + 3 % × 1 = 4,000.03 → 4,000
    ("300000", "10000", "5000"),
    ("400000", "12500", "6250"),      # 10,000 + 2.5 % × 100,000
    ("500000", "15000", "7500"),
    ("750000", "20000", "10000"),     # 15,000 + 2 % × 250,000
    ("100016.67", "4001", "2000"),    # 4,000.50 rounds up to a whole rouble
    ("1000000000", "900000", "450000"),  # capped
])
def test_duty(amount, claim, order):
    assert claim_duty(amount) == D(claim)
    assert court_order_duty(amount) == D(order)


def test_duty_refuses_a_non_positive_amount_and_floats():
    with pytest.raises(ValueError):
        claim_duty("0")
    with pytest.raises(TypeError):
        claim_duty(100.5)
