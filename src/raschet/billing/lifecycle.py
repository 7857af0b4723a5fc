"""The life of a period: open → calculated → posted → closed, one period after the other.

The checks here run inside the transaction that holds the period's row lock (``billing.locks``), so
the states they read are states nobody else is changing at that moment:

* a period posted or closed (or with a later period posted or closed) takes no more calculation;
* calculating P needs every earlier known period posted or closed, with no month missing between
  them (or P to be the first period); posting P the same; closing P needs them closed;
* a run that finds its period posted or closed when it finishes, or while its units run, is
  cancelled: its lines are removed and the operator is told why.

A known period is one that has a run or a state past «open». Payments make an open row for a month
they post into (so that it can be locked); such a month is not a billing month until it is calculated.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from raschet.billing.locks import lock_period, retry_on_conflict
from raschet.billing.models import (
    Balance,
    BillingPeriod,
    CalcRun,
    CalcUnit,
    ChargeLine,
    LineBlock,
    PeriodState,
    RunStatus,
)
from raschet.billing.partitions import attach_run_table, drop_run_table
from raschet.bulk import has_insert_triggers, restore_row_triggers, skip_row_triggers
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.periods import Period
from raschet.store import ledger

FULL_SCOPE = "все лицевые счета"

FROZEN = (PeriodState.POSTED, PeriodState.CLOSED)  # periods that take no more calculation
ACTIONS = {"calculate": "рассчитать", "post": "провести", "close": "закрыть"}
TODO = {  # (what the action needs of the earlier months, their state) → what to do first
    (False, PeriodState.CALCULATED): "проведите", (False, None): "рассчитайте и проведите",
    (True, PeriodState.POSTED): "закройте", (True, PeriodState.CALCULATED): "проведите и закройте",
    (True, None): "рассчитайте, проведите и закройте",
}
STATE_TEXT = {PeriodState.POSTED: "проведён", PeriodState.CLOSED: "закрыт"}


def frozen_from(period: Period) -> tuple[str, str] | None:
    """(period, state) of the latest period at or after ``period`` that is posted or closed."""
    row = BillingPeriod.objects.filter(state__in=FROZEN, period__gte=str(period)).order_by("-period").values_list(
        "period", "state").first()
    return tuple(row) if row else None


def refuse_frozen(period: Period) -> None:
    """A posted or closed period is never calculated again, nor is one before it."""
    frozen = frozen_from(period)
    if frozen is not None:
        raise ProblemsError([problem("period_closed", str(period), period=str(period), closed=frozen[0])])


def known_before(period: Period) -> dict[str, str | None]:
    """State of each known period before ``period`` (None: it has a run but no state yet)."""
    rows = dict(BillingPeriod.objects.filter(period__lt=str(period)).values_list("period", "state"))
    with_runs = CalcRun.objects.filter(simulate=False, period__lt=str(period)).values_list("period", flat=True)
    known: dict[str, str | None] = {code: state for code, state in rows.items() if state != PeriodState.OPEN}
    for code in set(with_runs):
        known.setdefault(code, None)
    return known


def refuse_out_of_order(period: Period, action: str) -> None:
    """Refuse ``action`` on ``period`` unless every month from the first known one up to the one before
    ``period`` is posted or closed (closed, for closing); the refusal names the first month to finish."""
    known = known_before(period)
    if not known:
        return  # the first period
    closing = action == "close"
    enough = (PeriodState.CLOSED,) if closing else FROZEN
    for month in Period.between(Period.parse(min(known)), period.previous()):
        state = known.get(str(month))
        if state not in enough:
            todo = TODO[(closing, state if state in (PeriodState.CALCULATED, PeriodState.POSTED) else None)]
            raise ProblemsError([problem("period_out_of_order", str(period), period=str(period),
                                         action=ACTIONS[action], todo=todo, first=str(month))])


def cancel_run(run: CalcRun, frozen: tuple[str, str]) -> Problem:
    """Cancel a run whose period was posted or closed while it ran: its lines go (it never was a
    draft), the run stays as a record of what happened. Call with the period's row locked."""
    drop_run_table(run.pk)  # its own table, if it has one (then the rest finds no lines)
    lines = ChargeLine.objects.filter(run_id=run.pk)
    lines._raw_delete(lines.db)  # a run that was never done: nothing points at its lines
    blocks = LineBlock.objects.filter(run_id=run.pk)
    blocks._raw_delete(blocks.db)
    CalcRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
    return problem("run_cancelled", str(run.pk), run=run.pk, period=run.period, frozen=frozen[0],
                   state=STATE_TEXT[frozen[1]])


def refuse_unit_of_frozen(period: Period) -> None:
    """Inside a unit's transaction: a unit of a period posted or closed meanwhile writes nothing (the
    run is cancelled when it finishes); read without a lock, the finish checks again under one."""
    frozen = frozen_from(period)
    if frozen is not None:
        raise ProblemsError([problem("unit_of_frozen_period", str(period), period=str(period), frozen=frozen[0],
                                     state=STATE_TEXT[frozen[1]])])


def plan_units(run: CalcRun, unit_plan: list[tuple[list[int], int]]) -> list[int]:
    """Record the run's units (buildings and account count each); returns their numbers."""
    CalcUnit.objects.bulk_create([CalcUnit(run=run, number=number, buildings=buildings, accounts=accounts)
                                  for number, (buildings, accounts) in enumerate(unit_plan, 1)])
    return list(range(1, len(unit_plan) + 1))


@retry_on_conflict
@transaction.atomic
def start_run(period: Period, scope: str, started: datetime, unit_plan: list[tuple[list[int], int]]) -> CalcRun:
    """The run and its units, under the period's lock: the period is open to calculation, in order,
    and no other full run of it is under way. The lock is not held across the units."""
    lock_period(period)
    refuse_frozen(period)
    refuse_out_of_order(period, "calculate")
    if scope == FULL_SCOPE:
        unfinished = CalcRun.objects.filter(period=str(period), scope=FULL_SCOPE, status=RunStatus.RUNNING).first()
        if unfinished is not None:
            raise ProblemsError([problem("run_in_progress", str(unfinished.pk), run=unfinished.pk,
                                         period=str(period))])
    run = CalcRun.objects.create(period=str(period), scope=scope, started_at=started, status=RunStatus.RUNNING)
    plan_units(run, unit_plan)
    return run


@retry_on_conflict
@transaction.atomic
def stop_run(run: CalcRun, failed: list[str]) -> Problem:
    """Units failed: the run stops (to be resumed), unless its period was posted or closed meanwhile,
    which cancels it (the units of such a period refuse to write, so that is the usual cause).
    Returns the problem to report once this transaction is committed."""
    lock_period(Period.parse(run.period))
    frozen = frozen_from(Period.parse(run.period))
    if frozen is not None:
        return cancel_run(run, frozen)
    attach_run_table(run.pk)  # the lines of its units done are seen, and kept
    CalcRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
    return problem("run_units_failed", str(run.pk), run=run.pk, count=len(failed), units="; ".join(failed[:3]))


def snapshot_balances(period: Period) -> None:
    """Closing balances of the period, set-based: the previous snapshot plus this period's entries.
    Balances of a period not closed yet can only have been written by SQL from outside (the guards
    let them in only while the period is posted): the close refuses to take them into the snapshot."""
    if Balance.objects.filter(period=str(period)).exists():
        raise ProblemsError([problem("foreign_balances", str(period), period=str(period))])
    # the previous snapshot plus the entries after it, as the store reads the ledger
    movements, params = ledger.balances_and_entries(ledger.last_snapshot(period), period)
    # Every key of a closing balance is that of a ledger row or of the previous snapshot, checked when
    # they were written: the deferred key triggers would check all of them again at commit (at 1.5 M
    # accounts 15 M rows: 227 s of a 6-minute close). Off for this statement where the role may; the
    # guards are enabled ALWAYS and still fire (raschet.bulk.skip_row_triggers).
    skipped = connection.vendor == "postgresql" and not has_insert_triggers(connection, "billing_balance") \
        and skip_row_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO billing_balance (account_id, service_id, supplier_id, period, closing)
            SELECT account_id, service_id, supplier_id, %s, SUM(kopecks) / 100.0 FROM ({movements}) movements
            GROUP BY account_id, service_id, supplier_id HAVING SUM(kopecks) <> 0""", [str(period), *params])
    if skipped:
        restore_row_triggers(connection)
