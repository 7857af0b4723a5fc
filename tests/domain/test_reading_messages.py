"""The reading check's messages write readings and dates the Russian way: «155», «155,5», «22.11.2026»
— never the column's «155.0000000» or an ISO date."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.domain.readings import MeterFacts, date_text, reading_problems, reading_text

D = Decimal


@pytest.mark.parametrize(("value", "text"), [(D("155.0000000"), "155"), (D("155.5000000"), "155,5"),
                                             (D("100"), "100"), (D("1E+2"), "100"), (D("0.0000000"), "0"),
                                             (D("12345.678"), "12345,678")])
def test_a_reading_has_a_decimal_comma_and_no_trailing_zeros(value, text):
    assert reading_text(value) == text


def test_a_date_is_day_month_year():
    assert date_text(date(2026, 11, 22)) == "22.11.2026"


def test_a_reading_below_the_previous_names_both_the_russian_way():
    history = [(date(2026, 10, 22), D("140.0000000")), (date(2026, 11, 22), D("155.0000000"))]
    found = reading_problems(MeterFacts("ХВС-1", unit="m3"), date(2026, 12, 20), "150.50", history, "прибор ХВС-1")
    assert [p.code for p in found] == ["readings_backwards"]
    assert found[0].message.startswith("Показание 150,5 на 20.12.2026 меньше предыдущего 155 на 22.11.2026.")
    assert "0000" not in found[0].message and "2026-" not in found[0].message


def test_an_implausible_reading_names_the_consumption_and_limit_the_russian_way():
    history = [(date(2026, 10, 22), D("140.0000000")), (date(2026, 11, 22), D("155.0000000"))]
    found = reading_problems(MeterFacts("ХВС-1", unit="m3"), date(2026, 12, 22), "1155,25", history, "прибор ХВС-1")
    assert [p.code for p in found] == ["implausible_reading"]
    assert "Показание 1155,25 прибора ХВС-1 даёт расход 1000,25 с 22.11.2026, а правдоподобно не больше 147 (в 10 раз" \
           in found[0].message


def test_a_reading_too_long_for_the_register_is_shown_as_read():
    found = reading_problems(MeterFacts("ХВС-1", digits=5, unit="m3"), date(2026, 12, 22), "123456.500", [], "x")
    assert [p.code for p in found] == ["reading_digits"] and found[0].message.startswith("Показание 123456,5 прибора")
