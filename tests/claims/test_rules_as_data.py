"""The penalty rules are data: the seed holds the key-rate history and the legal rules, and editing a row
(as the admin does) changes the next statement without a release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from raschet.claims.models import DueDayRule, Moratorium, PenaltyPolicy, PenaltyRule, RateRegime
from raschet.claims.penalties import penalty_statement
from raschet.claims.terms import ensure_seeded
from raschet.tariffs.models import KeyRate

from .test_accrual import march_debt, pay

pytestmark = pytest.mark.django_db


def test_seed_holds_the_key_rate_history_as_one_chain_with_its_basis():
    ensure_seeded()
    rates = list(KeyRate.objects.order_by("valid_from"))
    assert len(rates) == 51 and (rates[0].valid_from, rates[0].value) == (date(2015, 8, 3), D("11"))
    assert all(a.valid_to == b.valid_from for a, b in zip(rates, rates[1:], strict=False)) and rates[-1].valid_to is None
    on = {r.valid_from: r.value for r in rates}
    assert (on[date(2022, 2, 28)], on[date(2024, 10, 28)], on[date(2025, 12, 22)]) == (D("20"), D("21"), D("16"))
    assert all("Банка России" in r.legal_basis for r in rates)
    assert RateRegime.objects.get(mode="fixed").valid_from == date(2022, 2, 28)
    assert [(m.valid_from, m.valid_to) for m in Moratorium.objects.order_by("valid_from")] == [
        (date(2020, 4, 6), date(2021, 1, 2)), (date(2022, 4, 1), date(2022, 10, 2))]
    capital = PenaltyRule.objects.get(category="citizen", group="capital_repair")
    assert (capital.step_day, capital.second_denominator) == (None, None) and "14.1" in capital.legal_basis
    assert list(DueDayRule.objects.values_list("first_period", "day")) == [("2016-01", 10), ("2026-03", 15)]


def test_a_new_due_day_row_changes_the_statement():
    march_debt()
    DueDayRule.objects.filter(first_period="2026-03").update(day=20)
    statement = penalty_statement(account_number="1000000001", as_of=date(2026, 7, 30))
    # due 20.04: 21.05–19.07 60 days × 1/300 = 95.00; 20.07–30.07 11 days × 1/130 = 40.19
    assert [(r["from"], r["to"], r["amount"]) for r in statement["rows"]] == [
        ("2026-05-21", "2026-07-19", "95.00"), ("2026-07-20", "2026-07-30", "40.19")]
    assert statement["total"] == "135.19"


def test_the_payment_day_policy_is_a_row():
    march_debt()
    pay(date(2026, 7, 30), "5000.00", "full")
    PenaltyPolicy.objects.update(payment_day_accrues=False)
    statement = penalty_statement(account_number="1000000001", as_of=date(2026, 7, 30))
    # 15.07–29.07: 15 days × 5,000 × 9.5 % / 130 = 54.81 (the payment day no longer counts)
    assert [r["amount"] for r in statement["rows"]] == ["95.00", "54.81"] and statement["total"] == "149.81"
