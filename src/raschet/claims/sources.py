"""The claims app's one door to the ledger: every read of charges, payments and allocations and every
write of penalty entries goes through these functions (the storage of charge lines and the ledger
reader are being redesigned; only this module changes when they do).

Frames carry money in integer kopecks (``Int64``), exactly on SQLite and PostgreSQL alike.

* :func:`debt_movements` — posted charges and recalculations: ``account_id, ref_period, period,
  kind, service_id, supplier_id, capital_repair, amount``;
* :func:`allocations` — what each payment paid: ``account_id, ref_period, service_id, supplier_id,
  capital_repair, paid_on, payment_id, amount`` (positive = paid; a reversal nets its payment out);
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
from raschet.billing.models import BillingPeriod, Entry, PeriodState
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period

KOPECKS = units("e.amount")
PENALTY_KIND = "penalty"

MOVEMENTS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "period": pl.Utf8, "kind": pl.Utf8,
             "service_id": pl.Int64, "supplier_id": pl.Int64, "capital_repair": pl.Boolean, "amount": pl.Int64}
ALLOCATIONS = {"account_id": pl.Int64, "ref_period": pl.Utf8, "service_id": pl.Int64, "supplier_id": pl.Int64,
               "capital_repair": pl.Boolean, "paid_on": pl.Date, "payment_id": pl.Int64, "amount": pl.Int64}
PENALTIES = {"account_id": pl.Int64, "ref_period": pl.Utf8, "supplier_id": pl.Int64, "period": pl.Utf8,
             "correction": pl.Int8, "amount": pl.Int64}
CORRECTION_REASON = "Корректировка пеней"


def _accounts(column: str, account_ids: list[int] | None) -> tuple[str, list]:
    if account_ids is None:
        return "", []
    if not account_ids:
        return " AND 1 = 0", []
    if connection.vendor == "postgresql":
        return f" AND {column} = ANY(%s)", [sorted(set(account_ids))]
    return f" AND {column} IN ({', '.join(['%s'] * len(set(account_ids)))})", sorted(set(account_ids))


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


def posted_penalties(account_ids: list[int] | None = None) -> pl.DataFrame:
    """Penalty entries per account × accrual period × supplier × posting period × whether a correction."""
    where, params = _accounts("e.account_id", account_ids)
    flag = f"CASE WHEN e.reason LIKE '{CORRECTION_REASON}%%' THEN 1 ELSE 0 END"
    sql = f"""SELECT e.account_id, e.ref_period, e.supplier_id, e.period, {flag}, SUM({KOPECKS}) FROM billing_entry e
              WHERE e.kind = '{PENALTY_KIND}' AND e.service_id IS NULL{where}
              GROUP BY e.account_id, e.ref_period, e.supplier_id, e.period, {flag}"""
    return read_frame(sql, params, PENALTIES, small=_small(account_ids))


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
