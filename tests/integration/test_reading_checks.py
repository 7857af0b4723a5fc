"""Readings from every source go through one check (issue 10, item 7): in a bank registry a bad
reading is an error row of its line — the payment is still taken — and the summary reports it."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.domain.readings import MeterFacts, reading_problems
from raschet.exchange import parse_sber
from raschet.metering.models import Meter, Reading
from raschet.metering.services import enter_reading
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentRegistry
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def line(reading: str, day: int = 25, amount: str = "100,00") -> str:
    return (f"{day:02d}-04-2026;10-{day:02d}-00;8626;1001;1000000001;Иванов И. И.;г. Энск;0326;{amount};{amount};"
            f"0,00;CW-1;{reading}")


def registry(*lines: str) -> bytes:
    total = sum((D(x.split(";")[8].replace(",", ".")) for x in lines), D(0))
    return ("\n".join([*lines, f"={len(lines)};{total};{total};0.00;7;25-04-2026"]) + "\n").encode("cp1251")


@pytest.fixture
def five_digit_meter(scenario_path):
    """CW-1 (5-digit register): 123.456 on 25.02, 130.789 on 25.03; March calculated and closed."""
    data = read_scenario(scenario_path("cold_water_meter.json"))
    data["buildings"][0]["premises"][0]["accounts"][0]["meters"][0]["digits"] = 5
    load_scenario(data)
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


@pytest.mark.parametrize(("reading", "code"), [
    ("99999999", "reading_digits"),        # 5,851,942,067.72 ₽ of cold water with "0 errors" before
    ("1e20", "invalid_value"),              # made every later calculation fail before
    ("abc", "invalid_value"),
    ("-3", "invalid_value"),
    ("100.5", "implausible_reading"),       # below 130.789: on a 5-digit register, 99,969.7 m³ over zero
    ("600", "implausible_reading"),         # 469 m³ in a month, the average being 7.3
])
def test_a_bad_registry_reading_is_an_error_row_and_the_payment_is_taken(five_digit_meter, reading, code):
    summary = import_registry(parse_sber(registry(line(reading)), "r.txt"))
    assert (summary.imported, summary.readings) == (1, 0)
    [item] = summary.problems
    assert (item.subject, item.code) == ("r.txt:1", code)
    assert "показаний отклонено: 1" in summary.text()
    assert PaymentRegistry.objects.get().problems == [item.as_dict()]
    assert Payment.objects.get().amount == D("100.00")
    assert not Reading.objects.filter(source="registry").exists()
    outcome = calculate_period(period=Period(2026, 4))  # the later month is unaffected
    assert outcome.run.problems == 0


def test_good_readings_of_one_registry_are_checked_against_each_other(five_digit_meter):
    summary = import_registry(parse_sber(registry(line("137.9", day=10), line("145,2", day=24), line("1.5", day=25)),
                                         "r.txt"))
    assert (summary.imported, summary.readings) == (3, 2)
    assert [(p.subject, p.code) for p in summary.problems] == [("r.txt:3", "implausible_reading")]
    assert list(Reading.objects.filter(source="registry").values_list("value", flat=True)) == [D("137.9"), D("145.2")]


def test_the_operator_may_confirm_an_implausible_reading_and_a_registry_may_not(five_digit_meter):
    meter = Meter.objects.get(code="CW-1")
    with pytest.raises(ProblemsError) as refused:
        enter_reading(meter=meter, on=date(2026, 4, 25), value="600")
    assert refused.value.problems[0].code == "implausible_reading"
    assert "подтвердить" in refused.value.problems[0].message
    assert enter_reading(meter=meter, on=date(2026, 4, 25), value="600", confirmed=True).value == D("600")
    with pytest.raises(ProblemsError):  # confirming does not lift the register's digits
        enter_reading(meter=meter, on=date(2026, 4, 26), value="123456", confirmed=True)


def test_the_one_check_rolls_over_a_declared_register():
    history = [(date(2026, 1, 25), D("99990")), (date(2026, 2, 25), D("99995"))]
    meter = MeterFacts("ХВС-1", digits=5, unit="m3")
    assert reading_problems(meter, date(2026, 3, 25), "3", history, "s") == []  # 8 m³ over zero
    assert reading_problems(MeterFacts("ХВС-1", unit="m3"), date(2026, 3, 25), "3", history, "s")[0].code == \
        "readings_backwards"
    assert reading_problems(meter, date(2026, 3, 25), "3.1234567", history, "s")[0].code == "invalid_value"


def test_the_operators_admin_form_uses_the_same_check(five_digit_meter):
    from raschet.metering.admin import ReadingForm

    meter = Meter.objects.get(code="CW-1")
    data = {"meter": meter.pk, "date": "2026-04-25", "zone": "total", "value": "600", "source": "operator"}
    form = ReadingForm(data=data)
    assert not form.is_valid() and "подтвердить" in form.errors["value"][0]
    assert ReadingForm(data={**data, "confirmed": "on"}).is_valid()
    assert "разрядный" in ReadingForm(data={**data, "value": "100000", "confirmed": "on"}).errors["value"][0]


def test_a_scenario_change_with_a_reading_below_the_meters_history_is_a_reported_error(scenario_path):
    from raschet.scenarios.runner import run_scenario

    data = read_scenario(scenario_path("cold_water_meter.json"))
    data["timeline"] += [{"change": {"meter": "CW-1", "readings": [{"date": "2026-04-25", "value": "100"}]}},
                         {"change": {"meter": "CW-1", "readings": [{"date": "2026-04-26", "value": "140"}]}}]
    result = run_scenario(data)
    assert [(e["code"], e["subject"]) for e in result["errors"]] == [("readings_backwards",
                                                                      "timeline[1].change.readings[0]")]
    assert list(Reading.objects.filter(date__gte=date(2026, 4, 1)).values_list("value", flat=True)) == [D("140")]
