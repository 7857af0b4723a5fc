"""Use cases of billing: calculate a period (or simulate it), close a period.

Each function owns its transaction. A calculation is cut into units of whole buildings; each unit
reads its inputs, runs the engine and writes its lines, so one unit's bad data never stops another
and an account's problems are rows, not exceptions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import polars as pl
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from raschet import access
from raschet.access import require
from raschet.billing.lifecycle import (
    FULL_SCOPE,
    cancel_run,
    frozen_from,
    refuse_frozen,
    refuse_out_of_order,
    snapshot_balances,
    start_run,
    stop_run,
)
from raschet.billing.lines import write_lines
from raschet.billing.locks import lock_period, retry_on_conflict
from raschet.billing.models import (
    BillingPeriod,
    CalcRun,
    ChargeLine,
    LineBlock,
    PeriodState,
    RecalcMark,
    RunStatus,
    UnitStatus,
)
from raschet.billing.partitions import (
    analyze_period,
    attach_run_table,
    drop_run_table,
    ensure_partitions,
    open_run_table,
)
from raschet.billing.runs import default_workers, dispatch
from raschet.billing.snapshot import load_snapshot, scope_buildings
from raschet.billing.units import compute_unit, reference_ids
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.periods import Period
from raschet.engine import CalcResult, Snapshot, calculate, combine
from raschet.housing.models import Account
from raschet.store import ledger

UNIT_ACCOUNTS = int(os.environ.get("RASCHET_UNIT_ACCOUNTS", "20000"))  # accounts per unit of a run


@dataclass
class RunOutcome:
    """What a run produced: the run record (None for a simulation), its lines and problems as frames."""

    run: CalcRun | None
    lines: pl.DataFrame | None  # None for a stored run without ``keep_lines``
    problems: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def _refuse_closed(period: Period) -> None:
    refuse_frozen(period)


def _units(account_ids: list[int] | None) -> list[tuple[list[int], int]]:
    """Groups of whole buildings of about UNIT_ACCOUNTS accounts, each with its number of accounts to
    calculate (a named set of accounts is one unit: the buildings they live in)."""
    if account_ids is not None:
        return [(scope_buildings(account_ids), len(account_ids))]
    counts = (Account.objects.values_list("premises__building_id").annotate(n=Count("id"))
              .order_by("premises__building_id"))
    units, current, size = [], [], 0
    for building_id, count in counts:
        current.append(building_id)
        size += count
        if size >= UNIT_ACCOUNTS:
            units.append((current, size))
            current, size = [], 0
    if current:
        units.append((current, size))
    return units


def scope_size(account_ids: list[int] | None) -> int:
    return len(account_ids) if account_ids is not None else Account.objects.count()


def compute(period: Period, account_ids: list[int] | None = None,
            progress: Callable[[int], None] | None = None,
            adjust: Callable[[Snapshot], Snapshot] | None = None, recalculation: bool = False) -> CalcResult:
    """The engine's result for the period over the scope, unit by unit, nothing written; ``adjust``
    changes each unit's inputs first (a what-if simulation)."""
    results = []
    for unit, accounts in _units(account_ids):
        results.append(compute_unit(period, unit, account_ids, adjust, recalculation))
        if progress:
            progress(accounts)
    if not results:
        return calculate(load_snapshot([]), period)
    return combine(results)


def recalculation_lines(period: Period, ref: Period, account_ids: list[int] | None) -> CalcResult:
    """Recalc lines in ``period`` for the closed period ``ref``: the engine's fresh result minus what is
    posted (the ledger's totals are an input of the engine, ``posted``)."""
    return compute(ref, account_ids, recalculation=True)


def readable_recalculation(result: CalcResult) -> pl.DataFrame:
    """Recalculation lines for people (``CalcResult.lines``) with the period each one corrects."""
    return result.lines.with_columns(pl.Series("ref_period", result.frame["ref_period"].dt.strftime("%Y-%m")))


def _conform(frame: pl.DataFrame, like: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the columns and types of ``like`` (absent columns are null)."""
    return frame.select([(pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
                         for name, dtype in like.schema.items()])


def pending_recalculations(before: Period, account_ids: list[int] | None) -> dict[Period, list[int]]:
    """Marked (account, closed period) pairs before ``before``, per period, within the scope."""
    marks = RecalcMark.objects.filter(period__lt=str(before))
    if account_ids is not None:
        marks = marks.filter(account_id__in=account_ids)
    by_period: dict[Period, list[int]] = {}
    for account_id, code in marks.values_list("account_id", "period"):
        by_period.setdefault(Period.parse(code), []).append(account_id)
    return dict(sorted(by_period.items()))


def calculate_period(*, period: Period, account_numbers: Iterable[str] | None = None, simulate: bool = False,
                     recalculate_past: bool = True, progress: Callable[[int], None] | None = None,
                     workers: int | None = None, keep_lines: bool = False, actor=None) -> RunOutcome:
    """Calculate the open ``period`` for all accounts or the named ones, with recalculation of closed
    periods whose inputs changed; a simulation returns the lines and writes nothing.

    A stored run is cut into units (``billing.runs``) run by ``workers`` processes (default: one per
    core on PostgreSQL) or the Dask cluster of ``RASCHET_DASK_SCHEDULER``; its outcome holds the lines
    only with ``keep_lines`` (in this process), else their totals on the run record."""
    require(actor, access.SIMULATE if simulate else access.CALCULATE_PERIOD)
    _refuse_closed(period)
    started = timezone.now()  # marks made after this moment are left for the next calculation
    account_ids = _account_ids(account_numbers)
    if simulate:
        result = compute(period, account_ids, progress)
        lines = result.lines.with_columns(pl.lit(str(period)).alias("ref_period"))
        if recalculate_past:
            lines = _with_recalculations(period, account_ids, lines)
        return RunOutcome(None, lines, result.problems, result.timings)
    ensure_partitions(period)
    scope = FULL_SCOPE if account_ids is None else f"лицевых счетов: {len(account_ids)}"
    run = start_run(period, scope, started, _units(account_ids))
    if account_ids is None:
        open_run_table(run.pk, period)
    return _run_units(run, account_ids, recalculate_past, progress, workers, keep_lines)


def resume_run(run_id: int, *, progress: Callable[[int], None] | None = None,
               workers: int | None = None, actor=None) -> RunOutcome:
    """Finish a full run that stopped (a crash, a failed unit): only the units not done are run."""
    require(actor, access.CALCULATE_PERIOD)
    run = CalcRun.objects.get(pk=run_id)
    if run.status not in (RunStatus.RUNNING, RunStatus.FAILED) or run.scope != FULL_SCOPE:
        raise ProblemsError([problem("run_not_resumable", str(run_id), run=run_id,
                                     status=run.get_status_display())])
    with transaction.atomic():
        lock_period(Period.parse(run.period))
        refuse_frozen(Period.parse(run.period))
    if progress:
        progress(sum(run.units.filter(status=UnitStatus.DONE).values_list("accounts", flat=True)))
    return _run_units(run, None, True, progress, workers, False)


def _run_units(run: CalcRun, account_ids: list[int] | None, recalculate_past: bool,
               progress: Callable[[int], None] | None, workers: int | None, keep_lines: bool) -> RunOutcome:
    period = Period.parse(run.period)
    wall = time.perf_counter()
    pending = list(run.units.exclude(status=UnitStatus.DONE).values_list("number", flat=True))
    frames, problems, failed = [], [], []
    for summary in dispatch(run.id, pending, workers or default_workers(), account_ids, keep_lines):
        if "error" in summary:
            failed.append(f"№ {summary['number']}: {summary['error']}")
            continue
        if keep_lines and "frame" in summary:
            frames.append(summary["frame"])
            problems.append(summary["problem_frame"])
        if progress:
            progress(summary["accounts"])
    if failed:
        raise ProblemsError([stop_run(run, failed)])
    units_wall = time.perf_counter() - wall
    recalcs = _with_recalculations(period, account_ids, None) if recalculate_past else None
    run = _finish_run(run, account_ids, recalcs, units_wall)
    if not isinstance(run, CalcRun):
        raise ProblemsError([run])
    lines = pl.concat(frames, how="diagonal_relaxed") if frames else None
    if lines is not None and recalcs is not None and recalcs.frame.height:
        lines = pl.concat([lines, _conform(readable_recalculation(recalcs), lines)])
    problem_frame = pl.concat(problems) if problems else pl.DataFrame()
    return RunOutcome(run, lines, problem_frame, run.timings)


def _with_recalculations(period: Period, account_ids: list[int] | None,
                         lines: pl.DataFrame | None) -> pl.DataFrame | CalcResult | None:
    """``lines`` (for people) with the recalculation lines of the marked closed periods appended;
    when ``lines`` is None, only those lines as one engine result (None when there are none)."""
    pending = pending_recalculations(period, account_ids)
    recalcs = [recalculation_lines(period, ref, ids) for ref, ids in pending.items()]
    if lines is None:
        recalcs = [r for r in recalcs if r.frame.height]
        return combine(recalcs) if recalcs else None
    return pl.concat([lines, *[_conform(readable_recalculation(r), lines) for r in recalcs]]) if recalcs else lines


def _account_ids(numbers: Iterable[str] | None) -> list[int] | None:
    if numbers is None:
        return None
    numbers = list(numbers)
    found = dict(Account.objects.filter(number__in=numbers).values_list("number", "id"))
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ProblemsError([problem("unknown_reference", n, kind="лицевой счёт", value=n) for n in missing])
    return list(found.values())


@retry_on_conflict
@transaction.atomic
def _finish_run(run: CalcRun, account_ids: list[int] | None, recalcs: CalcResult | None,
                units_wall: float) -> CalcRun | Problem:
    """Write the recalculation lines, replace the period's earlier drafts in the scope and make the run
    the draft: one transaction, so the period shows either the old drafts or the new ones. Under the
    period's lock: if the period was posted or closed while the run ran, the run is cancelled instead
    (returned as the problem to report, after this transaction has removed its lines)."""
    period = Period.parse(run.period)
    lock_period(period)
    frozen = frozen_from(period)
    if frozen is not None:
        return cancel_run(run, frozen)
    started = time.perf_counter()
    attach_run_table(run.pk)
    attached = time.perf_counter()
    if recalcs is not None and recalcs.frame.height:
        write_lines(run.id, period, recalcs, reference_ids())
    replaced = [RunStatus.DONE] if account_ids is not None else [RunStatus.DONE, RunStatus.FAILED]
    earlier = list(CalcRun.objects.filter(period=run.period, status__in=replaced).exclude(pk=run.pk)
                   .values_list("pk", flat=True))
    if account_ids is None:  # a run's own table goes whole (the lines of partial runs stay to be deleted)
        for earlier_run in earlier:
            drop_run_table(earlier_run)
    drafts = ChargeLine.objects.filter(run_id__in=earlier)
    if account_ids is not None:
        drafts = drafts.filter(account_id__in=account_ids)
    # Drafts are not money yet, and nothing points at them (entries point at posted lines only):
    # one DELETE, not the ORM's object-by-object collection of a few hundred thousand lines.
    drafts._raw_delete(drafts.db)
    if account_ids is None:  # a new full run replaces the old ones, their blocks with them (a partial
        blocks = LineBlock.objects.filter(run_id__in=earlier)  # run leaves them: its accounts' old lines
        blocks._raw_delete(blocks.db)  # are gone, so nothing looks them up there)
        CalcRun.objects.filter(pk__in=earlier, simulate=False).update(status=RunStatus.SUPERSEDED)
    units = list(run.units.values("accounts", "lines", "problems", "timings"))
    timings: dict[str, float] = {}
    for unit in units:
        for stage, seconds in unit["timings"].items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    recalc_lines = recalcs.frame.height if recalcs is not None else 0
    timings.update(units_wall=round(units_wall, 4), finish=round(time.perf_counter() - started, 4),
                   finish_attach=round(attached - started, 4))
    run.accounts = sum(u["accounts"] for u in units)
    run.lines = sum(u["lines"] for u in units) + recalc_lines
    run.problems = sum(u["problems"] for u in units)
    run.timings, run.status, run.finished_at = timings, RunStatus.DONE, timezone.now()
    run.save(update_fields=["accounts", "lines", "problems", "timings", "status", "finished_at"])
    BillingPeriod.objects.filter(period=str(period)).update(state=PeriodState.CALCULATED)
    analyze_period(period, lines=account_ids is None)
    return run


@retry_on_conflict
@transaction.atomic
def post_period(*, period: Period, actor=None) -> int:
    """Post the period's calculated lines to the ledger (the period then takes no more calculation,
    but still takes payments); returns the entries posted. Under the period's lock, after the
    previous period is posted: a run still going is cancelled when it finishes."""
    require(actor, access.POST_PERIOD)
    lock_period(period)
    _refuse_closed(period)
    refuse_out_of_order(period, "post")
    runs = CalcRun.objects.filter(period=str(period), status=RunStatus.DONE, simulate=False)
    full = runs.filter(scope=FULL_SCOPE).order_by("-started_at").first()
    if full is None:
        raise ProblemsError([problem("period_not_calculated", str(period), period=str(period))])
    pending = RecalcMark.objects.filter(period__lt=str(period), created_at__gt=full.started_at)
    if pending.exists():
        numbers = list(pending.values_list("account__number", flat=True).distinct()[:5])
        raise ProblemsError([problem("recalc_pending", str(period), period=str(period), count=pending.count(),
                                     accounts=", ".join(numbers))])
    posted = ledger.post_runs(period, RunStatus.DONE, RunStatus.POSTED, timezone.now(), FULL_SCOPE)
    RecalcMark.objects.filter(period__lt=str(period), created_at__lte=full.started_at).delete()
    BillingPeriod.objects.filter(period=str(period)).update(state=PeriodState.POSTED)
    from raschet.payments.services import spend_advances  # payments builds on billing, not the reverse

    spend_advances(period=period)  # advances paid before these charges were posted now pay them
    return posted


@retry_on_conflict
@transaction.atomic
def close_period(*, period: Period, actor=None) -> int:
    """Close the period (posting it first if it is only calculated), after the previous one is
    closed: its entries become immutable and its closing balances are kept; returns the entries
    posted now. Payments being written into the period are waited for (they hold its row FOR KEY SHARE)."""
    actor = require(actor, access.CLOSE_PERIOD)
    row = lock_period(period, closing=True)
    later = BillingPeriod.objects.filter(state=PeriodState.CLOSED, period__gte=str(period)).first()
    if later is not None:
        raise ProblemsError([problem("period_closed", str(period), period=str(period), closed=later.period)])
    refuse_out_of_order(period, "close")
    posted = 0 if row.state == PeriodState.POSTED else post_period(period=period, actor=actor)
    snapshot_balances(period)
    BillingPeriod.objects.filter(period=str(period)).update(state=PeriodState.CLOSED, closed_at=timezone.now())
    return posted
