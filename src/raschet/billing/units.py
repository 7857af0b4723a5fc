"""One unit of a run: its buildings' inputs read, the engine run, its lines and problems written.

A unit is written in one transaction that also marks it done, so it has all its lines or none and
running it twice adds nothing. ``execute_unit`` is what every place a unit runs calls: this
process (``billing.runs.dispatch``), a local worker process or a Dask worker (``billing.remote``).
The use cases (``billing.services``) compute units without writing them through ``compute_unit``.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import replace

import polars as pl
from django.db import transaction
from django.utils import timezone

from raschet.billing.lifecycle import refuse_unit_of_frozen
from raschet.billing.lines import write_lines
from raschet.billing.models import CalcProblem, CalcUnit, UnitStatus
from raschet.billing.partitions import unattached_run_table
from raschet.billing.snapshot import load_snapshot
from raschet.bulk import Tables, first_free_ids, write_tables
from raschet.domain.periods import Period
from raschet.engine import CalcResult, Snapshot, calculate
from raschet.tariffs.models import Organization, Service


def compute_unit(period: Period, buildings: list[int], account_ids: list[int] | None = None,
                 adjust: Callable[[Snapshot], Snapshot] | None = None, recalculation: bool = False) -> CalcResult:
    """The engine's result for one unit of whole buildings (only ``account_ids`` of them when given),
    the annual heating correction and the interruption reductions included; nothing written. With
    ``recalculation`` the lines are the difference with what the ledger holds for ``period``."""
    started = time.perf_counter()
    snapshot = load_snapshot(buildings, period, recalculation)
    read = time.perf_counter() - started
    if adjust is not None:
        snapshot = adjust(snapshot)
    result = calculate(snapshot, period, accounts=account_ids, recalculation=recalculation)
    return replace(result, timings={"read": read, **result.timings})


def reference_ids() -> dict:
    return {"services": dict(Service.objects.values_list("code", "id")),
            "suppliers": dict(Organization.objects.values_list("code", "id"))}


def problem_rows(run_id: int, problems: pl.DataFrame) -> None:
    """The engine's problems of a run as CalcProblem rows."""
    if problems.is_empty():
        return
    tables = Tables(first_free_ids([CalcProblem]))
    tables.add_rows(CalcProblem, ("run_id", "account_id", "service", "code", "message", "subject"),
                    [(run_id, p["account_id"], p["service"] or "", p["code"], p["message"], p["subject"] or "")
                     for p in problems.iter_rows(named=True)])
    write_tables(tables)


def execute_unit(run_id: int, number: int, account_ids: list[int] | None = None,
                 keep_lines: bool = False) -> dict:
    """Calculate and write one unit in this process; a unit already done is left as it is.

    Returns the unit's summary (``lines``, ``accounts``, ``problems``, ``timings``)
    and, with ``keep_lines``, its ``frame`` of lines and ``problem_frame``. An error that is not an
    account's (the database, a bug) marks the unit failed with its message and is raised again."""
    unit = CalcUnit.objects.select_related("run").get(run_id=run_id, number=number)
    if unit.status == UnitStatus.DONE:
        return skipped(unit)
    period = Period.parse(unit.run.period)
    started = time.perf_counter()
    try:
        result = compute_unit(period, unit.buildings, account_ids)
        count = result.frame.height
        computed = time.perf_counter()
        with transaction.atomic():
            locked = CalcUnit.objects.select_for_update().get(pk=unit.pk)
            if locked.status == UnitStatus.DONE:  # another worker got there first
                return skipped(locked)
            refuse_unit_of_frozen(period)  # posted or closed meanwhile: the run will be cancelled
            steps: dict[str, float] = {}
            write_lines(run_id, period, result, reference_ids(), steps, table=unattached_run_table(run_id))
            problem_rows(run_id, result.problems)
            timings = {**{k: round(v, 4) for k, v in {**result.timings, **steps}.items()},
                       "unit_compute": round(computed - started, 4),
                       "unit_write": round(time.perf_counter() - computed, 4)}
            CalcUnit.objects.filter(pk=unit.pk).update(
                status=UnitStatus.DONE, lines=count, problems=result.problems.height, timings=timings,
                worker=worker(), message="", finished_at=timezone.now())
    except Exception as error:
        CalcUnit.objects.filter(pk=unit.pk).update(status=UnitStatus.FAILED, message=failure(number, error)["error"],
                                                   worker=worker())
        raise
    summary = {"number": number, "accounts": unit.accounts, "lines": count,
               "problems": result.problems.height, "timings": timings}
    if keep_lines:
        lines = result.lines.with_columns(pl.lit(str(period)).alias("ref_period"))  # for people, on request
        summary["frame"], summary["problem_frame"] = lines, result.problems
    return summary


def skipped(unit: CalcUnit) -> dict:
    return {"number": unit.number, "accounts": unit.accounts, "lines": unit.lines, "problems": unit.problems,
            "timings": {}, "skipped": True}


def failure(number: int, error: Exception) -> dict:
    """A failed unit's summary; the run goes on with the others and reports it at the end."""
    return {"number": number, "error": f"{type(error).__name__}: {error}"}


def worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
