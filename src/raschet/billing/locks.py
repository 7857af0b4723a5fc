"""The one lock order of Raschet, and the one retry where the database asks for it.

Row locks (PostgreSQL), always taken in this order, so two use cases never wait for each other in a
circle:

1. billing period rows (``billing_billingperiod``), ascending period: locked by calculating (at the
   start and at the finish of a run, never across its units), posting and closing that period, which
   exclude each other; and, more weakly, by the writers of payments on the periods their entries post
   into, so a period is never closed under a payment being written into it. The strengths are chosen
   so that payments wait only for a close (its snapshot of balances must hold every kopeck), never
   for a run or a post, which both take minutes at 1.5 M accounts:

   ==========================  =====================  ======================================
   who                         row lock               waits for
   ==========================  =====================  ======================================
   calculate (start, finish)   ``FOR NO KEY UPDATE``  calculate, post, close of the period
   post                        ``FOR NO KEY UPDATE``  calculate, post, close
   close                       ``FOR UPDATE``         all, payments into the period too
   payments                    ``FOR KEY SHARE``      a close of the period, a penalty accrual
   penalty accrual (region)    ``FOR UPDATE``, every  all writers of entries into open periods
                               open period and the
                               next one
   ==========================  =====================  ======================================

   The penalty accrual of the whole region holds every open period so that the largest entry id it
   reads bounds every entry that will commit (its kept state reads the entries above it next month,
   ``claims.sources.lock_open_periods``); payments wait for it as for a close.

2. accounts, ascending id (``payments.services.lock_accounts``);
3. payment rows.

No table is ever locked: ids come from the tables' sequences (``raschet.bulk.reserve_ids``). SQLite
has one writer: every transaction is ``BEGIN IMMEDIATE`` (settings), which holds the database from
its first statement, so the same code runs one writer at a time there and the row locks are no-ops.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import DatabaseError, connection

from raschet.billing.models import BillingPeriod
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period

RETRIED = {"40P01": "взаимная блокировка", "40001": "конфликт сериализации"}
ATTEMPTS = 4
Result = TypeVar("Result")


def ensure_periods(periods: Iterable[Period | str]) -> None:
    """Rows for ``periods`` (state «open») where there are none yet, so they can be locked. Called in a
    short transaction of its own before a long one (an import), the new rows never make another writer
    wait for that long transaction to commit."""
    codes = sorted({str(p) for p in periods})
    existing = set(BillingPeriod.objects.filter(period__in=codes).values_list("period", flat=True))
    missing = [BillingPeriod(period=code) for code in codes if code not in existing]
    if missing:
        BillingPeriod.objects.bulk_create(missing, ignore_conflicts=True)  # a concurrent maker wins


def lock_period(period: Period, *, closing: bool = False) -> BillingPeriod:
    """The period's row, made if missing, locked until the transaction ends (the first lock of the
    order): ``FOR NO KEY UPDATE`` to calculate or post it, ``FOR UPDATE`` to close it (``closing``),
    which the payments being written into it wait for. Its state is read after the lock, so it is
    the state no one else is changing."""
    ensure_periods([period])
    return BillingPeriod.objects.select_for_update(no_key=not closing).get(period=str(period))


def share_periods(periods: Iterable[Period | str]) -> None:
    """``FOR KEY SHARE`` on the rows of ``periods`` (made if missing), in ascending order: payment
    writers hold them together and beside a run or a post; a close of one of them waits for all."""
    codes = sorted({str(p) for p in periods})
    if not codes:
        return
    ensure_periods(codes)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM billing_billingperiod WHERE period = ANY(%s) ORDER BY period FOR KEY SHARE",
                       [codes])


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__ or error.__context__
    return getattr(cause, "sqlstate", None) or getattr(error, "sqlstate", None)


def retry_on_conflict(function: Callable[..., Result]) -> Callable[..., Result]:
    """Run a use case again, after a short random pause, when PostgreSQL aborts its transaction for a
    deadlock or a serialization failure (the database asks for a retry; the lock order above makes
    either rare). Only the outermost call retries: inside a caller's transaction the error goes up to
    the caller, whose whole transaction is what has to be run again. After ``ATTEMPTS`` the refusal
    is a problem, not a traceback."""

    @functools.wraps(function)
    def retried(*args, **kwargs) -> Result:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return function(*args, **kwargs)
            except DatabaseError as error:
                reason = RETRIED.get(_sqlstate(error) or "")
                if reason is None or connection.in_atomic_block:
                    raise
                if attempt == ATTEMPTS:
                    raise ProblemsError([problem("concurrent_conflict", function.__name__, reason=reason,
                                                 attempts=ATTEMPTS)]) from error
                time.sleep(random.uniform(0.02, 0.1) * attempt)
        raise AssertionError("unreachable")

    return retried
