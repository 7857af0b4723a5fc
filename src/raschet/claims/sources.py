"""The claims app's one door to the ledger: every read of charges, payments and allocations and every
write of penalty entries goes through these functions (the storage of charge lines and the ledger
reader are being redesigned; only this module changes when they do).

Frames carry money in integer kopecks (``Int64``), exactly on SQLite and PostgreSQL alike.

* :func:`debt_movements` — posted charges and recalculations: ``account_id, ref_period, period,
  kind, service_id, supplier_id, capital_repair, amount``;
* :func:`allocations` — what each payment paid: ``account_id, ref_period, service_id, supplier_id,
  capital_repair, paid_on, payment_id, amount`` (positive = paid; a reversal nets its payment out);
* :func:`penalty_debts` and :func:`penalty_payments` — the same two, summed in the database to the
  grain the penalty engine needs (no service, no payment): a sixth of the rows to carry;
* :func:`posted_penalties` — penalty entries: ``account_id, ref_period, supplier_id, period, amount``;
* :func:`write_penalty_entries` — append penalty entries (the bulk path), never an edit;
* :func:`lock_open_period` — the posting period's row locked for writing (first in the lock order);
* :func:`payments_total` — the money an account paid on days in a range (instalment checks).

Penalty entries are ledger entries of kind ``penalty`` without a service (so no reader of principal
debts ever counts them and no payment pays them unless named) and with the supplier of the late
charge; a correction of past months' penalties is another such entry, its reason saying so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
from django.db import connection

from raschet.billing.exact import units
from raschet.billing.frames import read_frame, write_frame
from raschet.billing.locks import ensure_periods
from raschet.billing.models import BillingPeriod, Entry, PeriodState
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
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
              FROM billing_entry e JOIN tariffs_service s ON s.id = e.service_id
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


def _after(where: str, params: list, after: int | None) -> tuple[str, list]:
    if after is None:
        return where, params
    return where + " AND e.id > %s", [*params, after]


def penalty_debts(account_ids: list[int] | None = None, *, after: int | None = None) -> pl.DataFrame:
    """:func:`debt_movements` without the service: ``amount`` summed over services, and ``positive``
    the sum of the services' positive amounts only (what a supplier's share of a penalty is weighed
    by, :func:`raschet.claims.inputs.supplier_weights`), so that the weights stay those of the
    per-service rows. ``after``: only the entries with a larger id (those new to a kept state)."""
    where, params = _after(*_accounts("e.account_id", account_ids), after)
    sql = f"""SELECT account_id, ref_period, period, kind, supplier_id, capital_repair, SUM(amount),
                     SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END)
              FROM (SELECT e.account_id, e.ref_period, e.period, e.kind, e.supplier_id,
                           CASE WHEN s.kind = 'capital_repair' THEN 1 ELSE 0 END AS capital_repair,
                           SUM({KOPECKS}) AS amount
                    FROM billing_entry e JOIN tariffs_service s ON s.id = e.service_id
                    WHERE e.kind IN ('charge', 'recalc', 'correction'){where}
                    GROUP BY e.account_id, e.ref_period, e.period, e.kind, e.service_id, e.supplier_id, s.kind) per_service
              GROUP BY account_id, ref_period, period, kind, supplier_id, capital_repair"""
    frame = read_frame(sql, params, {**PENALTY_DEBTS, "capital_repair": pl.Int8}, small=_small(account_ids))
    return frame.with_columns(pl.col("capital_repair").cast(pl.Boolean))


def penalty_payments(account_ids: list[int] | None = None, *, until: date | None = None,
                     after: int | None = None) -> pl.DataFrame:
    """:func:`allocations` per account × accrual period × capital repair or not × day paid (payments
    of one day summed; days whose allocations net to nothing left out)."""
    where, params = _after(*_accounts("e.account_id", account_ids), after)
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
    """The largest entry id (0 for an empty ledger): a kept state's mark."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM billing_entry")
        return int(cursor.fetchone()[0])


def beyond_state(after: int, first_day: date, previous: str) -> list[int]:
    """The accounts whose entries newer than ``after`` a kept state cannot take in: anything but a
    charge and a payment (recalculations, corrections, penalties), a charge of an accrual period
    before ``previous``, a payment made before ``first_day`` (recorded late) or one taken back (a
    positive allocation: a reversal or a refund). Their accrual reads their whole ledger."""
    sql = """SELECT DISTINCT e.account_id FROM billing_entry e LEFT JOIN payments_payment p ON p.id = e.payment_id
             WHERE e.id > %s AND (e.kind NOT IN ('charge', 'payment')
                   OR (e.kind = 'charge' AND e.ref_period < %s)
                   OR (e.kind = 'payment' AND (p.paid_on < %s OR (e.service_id IS NOT NULL AND e.amount > 0))))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, previous, first_day])
        return sorted(row[0] for row in cursor.fetchall())


def lock_open_periods(period: Period) -> None:
    """Besides ``period`` (:func:`lock_open_period`), every other open period's row ``FOR UPDATE``, in
    the lock order: no writer of entries is then half-way (payments hold ``FOR KEY SHARE`` on the
    periods they post into, runs and posts ``FOR NO KEY UPDATE``), so the largest entry id read after
    it bounds every entry that will ever commit below it — what a kept state's mark needs. The next
    period's row is made first, so that a payment of today into it is among those waited for."""
    ensure_periods([period, period.next()])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # ascending, as every lock of period rows
            cursor.execute("SELECT id FROM billing_billingperiod WHERE state <> %s OR period = %s ORDER BY period "
                           "FOR UPDATE", [PeriodState.CLOSED, str(period)])
    lock_open_period(period)


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


def write_penalty_entries(frame: pl.DataFrame, period: Period, created_at) -> int:
    """Append penalty entries posted in ``period``: ``frame`` has ``account_id, ref_period, supplier_id,
    amount`` (kopecks) and ``reason``. Call inside the transaction that holds :func:`lock_open_period`."""
    if frame.is_empty():
        return 0
    rows = frame.select(
        "account_id", "supplier_id", "ref_period", "reason",
        amount=(pl.col("amount").cast(pl.Decimal(20, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(14, 2)),
        period=pl.lit(str(period)), kind=pl.lit(PENALTY_KIND), service_id=pl.lit(None, dtype=pl.Int64),
        created_at=pl.lit(created_at))
    return write_frame(Entry, rows)


def lock_open_period(period: Period) -> None:
    """Lock the posting period's row (the first lock of the lock order); refuse a closed period."""
    row = BillingPeriod.objects.select_for_update().filter(period=str(period)).first()
    if row is None:
        BillingPeriod.objects.get_or_create(period=str(period))
        row = BillingPeriod.objects.select_for_update().get(period=str(period))
    later = BillingPeriod.objects.filter(state=PeriodState.CLOSED, period__gte=str(period)).order_by("period").first()
    if row.state == PeriodState.CLOSED or later is not None:
        closed = later.period if later else row.period
        raise ProblemsError([problem("period_closed", str(period), period=str(period), closed=closed)])


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


def outstanding(account_ids: list[int] | None = None, *, until: date | None = None) -> pl.DataFrame:
    """Principal still owed per account × accrual period × service × supplier (kopecks, only > 0):
    ``account_id, ref_period, service_id, supplier_id, capital_repair, amount``."""
    key = ["account_id", "ref_period", "service_id", "supplier_id", "capital_repair"]
    owed = debt_movements(account_ids).group_by(key).agg(pl.col("amount").sum())
    paid = allocations(account_ids, until=until).group_by(key).agg(paid=pl.col("amount").sum())
    return (owed.join(paid, on=key, how="left").with_columns(amount=pl.col("amount") - pl.col("paid").fill_null(0))
            .filter(pl.col("amount") > 0).select(*key, "amount").sort(key))


def last_charges(account_ids: list[int] | None = None) -> pl.DataFrame:
    """The latest month's charge of each account × service (kopecks): ``account_id, service_id, amount``."""
    charges = debt_movements(account_ids).filter(pl.col("kind") == "charge")
    latest = charges.group_by("account_id", "service_id").agg(pl.col("ref_period").max())
    return (charges.join(latest, on=["account_id", "service_id", "ref_period"])
            .group_by("account_id", "service_id").agg(pl.col("amount").sum()))
