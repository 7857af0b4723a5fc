"""The ledger as the claims app reads it: frames for the penalty engine and the debtor work, and the
marks of a kept penalty state. Plain SQL over the ledger ``billing_ledger`` (``billing_entry`` for
payments and penalties, which are never lines: ``store.ledger``), with the services' kinds and the
payments' days, in integer kopecks (``Int64``), exact on SQLite and PostgreSQL alike; the claims
app reaches it through its one door, :mod:`raschet.claims.sources`.

* :func:`debt_movements` — posted charges and recalculations: ``account_id, ref_period, period,
  kind, service_id, supplier_id, capital_repair, amount``;
* :func:`allocations` — what each payment paid: ``account_id, ref_period, service_id, supplier_id,
  capital_repair, paid_on, payment_id, amount`` (positive = paid; a reversal nets its payment out);
* :func:`penalty_debts` and :func:`penalty_payments` — the same two, summed in the database to the
  grain the penalty engine needs (no service, no payment): a sixth of the rows to carry;
* :func:`posted_penalties` — penalty entries: ``account_id, ref_period, supplier_id, period, amount``;
* :func:`last_entry_id`, :func:`beyond_state` — a kept state's mark and the accounts it cannot take in;
* :func:`payments_total` — the money an account paid on days in a range (instalment checks).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from django.db import connection

from raschet.domain.periods import Period
from raschet.store.exact import units
from raschet.store.frames import read_frame
from raschet.store.ledger import last_mark
from raschet.store.sql import in_ids

KOPECKS = units("e.amount")
PENALTY_KIND = "penalty"
MOVEMENTS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "period": pl.Utf8, "kind": pl.Utf8,
             "service_id": pl.Int64, "supplier_id": pl.Int64, "capital_repair": pl.Boolean, "amount": pl.Int64}
ALLOCATIONS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "service_id": pl.Int64, "supplier_id": pl.Int64,
               "capital_repair": pl.Boolean, "paid_on": pl.Date, "payment_id": pl.Int64, "amount": pl.Int64}
PENALTY_DEBTS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "period": pl.Utf8, "kind": pl.Utf8,
                 "supplier_id": pl.Int64, "capital_repair": pl.Boolean, "amount": pl.Int64, "positive": pl.Int64}
PENALTY_PAYMENTS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "capital_repair": pl.Boolean, "paid_on": pl.Date,
                    "amount": pl.Int64}
PENALTIES = {"account_id": pl.Int64, "ref_period": pl.Utf8, "supplier_id": pl.Int64, "period": pl.Utf8,
             "correction": pl.Int8, "amount": pl.Int64}
CORRECTION_REASON = "Корректировка пеней"


def _accounts(column: str, account_ids: list[int] | None) -> tuple[str, list]:
    return in_ids(column, None if account_ids is None else sorted(set(account_ids)))


def _small(account_ids: list[int] | None) -> bool:
    return account_ids is not None and len(account_ids) <= 10


def debt_movements(account_ids: list[int] | None = None) -> pl.DataFrame:
    """Posted charges and recalculations per account × accrual period × posting period × service."""
    where, params = _accounts("e.account_id", account_ids)
    sql = f"""SELECT e.account_id, e.ref_period, e.period, e.kind, e.service_id, e.supplier_id,
                     CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END, SUM({KOPECKS})
              FROM billing_ledger e JOIN tariffs_service s ON s.id = e.service_id
              WHERE e.kind IN ('charge', 'recalc', 'correction'){where}
              GROUP BY e.account_id, e.ref_period, e.period, e.kind, e.service_id, e.supplier_id, s.kind"""
    frame = read_frame(sql, params, {**MOVEMENTS, "capital_repair": pl.Int8}, small=_small(account_ids))
    return frame.with_columns(pl.col("capital_repair").cast(pl.Boolean))


def allocations(account_ids: list[int] | None = None, *, until: date | None = None) -> pl.DataFrame:
    """What each payment paid, per accrual period and service, dated by the payment's day."""
    where, params = _accounts("e.account_id", account_ids)
    if until is not None:
        where += " AND p.paid_on <= %s"
        params = [*params, until]
    sql = f"""SELECT e.account_id, e.ref_period, e.service_id, e.supplier_id,
                     CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END, CAST(p.paid_on AS TEXT), e.payment_id,
                     -SUM({KOPECKS})
              FROM billing_entry e JOIN tariffs_service s ON s.id = e.service_id
                   JOIN payments_payment p ON p.id = e.payment_id
              WHERE e.kind = 'payment'{where}
              GROUP BY e.account_id, e.ref_period, e.service_id, e.supplier_id, s.kind, p.paid_on, e.payment_id"""
    frame = read_frame(sql, params, {**ALLOCATIONS, "capital_repair": pl.Int8}, small=_small(account_ids))
    return frame.with_columns(pl.col("capital_repair").cast(pl.Boolean)).filter(pl.col("amount") != 0)


def _after(where: str, params: list, after: int | None, mark: str = "e.mark") -> tuple[str, list]:
    """``where`` narrowed to the entries placed after ``after`` (``mark``: the view's place, or the id
    of a stored entry, which is its place)."""
    if after is None:
        return where, params
    return where + f" AND {mark} > %s", [*params, after]


def penalty_debts(account_ids: list[int] | None = None, *, after: int | None = None) -> pl.DataFrame:
    """:func:`debt_movements` without the service: ``amount`` summed over services, and ``positive``
    the sum of the services' positive amounts only (what a supplier's share of a penalty is weighed
    by, :func:`raschet.claims.inputs.supplier_weights`), so that the weights stay those of the
    per-service rows. ``after``: only the entries of a later place (``mark``: those new to a kept state)."""
    where, params = _after(*_accounts("e.account_id", account_ids), after)
    sql = f"""SELECT account_id, ref_period, period, kind, supplier_id, capital_repair, SUM(amount),
                     SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END)
              FROM (SELECT e.account_id, e.ref_period, e.period, e.kind, e.supplier_id,
                           CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END AS capital_repair,
                           SUM({KOPECKS}) AS amount
                    FROM billing_ledger e JOIN tariffs_service s ON s.id = e.service_id
                    WHERE e.kind IN ('charge', 'recalc', 'correction'){where}
                    GROUP BY e.account_id, e.ref_period, e.period, e.kind, e.service_id, e.supplier_id, s.kind) per_service
              GROUP BY account_id, ref_period, period, kind, supplier_id, capital_repair"""
    frame = read_frame(sql, params, {**PENALTY_DEBTS, "capital_repair": pl.Int8}, small=_small(account_ids))
    return frame.with_columns(pl.col("capital_repair").cast(pl.Boolean))


def penalty_payments(account_ids: list[int] | None = None, *, until: date | None = None,
                     after: int | None = None) -> pl.DataFrame:
    """:func:`allocations` per account × accrual period × capital repair or not × day paid (payments
    of one day summed; days whose allocations net to nothing left out)."""
    where, params = _after(*_accounts("e.account_id", account_ids), after, "e.id")
    if until is not None:
        where += " AND p.paid_on <= %s"
        params = [*params, until]
    sql = f"""SELECT e.account_id, e.ref_period, CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END,
                     CAST(p.paid_on AS TEXT), -SUM({KOPECKS})
              FROM billing_entry e JOIN tariffs_service s ON s.id = e.service_id
                   JOIN payments_payment p ON p.id = e.payment_id
              WHERE e.kind = 'payment'{where}
              GROUP BY e.account_id, e.ref_period, CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END, p.paid_on"""
    frame = read_frame(sql, params, {**PENALTY_PAYMENTS, "capital_repair": pl.Int8}, small=_small(account_ids))
    return frame.with_columns(pl.col("capital_repair").cast(pl.Boolean)).filter(pl.col("amount") != 0)


def last_entry_id() -> int:
    """The ledger's latest place (0 for an empty ledger): a kept state's mark. An entry's place is its
    id, a posted run's lines share the run's (``store.ledger.last_mark``)."""
    return last_mark()


def beyond_state(after: int, first_day: date, previous: str) -> list[int]:
    """The accounts whose entries newer than ``after`` a kept state cannot take in: anything but a
    charge and a payment (recalculations, corrections, penalties), a charge of an accrual period
    before ``previous``, a payment made before ``first_day`` (recorded late) or one taken back (a
    positive allocation: a reversal or a refund). Their accrual reads their whole ledger."""
    sql = """SELECT DISTINCT e.account_id FROM billing_ledger e LEFT JOIN payments_payment p ON p.id = e.payment_id
             WHERE e.mark > %s AND (e.kind NOT IN ('charge', 'payment')
                   OR (e.kind = 'charge' AND e.ref_period < %s)
                   OR (e.kind = 'payment' AND (p.paid_on < %s OR (e.service_id IS NOT NULL AND e.amount > 0))))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, previous, first_day])
        return sorted(row[0] for row in cursor.fetchall())


def posted_penalties(account_ids: list[int] | None = None) -> pl.DataFrame:
    """Penalty entries per account × accrual period × supplier × posting period × whether a correction."""
    where, params = _accounts("e.account_id", account_ids)
    flag = f"CASE WHEN e.reason LIKE '{CORRECTION_REASON}%%' THEN 1 ELSE 0 END"
    sql = f"""SELECT e.account_id, e.ref_period, e.supplier_id, e.period, {flag}, SUM({KOPECKS}) FROM billing_entry e
              WHERE e.kind = '{PENALTY_KIND}' AND e.service_id IS NULL{where}
              GROUP BY e.account_id, e.ref_period, e.supplier_id, e.period, {flag}"""
    return read_frame(sql, params, PENALTIES, small=_small(account_ids))


def penalties_after(period: Period, account_ids: list[int] | None = None) -> str | None:
    """The latest period after ``period`` with penalty entries (of these accounts), or None."""
    where, params = _accounts("e.account_id", account_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(e.period) FROM billing_entry e WHERE e.kind = '{PENALTY_KIND}' "
                       f"AND e.period > %s{where}", [str(period), *params])
        return cursor.fetchone()[0]


def payments_total(account_id: int, first: date, last: date) -> Decimal:
    """Money paid to the account on days ``first``..``last`` (allocations and advance; spending an
    advance later nets to zero, a reversal takes its payment out)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT COALESCE(-SUM({KOPECKS}), 0) FROM billing_entry e
                           JOIN payments_payment p ON p.id = e.payment_id
                           WHERE e.kind = 'payment' AND e.account_id = %s AND p.paid_on >= %s
                           AND p.paid_on <= %s""",
                       [account_id, first, last])
        return Decimal(cursor.fetchone()[0] or 0).scaleb(-2)

