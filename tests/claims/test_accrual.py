"""Monthly penalty accrual: penalty entries through the bulk path, corrections instead of edits, reruns
that post nothing, closed periods and permissions refused; the ledger agrees with the statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from raschet.billing.models import LedgerEntry
from raschet.claims.penalties import accrue_penalties, penalty_statement
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.scenarios.runner import play

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
pytestmark = pytest.mark.django_db


def march_debt() -> None:
    """5,000.00 for March 2026 (due 15.04.2026), posted and closed, unpaid."""
    data = read_scenario(SCENARIOS / "pen_6_4_worked_example.json")
    load_scenario(data)
    for index, step in enumerate(data["timeline"][:2]):
        play(index, step, [])


def penalties() -> list[tuple[str, str, D, str]]:
    return [(e.period, e.ref_period, e.amount, e.reason) for e in LedgerEntry.objects.filter(kind="penalty").order_by("id")]


def pay(on: date, amount: str, op: str) -> None:
    record_payment(account_number="1000000001", paid_on=on, amount=amount, source=PaymentSource.SCENARIO,
                   channel="test", operation_id=op, named_period=Period.parse("2026-03"))


def test_month_by_month_with_a_late_recorded_payment_posts_a_correction_never_an_edit():
    march_debt()
    may = accrue_penalties(period=Period.parse("2026-05"))
    # 16.05–31.05: 16 days × 5,000.00 × 9.5 % / 300 = 25.333 → 25.33
    assert (may.entries, may.penalty, may.corrections) == (1, D("25.33"), D("0"))
    first = penalties()
    # a payment of 20.05 recorded only now: May's penalty was too high
    pay(date(2026, 5, 20), "2000.00", "late")
    june = accrue_penalties(period=Period.parse("2026-06"))
    # as of 31.05 now: 7.92 (16–20.05, 5,000) + 10.45 (21–31.05, 3,000) = 18.37 → correction −6.96;
    # June: 01–30.06 at 3,000: total as of 30.06 = 7.92 + 38.95 = 46.87 → 46.87 − 18.37 = 28.50
    assert (june.penalty, june.corrections) == (D("28.50"), D("-6.96"))
    assert penalties()[:1] == first  # nothing posted is touched
    assert [(p, r, a) for p, r, a, _ in penalties()] == [
        ("2026-05", "2026-03", D("25.33")), ("2026-06", "2026-03", D("28.50")), ("2026-06", "2026-03", D("-6.96"))]
    assert penalties()[2][3].startswith("Корректировка пеней")
    statement = penalty_statement(account_number="1000000001", as_of=date(2026, 6, 30))
    assert D(statement["total"]) == sum(a for _, _, a, _ in penalties()) == D("46.87")


def test_rerun_posts_nothing_and_a_closed_period_is_refused():
    march_debt()
    accrue_penalties(period=Period.parse("2026-05"))
    again = accrue_penalties(period=Period.parse("2026-05"))
    assert again.entries == 0 and len(penalties()) == 1
    with pytest.raises(ProblemsError) as refused:
        accrue_penalties(period=Period.parse("2026-03"))
    assert refused.value.problems[0].code == "period_closed"


def test_an_earlier_period_after_a_later_one_is_refused():
    march_debt()
    accrue_penalties(period=Period.parse("2026-06"))
    with pytest.raises(ProblemsError) as refused:
        accrue_penalties(period=Period.parse("2026-05"))
    assert refused.value.problems[0].code == "penalties_out_of_order"


def test_penalty_entries_are_not_debt_so_payments_never_pay_them_unnamed():
    march_debt()
    accrue_penalties(period=Period.parse("2026-06"))
    pay(date(2026, 7, 1), "6000.00", "big")
    paid = LedgerEntry.objects.filter(kind="payment", service__isnull=False)
    assert sum(e.amount for e in paid) == D("-5000.00")  # the principal only; the rest is an advance
    advance = LedgerEntry.objects.get(kind="payment", service__isnull=True)
    assert advance.amount == D("-1000.00")


def test_a_user_without_the_permission_is_refused_and_nothing_is_written():
    march_debt()
    clerk = User.objects.create_user("clerk", password="x")
    with pytest.raises(ProblemsError) as refused:
        accrue_penalties(period=Period.parse("2026-05"), actor=clerk)
    assert refused.value.problems[0].code == "forbidden"
    assert not penalties()
    clerk.user_permissions.add(Permission.objects.get(codename="accrue_penalties"))
    clerk = User.objects.get(pk=clerk.pk)  # permissions are cached per instance
    assert accrue_penalties(period=Period.parse("2026-05"), actor=clerk).entries == 1


@pytest.mark.django_db(transaction=True)
def test_two_accruals_of_one_period_at_once_post_it_once():
    """The posting period's row is locked first (the lock order): the second run waits, then sees the
    first's entries and posts nothing. SQLite has one writer anyway."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    march_debt()
    results, errors = [], []

    def work() -> None:
        try:
            results.append(accrue_penalties(period=Period.parse("2026-05")).entries)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [0, 1]
    assert [a for _, _, a, _ in penalties()] == [D("25.33")]


@pytest.mark.django_db(transaction=True)
def test_a_payment_written_during_the_accrual_waits_for_it_and_comes_after_the_kept_mark(monkeypatch):
    """The whole region's accrual holds every open period, the next one too: a payment of today into
    June waits until May's accrual has committed its state, so its entries are above the state's mark
    and June's accrual reads them (were it written beside, a second writer could commit an id below
    the mark while this one was half-way, and the state would never see it)."""
    import threading
    import time

    from django.db import connection, connections

    from raschet.billing.locks import ensure_periods
    from raschet.claims import sources
    from raschet.claims.models import PenaltyState

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    march_debt()
    ensure_periods([Period.parse("2026-06")])  # the row exists: only its lock can make the payment wait
    inside, finished = threading.Event(), {}
    mark = sources.last_entry_id

    def slow_mark() -> int:
        inside.set()
        time.sleep(1.5)
        return mark()

    monkeypatch.setattr(sources, "last_entry_id", slow_mark)

    def accrue() -> None:
        try:
            accrue_penalties(period=Period.parse("2026-05"))
            finished["accrual"] = time.monotonic()
        finally:
            connections.close_all()

    def payment() -> None:
        try:
            inside.wait(30)
            pay(date(2026, 6, 2), "1000.00", "during")
            finished["payment"] = time.monotonic()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accrue), threading.Thread(target=payment)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert finished["payment"] > finished["accrual"]
    state = PenaltyState.objects.get()
    assert min(LedgerEntry.objects.filter(payment__operation_id="during").values_list("id", flat=True)) > state.mark
    assert accrue_penalties(period=Period.parse("2026-06")).kept
