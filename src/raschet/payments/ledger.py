"""What an account owes and holds, read from the ledger set-based, in exact kopecks.

Sums are taken in integer kopecks (``billing.exact``): exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from raschet.billing.exact import units
from raschet.domain.allocation import Debt
from raschet.domain.periods import Period
from raschet.statements import fetch

KOPECKS = units("amount")
CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _query(sql: str, account_ids: list[int]) -> list[tuple]:
    """Run ``sql`` whose ``{ids}`` is the list of accounts: one array parameter on PostgreSQL, chunks
    of placeholders on SQLite."""
    rows: list[tuple] = []
    ids = sorted(set(account_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(ids="SELECT unnest(%s::bigint[])"), [ids])
            return cursor.fetchall()
        for chunk in _chunks(ids):
            cursor.execute(sql.format(ids=", ".join(["%s"] * len(chunk))), chunk)
            rows += cursor.fetchall()
    return rows


def debts(account_ids: list[int], service_codes: dict[int, str], supplier_codes: dict[int, str]
          ) -> dict[int, list[Debt]]:
    """Outstanding principal per account: (accrual period, service, supplier) with a positive balance."""
    rows = _query(f"""SELECT account_id, ref_period, service_id, supplier_id, SUM({KOPECKS})
                      FROM billing_entry WHERE account_id IN ({{ids}}) AND service_id IS NOT NULL
                      AND kind <> 'penalty' GROUP BY account_id, ref_period, service_id, supplier_id""", account_ids)
    result: dict[int, list[Debt]] = defaultdict(list)
    periods: dict[str, Period] = {}
    for account_id, ref_period, service_id, supplier_id, kopecks in sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3])):
        if kopecks > 0:
            period = periods.get(ref_period) or periods.setdefault(ref_period, Period.parse(ref_period))
            result[account_id].append(Debt(period, service_codes[service_id], supplier_codes[supplier_id],
                                           Decimal(kopecks).scaleb(-2)))
    return result


def advances(account_ids: list[int]) -> dict[int, list[tuple[int, Decimal, Period | None]]]:
    """The advance each account holds, per payment it came from, oldest payment first, with the
    period that payment's payer named (its advance is designated to it, domain.md §7 rule 1)."""
    rows = _query(f"""SELECT e.account_id, e.payment_id, MAX(p.named_period), SUM({units("e.amount")})
                      FROM billing_entry e LEFT JOIN payments_payment p ON p.id = e.payment_id
                      WHERE e.account_id IN ({{ids}}) AND e.service_id IS NULL AND e.kind = 'payment'
                      GROUP BY e.account_id, e.payment_id""", account_ids)
    result: dict[int, list[tuple[int, Decimal, Period | None]]] = defaultdict(list)
    for account_id, payment_id, named, kopecks in sorted(rows, key=lambda r: (r[0], r[1] or 0)):
        if kopecks < 0:
            result[account_id].append((payment_id, Decimal(-kopecks).scaleb(-2), Period.parse(named) if named else None))
    return result


def period_sums(account_id: int, first: Period, last: Period) -> tuple[Decimal, dict[str, dict[str, Decimal]]]:
    """One account's balance before ``first`` and its entries of each period ``first`` … ``last`` by
    kind, in one statement: the last closed period's snapshot before ``first`` (billing_balance) plus
    the entries after it. The same sums as ``documents.sources.ledger_movements`` per period: a
    closed period's snapshot is the sum of the entries up to it, which can no longer change."""
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
        amount = Decimal(kopecks).scaleb(-2)
        if kind == "opening":
            opening += amount
        else:
            kinds[period][kind] = kinds[period].get(kind, Decimal(0)) + amount
    return opening.quantize(Decimal("0.01")), dict(kinds)
