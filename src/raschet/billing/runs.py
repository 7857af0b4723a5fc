"""A month's calculation cut into units of whole buildings, run in this process, in local worker
processes or on a Dask cluster, and restartable.

A unit (``billing.units.execute_unit``) reads its buildings' inputs, runs the engine and writes its
lines and problems in one transaction that also marks the unit done: a unit either has all its
lines or none, so running a unit twice adds nothing and a resumed run does only the units not done. The run becomes a draft
(``done``) only when every unit is done and the run is finished (``billing.services``).

Where units run:

* ``workers == 1`` (SQLite always: one writer, a test database in memory): in this process;
* ``workers > 1``: local processes (spawned, each with its own Django and connection);
* ``RASCHET_DASK_SCHEDULER=tcp://host:8786``: the workers of that Dask cluster, which must run the
  same Raschet version and reach the same PostgreSQL (the task carries the database URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from django.db import connection

from raschet.billing.units import execute_unit, failure

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
                yield failure(number, error)
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
                yield failure(futures[future], error)


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
                yield failure(futures[future], error)
