"""``raschet scenario run``: load a scenario, play its timeline through the services, build the result.

The result is the public ``raschet-result/1`` document of scenario-format.md: per account its entries
(posted ledger entries and the calculated lines of periods still open), balances per period,
allocations, advance and penalty statements, plus the problems met on the way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from raschet.billing.models import CalcProblem, ChargeLine, RunStatus
from raschet.billing.services import calculate_period, close_period
from raschet.claims.penalties import scenario_statement
from raschet.domain.allocation import is_charged
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.money import dec, round_money
from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.payments.models import PaymentSource
from raschet.payments.services import last_charged_period, record_payment
from raschet.scenarios.changes import apply_change
from raschet.scenarios.loader import check_scenario, load_scenario
from raschet.store import ledger
from raschet.store.ledger import PaymentEntry

NOT_YET: dict[str, str] = {}  # steps this version cannot play yet (none now)


def timeline_problems(data: dict) -> list[Problem]:
    """Steps this version cannot play are refused before anything runs, never skipped."""
    problems = []
    for index, step in enumerate(data.get("timeline", [])):
        for action, text in NOT_YET.items():
            if action in step:
                problems.append(problem("not_supported", f"timeline[{index}].{action}", what=text))
    return problems


def run_scenario(data: dict) -> dict:
    """Check, load and play a scenario; raise ``ProblemsError`` when it cannot be loaded."""
    problems = check_scenario(data) or timeline_problems(data)
    if problems:
        raise ProblemsError(problems)
    load_scenario(data, check=False)
    errors: list[dict] = []
    periods: list[Period] = []
    statements: dict[str, list[dict]] = defaultdict(list)
    for index, step in enumerate(data["timeline"]):
        try:
            play(index, step, periods, statements, errors)
        except ProblemsError as refused:  # a refused step is reported; the timeline goes on
            errors += [p.as_dict() for p in refused.problems]
    return build_result(data, sorted(set(periods)), errors, statements)


def play(index: int, step: dict, periods: list[Period], statements: dict[str, list[dict]] | None = None,
         errors: list[dict] | None = None) -> None:
    if "penalty_statement" in step:
        ask = step["penalty_statement"]
        statement = scenario_statement(ask["account"], date.fromisoformat(ask["as_of"]),
                                       f"timeline[{index}].penalty_statement.account")
        (errors if errors is not None else []).extend(statement.pop("problems"))
        if statements is not None:
            statements[ask["account"]].append(statement)
    elif "calculate" in step:
        period = Period.parse(step["calculate"])
        periods.append(period)
        calculate_period(period=period)
    elif "close" in step:
        close_period(period=Period.parse(step["close"]))
    elif "change" in step:
        apply_change(f"timeline[{index}].change", step["change"])
    elif "pay" in step:
        pay = step["pay"]
        record_payment(account_number=pay["account"], paid_on=date.fromisoformat(pay["date"]), amount=dec(pay["amount"]),
                       named_period=Period.parse(pay["period"]) if pay.get("period") else None,
                       source=PaymentSource.SCENARIO, channel=pay.get("source") or "scenario",
                       operation_id=f"timeline[{index}]")


def _text(value: Decimal, places: int | None = None) -> str:
    if places is not None:
        return f"{value:.{places}f}"
    normal = value.normalize()
    return f"{normal:f}" if normal.as_tuple().exponent <= -2 else f"{value:.2f}"


def _entry(line: ChargeLine) -> dict:
    entry = {"kind": line.kind, "period": line.period, "ref_period": line.ref_period,
             "service": line.service.code, "supplier": line.supplier.code,
             "from": line.date_from.isoformat(), "to": line.date_to.isoformat(), "method": line.method,
             "volume_source": line.volume_source, "volume": _text(line.volume, 6), "tariff": _text(line.tariff),
             "factor": f"{line.factor.normalize():f}", "amount": _text(line.amount, 2)}
    if line.zone != "total":
        entry["zone"] = line.zone
    if line.excess_amount:
        entry["excess_amount"] = _text(line.excess_amount, 2)
    if line.reason:
        entry["reason"] = line.reason
    return entry


def build_result(data: dict, periods: list[Period], errors: list[dict],
                 statements: dict[str, list[dict]] | None = None) -> dict:
    lines = (ChargeLine.objects.filter(run__status__in=[RunStatus.DONE, RunStatus.POSTED], run__simulate=False)
             .select_related("service", "supplier").order_by("period", "account_id", "service__code", "date_from",
                                                               "zone", "kind", "id"))
    by_account: dict[int, list[ChargeLine]] = defaultdict(list)
    for line in lines:
        by_account[line.account_id].append(line)
    payments = _payment_entries()
    charged = last_charged_period()
    accounts = {}
    for account in Account.objects.order_by("number"):
        own = by_account.get(account.id, [])
        paid = payments.get(account.id, [])
        allocations = [_allocation(e) for e in paid if e.service is not None]
        advance = -sum((e.amount for e in paid if e.service is None), Decimal(0))
        accounts[account.number] = {
            "entries": [_entry(line) for line in own] + _payment_rows(paid),
            "balances": _balances(account, own, paid, periods),
            "allocations": allocations, "advance": _text(advance, 2),
            "penalty_statements": (statements or {}).get(account.number, []),
        }
        designated = _designated_advance(paid, charged)
        if designated:
            accounts[account.number]["designated_advance"] = designated
    problems = CalcProblem.objects.filter(run__status__in=[RunStatus.DONE, RunStatus.POSTED]).order_by("id")
    seen = set()
    for item in problems:
        key = (item.code, item.message, item.subject)
        if key not in seen:
            seen.add(key)
            errors.append({"code": item.code, "message": item.message, "subject": item.subject})
    return {"format": "raschet-result/1", "accounts": accounts, "errors": errors}


def _payment_entries() -> dict[int, list[PaymentEntry]]:
    by_account: dict[int, list[PaymentEntry]] = defaultdict(list)
    for entry in ledger.payment_entries():
        by_account[entry.account_id].append(entry)
    return by_account


def _allocation(entry: PaymentEntry) -> dict:
    return {"payment_date": entry.paid_on.isoformat() if entry.paid_on else None,
            "ref_period": entry.ref_period, "service": entry.service, "supplier": entry.supplier,
            "amount": _text(-entry.amount, 2)}


def _designated_advance(entries: list[PaymentEntry], charged: Period | None) -> dict[str, str]:
    """The part of the advance that waits for a period its payer named and that is not charged yet,
    per period (an optional key of the result; domain.md §7 rule 1)."""
    held: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        named = entry.named_period if entry.service is None and entry.payment_id is not None else ""
        if named and not is_charged(Period.parse(named), charged):
            held[named] -= entry.amount
    return {period: _text(amount, 2) for period, amount in sorted(held.items()) if amount}


def _payment_rows(entries: list[PaymentEntry]) -> list[dict]:
    """One ``payment`` entry per payment and posting period (its allocations are listed separately)."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.payment_id is not None:
            totals[(entry.period, entry.paid_on, entry.payment_id)] += entry.amount
    return [{"kind": "payment", "period": period, "ref_period": period, "date": paid_on.isoformat(),
             "amount": _text(amount, 2)} for (period, paid_on, _), amount in totals.items() if amount]


def _balances(account: Account, lines: list[ChargeLine], paid: list[PaymentEntry], periods: list[Period]) -> dict:
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        totals[line.period][line.kind] += line.amount
    for entry in paid:
        totals[entry.period]["payment"] -= entry.amount
        if entry.period not in {str(p) for p in periods}:
            periods = sorted({*periods, Period.parse(entry.period)})
    balances, closing = {}, round_money(account.opening_balance)
    for period in periods:
        sums = totals.get(str(period), {})
        opening = closing
        charged, recalculated = sums.get("charge", Decimal(0)), sums.get("recalc", Decimal(0))
        paid, penalty = sums.get("payment", Decimal(0)), sums.get("penalty", Decimal(0))
        closing = opening + charged + recalculated + penalty - paid
        balances[str(period)] = {name: _text(round_money(value), 2) for name, value in (
            ("opening", opening), ("charged", charged), ("recalculated", recalculated), ("paid", paid),
            ("penalty", penalty), ("closing", closing))}
    return balances
