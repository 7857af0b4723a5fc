"""The claims app's one door to the ledger: every read of charges, payments and allocations and every
write of penalty entries goes through these functions. The reads are the store's
(:mod:`raschet.store.claims_ledger`, plain SQL over the ledger, re-exported here); the writes and the
locks, which take the app's models, are here.

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

from raschet.billing.locks import ensure_periods
from raschet.billing.models import BillingPeriod, Entry, PeriodState
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.store.claims_ledger import (  # noqa: F401 (the app's door re-exports the store's reads)
    ALLOCATIONS,
    CORRECTION_REASON,
    MOVEMENTS,
    PENALTIES,
    PENALTY_DEBTS,
    PENALTY_KIND,
    PENALTY_PAYMENTS,
    allocations,
    beyond_state,
    debt_movements,
    last_entry_id,
    payments_total,
    penalties_after,
    penalty_debts,
    penalty_payments,
    posted_penalties,
)
from raschet.store.frames import write_frame


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
