"""A payment names its period (domain.md §7 rule 1): until that period is charged the money waits as an
advance designated to it, then pays that period first and only its excess the oldest debts.

The world of ``cold_water_meter.json``: cold water by meter, March 2026 charged 383.52 (7.333 m³ ×
52.30); April, without a reading and too little history for an average, by the norm 14.55 × 52.30 =
760.97. A second account without a meter pays the norm × 1.5 = 1,141.45 each month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from raschet.billing.models import LedgerEntry
from raschet.billing.services import calculate_period, close_period, post_period
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment
from raschet.payments.services import move_payment, record_payment, reverse_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
MAR, APR = Period(2026, 3), Period(2026, 4)


@pytest.fixture
def world(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    account = data["buildings"][0]["premises"][0]["accounts"][0]
    data["buildings"][0]["premises"][0]["accounts"].append({**account, "number": "1000000002", "meters": []})
    load_scenario(data)


def pay(amount: str, on: date, named: Period | None = None, number: str = "1000000001", op: str = "") -> Payment:
    return record_payment(account_number=number, paid_on=on, amount=D(amount), named_period=named, source="cash",
                          channel="desk", operation_id=op or f"{amount}-{on}-{named}-{number}")


def rows(payment: Payment) -> list[tuple]:
    entries = LedgerEntry.objects.filter(payment_id=payment.pk).order_by("id")
    return [(e.period, e.ref_period, e.service.code if e.service else None, e.amount) for e in entries]


def advance(payment: Payment) -> Decimal:
    return -(LedgerEntry.objects.filter(payment_id=payment.pk, service__isnull=True).aggregate(s=Sum("amount"))["s"] or 0)


def test_money_for_a_period_not_charged_waits_for_it_and_old_debts_stay(world):
    calculate_period(period=MAR)
    close_period(period=MAR)  # March owes 383.52
    payment = pay("1500.00", date(2026, 4, 5), APR)
    assert rows(payment) == [("2026-04", "2026-04", None, D("-1500.00"))]  # not a kopeck on March
    assert LedgerEntry.objects.get(payment_id=payment.pk).reason == "аванс на 2026-04 (период назван плательщиком)"
    calculate_period(period=APR)
    assert advance(payment) == D("1500.00")  # calculated is not charged: still waiting
    post_period(period=APR)
    spent = [row for row in rows(payment) if row[2] is not None]
    # April first (760.97), the excess to the oldest debt, March (383.52), and 355.51 is left
    assert spent == [("2026-04", "2026-04", "cold_water", D("-760.97")), ("2026-04", "2026-03", "cold_water", D("-383.52"))]
    assert advance(payment) == D("355.51")


def test_a_named_period_already_charged_is_paid_at_once(world):
    calculate_period(period=MAR)
    close_period(period=MAR)
    payment = pay("100.00", date(2026, 4, 5), MAR)
    assert rows(payment) == [("2026-04", "2026-03", "cold_water", D("-100.00"))]


def test_a_designated_advance_pays_its_period_before_an_older_free_advance(world):
    free = pay("500.00", date(2026, 3, 10))  # nothing owed yet: a plain advance
    named = pay("400.00", date(2026, 3, 11), MAR)  # waits for March
    calculate_period(period=MAR)
    close_period(period=MAR)
    assert [row[1:] for row in rows(named) if row[2]] == [("2026-03", "cold_water", D("-383.52"))]
    assert advance(named) == D("16.48")
    assert advance(free) == D("500.00") and not [row for row in rows(free) if row[2]]


def test_a_registry_line_naming_a_later_period_waits_too(world):
    calculate_period(period=MAR)
    close_period(period=MAR)
    line = "25-04-2026;10-15-00;8626;1001;1000000001;Иванов И. И.;г. Энск;0526;700,00;700,00;0,00"
    data = (line + "\n=1;700.00;700.00;0.00;777;25-04-2026\n").encode("cp1251")
    import_registry(parse_sber(data, "r.txt"), channel="sber")
    payment = Payment.objects.get(channel="sber")
    assert payment.named_period == "2026-05"
    assert rows(payment) == [("2026-04", "2026-05", None, D("-700.00"))]
    calculate_period(period=APR)
    close_period(period=APR)  # April posted, May not: the money still waits
    assert advance(payment) == D("700.00")


def test_a_waiting_payment_reversed_or_moved_keeps_every_kopeck_in_place(world):
    calculate_period(period=MAR)
    close_period(period=MAR)
    reversed_one = pay("200.00", date(2026, 4, 5), APR)
    reverse_payment(payment=reversed_one, on=date(2026, 4, 6))
    moved = move_payment(payment=pay("300.00", date(2026, 4, 5), APR, op="moved"), to_account_number="1000000002")
    assert advance(moved) == D("300.00")  # the designation moves with the payment: it waits on 1000000002
    calculate_period(period=APR)
    close_period(period=APR)
    assert LedgerEntry.objects.filter(payment_id=reversed_one.pk).aggregate(s=Sum("amount"))["s"] == 0
    # 1000000002 owes March 1,141.45 too, but the 300.00 named April: April's 1,141.45 takes it all
    assert [row[1:] for row in rows(moved) if row[2]] == [("2026-04", "cold_water", D("-300.00"))]
    assert advance(moved) == 0
