"""A month's calculation cut into units of whole buildings, run in this process, in local worker
processes or on a Dask cluster, and restartable.

A unit reads its buildings' inputs, runs the engine and writes its lines and problems in one
transaction that also marks the unit done: a unit either has all its lines or none, so running a
unit twice adds nothing and a resumed run does only the units not done. The run becomes a draft
(``done``) only when every unit is done and the run is finished (``billing.services``).

Where units run:

* ``workers == 1`` (SQLite always: one writer, a test database in memory): in this process;
* ``workers > 1``: local processes (spawned, each with its own Django and connection);
* ``RASCHET_DASK_SCHEDULER=tcp://host:8786``: the workers of that Dask cluster, which must run the
  same Raschet version and reach the same PostgreSQL (the task carries the database URL).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from raschet.billing.frames import write_frame
from raschet.billing.models import CalcRun, CalcUnit, ChargeLine, UnitStatus
from raschet.domain.periods import Period

DASK_SCHEDULER = "RASCHET_DASK_SCHEDULER"
WORKERS = "RASCHET_WORKERS"


def database_url() -> str:
    """The URL of the database this process uses (a test database too), for other processes."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host, port = settings["HOST"] or "localhost", settings["PORT"] or "5432"
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def default_workers() -> int:
    """Processes for a run: ``RASCHET_WORKERS``, else one per core on PostgreSQL, one on SQLite."""
    if connection.vendor == "sqlite":
        return 1
    configured = os.environ.get(WORKERS)
    return max(1, int(configured)) if configured else max(1, min(os.cpu_count() or 1, 4))


def plan_units(run: CalcRun, units: list[tuple[list[int], int]]) -> list[int]:
    """Record the run's units (buildings and account count each); returns their numbers."""
    CalcUnit.objects.bulk_create([CalcUnit(run=run, number=number, buildings=buildings, accounts=accounts)
                                  for number, (buildings, accounts) in enumerate(units, 1)])
    return list(range(1, len(units) + 1))


def execute_unit(run_id: int, number: int, account_ids: list[int] | None = None,
                 keep_lines: bool = False) -> dict:
    """Calculate and write one unit in this process; a unit already done is left as it is.

    Returns the unit's summary (``lines``, ``accounts``, ``problems``, ``timings``)
    and, with ``keep_lines``, its ``frame`` of lines and ``problem_frame``. An error that is not an
    account's (the database, a bug) marks the unit failed with its message and is raised again."""
    from raschet.billing.lifecycle import refuse_unit_of_frozen  # it imports us
    from raschet.billing.services import (  # it imports us
        compute_unit,
        line_frame,
        problem_rows,
        reference_ids,
    )

    unit = CalcUnit.objects.select_related("run").get(run_id=run_id, number=number)
    if unit.status == UnitStatus.DONE:
        return _skipped(unit)
    period = Period.parse(unit.run.period)
    started = time.perf_counter()
    try:
        result = compute_unit(period, unit.buildings, account_ids)
        count = result.frame.height
        computed = time.perf_counter()
        with transaction.atomic():
            locked = CalcUnit.objects.select_for_update().get(pk=unit.pk)
            if locked.status == UnitStatus.DONE:  # another worker got there first
                return _skipped(locked)
            refuse_unit_of_frozen(period)  # posted or closed meanwhile: the run will be cancelled
            write_frame(ChargeLine, line_frame(run_id, period, result, reference_ids()))
            problem_rows(run_id, result.problems)
            timings = {**{k: round(v, 4) for k, v in result.timings.items()},
                       "unit_compute": round(computed - started, 4),
                       "unit_write": round(time.perf_counter() - computed, 4)}
            CalcUnit.objects.filter(pk=unit.pk).update(
                status=UnitStatus.DONE, lines=count, problems=result.problems.height, timings=timings,
                worker=_worker(), message="", finished_at=timezone.now())
    except Exception as error:
        CalcUnit.objects.filter(pk=unit.pk).update(status=UnitStatus.FAILED, message=_failure(number, error)["error"],
                                                   worker=_worker())
        raise
    summary = {"number": number, "accounts": unit.accounts, "lines": count,
               "problems": result.problems.height, "timings": timings}
    if keep_lines:
        lines = result.lines.with_columns(pl.lit(str(period)).alias("ref_period"))  # for people, on request
        summary["frame"], summary["problem_frame"] = lines, result.problems
    return summary


def _skipped(unit: CalcUnit) -> dict:
    return {"number": unit.number, "accounts": unit.accounts, "lines": unit.lines, "problems": unit.problems,
            "timings": {}, "skipped": True}


def _failure(number: int, error: Exception) -> dict:
    """A failed unit's summary; the run goes on with the others and reports it at the end."""
    return {"number": number, "error": f"{type(error).__name__}: {error}"}


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch(run_id: int, numbers: list[int], workers: int, account_ids: list[int] | None = None,
             keep_lines: bool = False) -> Iterator[dict]:
    """Run the units, yielding each one's summary as it finishes; failed units are yielded with
    ``error`` (the others go on). A run of named accounts, and ``keep_lines``, run in this process."""
    scheduler = os.environ.get(DASK_SCHEDULER)
    if scheduler and account_ids is None and not keep_lines:
        yield from _on_dask(scheduler, run_id, numbers)
    elif workers <= 1 or len(numbers) <= 1 or account_ids is not None or keep_lines:
        for number in numbers:
            try:
                yield execute_unit(run_id, number, account_ids, keep_lines)
            except Exception as error:  # recorded on the unit; the run goes on
                yield _failure(number, error)
    else:
        yield from _on_processes(run_id, numbers, workers)


def _on_processes(run_id: int, numbers: list[int], workers: int) -> Iterator[dict]:
    from raschet.billing.remote import remote_unit, use_database

    url = database_url()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=use_database, initargs=(url,)) as pool:
        futures = {pool.submit(remote_unit, url, run_id, number): number for number in numbers}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:
                yield _failure(futures[future], error)


def _on_dask(address: str, run_id: int, numbers: list[int]) -> Iterator[dict]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    from raschet.billing.remote import remote_unit

    url = database_url()
    with Client(address) as client:
        futures = {client.submit(remote_unit, url, run_id, number, key=f"raschet-run-{run_id}-unit-{number}",
                                 pure=False, retries=1): number for number in numbers}
        for future in dask_completed(list(futures)):
            try:
                yield future.result()
            except Exception as error:
                yield _failure(futures[future], error)
