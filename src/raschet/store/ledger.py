"""The one reader of the ledger: ``billing_entry`` (every posted entry) and ``billing_balance`` (each
closed period's closing snapshot), for a set of accounts at once, in exact kopecks.

Every caller that needs sums of the ledger — the payments' allocation (debts, advances), the cash
desk and the card (where an account stands), the card's months, the documents (opening balance and
the period's movements), the API (balances by period) — reads them here, so that they never
disagree and so that the ledger's storage can change under them (issue 12) in this module only.

Sums are taken in SQL over integer kopecks (:func:`raschet.store.exact.units`), exact on SQLite
(which keeps numerics as floating point) and PostgreSQL alike; a set of accounts goes as one array
parameter on PostgreSQL and as chunks of placeholders on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from raschet.domain.periods import Period
from raschet.statements import fetch
from raschet.store.exact import units
from raschet.store.sql import by_ids

KOPECKS = units("amount")
ZERO = Decimal("0.00")


def _money(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


# ---------------------------------------------------------------- what is owed and held

def principal(account_ids: Iterable[int]) -> list[tuple[int, str, int, int, Decimal]]:
    """(account, accrual period, service, supplier, balance) of every accrual period × service ×
    supplier of the accounts with a positive balance, penalties left out, ordered by those keys."""
    # Paid-up groups are left in SQL: after a year of monthly payments they are four in five.
    rows = by_ids(f"""SELECT account_id, ref_period, service_id, supplier_id, SUM({KOPECKS})
                      FROM billing_entry WHERE account_id IN ({{ids}}) AND service_id IS NOT NULL
                      AND kind <> 'penalty' GROUP BY account_id, ref_period, service_id, supplier_id
                      HAVING SUM({KOPECKS}) > 0""", [], account_ids)
    rows.sort()  # by the group's keys: they are unique, so the sum never decides
    return [(a, ref, service, supplier, _money(kopecks)) for a, ref, service, supplier, kopecks in rows]


def advances(account_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal, Period | None]]]:
    """The advance each account holds, per payment it came from, oldest payment first, with the
    period that payment's payer named (its advance is designated to it, domain.md §7 rule 1)."""
    rows = by_ids(f"""SELECT e.account_id, e.payment_id, MAX(p.named_period), SUM({units("e.amount")})
                      FROM billing_entry e LEFT JOIN payments_payment p ON p.id = e.payment_id
                      WHERE e.account_id IN ({{ids}}) AND e.service_id IS NULL AND e.kind = 'payment'
                      GROUP BY e.account_id, e.payment_id""", [], account_ids)
    result: dict[int, list[tuple[int, Decimal, Period | None]]] = defaultdict(list)
    for account_id, payment_id, named, kopecks in sorted(rows, key=lambda r: (r[0], r[1] or 0)):
        if kopecks < 0:
            result[account_id].append((payment_id, _money(-kopecks), Period.parse(named) if named else None))
    return result


def penalties(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """The penalties each account has been charged in all (entries of kind ``penalty``)."""
    rows = by_ids(f"SELECT account_id, SUM({KOPECKS}) FROM billing_entry WHERE kind = 'penalty' "
                  "AND account_id IN ({ids}) GROUP BY account_id", [], account_ids)
    return {account_id: _money(kopecks) for account_id, kopecks in rows}


def balances(account_ids: Iterable[int], period: Period) -> dict[int, Decimal]:
    """Each account's balance at the end of ``period`` straight from the entries (every entry posted
    up to the period, no snapshot): what a payment document's total must equal."""
    rows = by_ids(f"SELECT account_id, SUM({KOPECKS}) FROM billing_entry WHERE period <= %s "
                  "AND account_id IN ({ids}) GROUP BY account_id", [str(period)], account_ids)
    return {account_id: _money(kopecks) for account_id, kopecks in rows}


# ---------------------------------------------------------------- movements by period

@dataclass(frozen=True)
class Movement:
    """A sum of the ledger per account × supplier × service: ``kind`` is ``opening`` (the balance at
    the start of the period) or the kind of the period's entries (charge, recalc, correction,
    payment, penalty). No supplier and no service: the advance not yet allotted."""

    account_id: int
    supplier_id: int | None
    service_id: int | None
    kind: str
    amount: Decimal


def movements(account_ids: Sequence[int], period: Period) -> list[Movement]:
    """The opening balance and the period's entries by kind: the last closed period's snapshot before
    ``period`` (billing_balance) and the entries after it, up to ``period`` (billing_entry)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(period) FROM billing_balance WHERE period < %s", [str(period)])
        snapshot = cursor.fetchone()[0] or ""
    sums: dict[tuple, int] = defaultdict(int)
    if snapshot:
        for account_id, supplier_id, service_id, kopecks in by_ids(
                f"SELECT account_id, supplier_id, service_id, {units('closing')} FROM billing_balance "
                "WHERE period = %s AND account_id IN ({ids})", [snapshot], account_ids):
            sums[(account_id, supplier_id, service_id, "opening")] += kopecks
    for account_id, supplier_id, service_id, kind, kopecks in by_ids(
            f"""SELECT account_id, supplier_id, service_id, CASE WHEN period < %s THEN 'opening' ELSE kind END,
                       SUM({KOPECKS}) FROM billing_entry
                WHERE period > %s AND period <= %s AND account_id IN ({{ids}}) GROUP BY 1, 2, 3, 4""",
            [str(period), snapshot, str(period)], account_ids):
        sums[(account_id, supplier_id, service_id, kind)] += kopecks
    return [Movement(a, o, s, k, _money(v)) for (a, o, s, k), v in sorted(
        sums.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0, item[0][3])) if v]


def sums_by_period(account_id: int) -> dict[Period, dict[str, Decimal]]:
    """One account's entries summed per posting period and kind, over all periods (one query)."""
    rows = fetch(f"SELECT period, kind, SUM({KOPECKS}) FROM billing_entry WHERE account_id = %s "
                 "GROUP BY period, kind", [account_id])
    sums: dict[Period, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for period, kind, kopecks in rows:
        sums[Period.parse(period)][kind] += _money(kopecks)
    return sums


def period_sums(account_id: int, first: Period, last: Period) -> tuple[Decimal, dict[str, dict[str, Decimal]]]:
    """One account's balance before ``first`` and its entries of each period ``first`` … ``last`` by
    kind, in one statement: the last closed period's snapshot before ``first`` (billing_balance) plus
    the entries after it. The same sums as :func:`movements` per period: a closed period's snapshot
    is the sum of the entries up to it, which can no longer change."""
    rows = fetch(f"""
            WITH snapshot AS (SELECT COALESCE(MAX(period), '') AS period FROM billing_balance WHERE period < %s)
            SELECT '', 'opening', SUM({units('b.closing')}) FROM billing_balance b, snapshot s
             WHERE b.period = s.period AND b.account_id = %s
            UNION ALL
            SELECT CASE WHEN e.period < %s THEN '' ELSE e.period END, CASE WHEN e.period < %s THEN 'opening'
                   ELSE e.kind END, SUM({KOPECKS}) FROM billing_entry e, snapshot s
             WHERE e.account_id = %s AND e.period > s.period AND e.period <= %s GROUP BY 1, 2""",
                 [str(first), account_id, str(first), str(first), account_id, str(last)])
    opening = Decimal(0)
    kinds: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for period, kind, kopecks in rows:
        if kopecks is None:
            continue
        amount = _money(kopecks)
        if kind == "opening":
            opening += amount
        else:
            kinds[period][kind] = kinds[period].get(kind, Decimal(0)) + amount
    return opening.quantize(ZERO), dict(kinds)
