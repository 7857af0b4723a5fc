"""A month's run cut into units: in this process, in local worker processes and on a Dask cluster
(a scheduler and two workers started here on 127.0.0.1), line for line the same; a unit is written
once however often it runs, and a stopped run resumes with the units not done."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.db import connection

from raschet.billing import services
from raschet.billing.models import CalcRun, CalcUnit, ChargeLine, RunStatus, UnitStatus
from raschet.billing.runs import DASK_SCHEDULER
from raschet.billing.units import execute_unit
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region

pytestmark = pytest.mark.django_db(transaction=True)
PERIOD = Period(2026, 11)
COMPARED = ("account_id", "service_id", "supplier_id", "period", "ref_period", "kind", "zone", "band", "date_from",
            "date_to", "days", "method", "volume_source", "volume", "tariff", "factor", "amount", "excess_amount",
            "reason", "explanation")


@pytest.fixture
def region(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("units in other processes need a database they can share: PostgreSQL")
    load_region(RegionSpec(accounts=800, seed=7), show_progress=False)
    monkeypatch.setattr(services, "UNIT_ACCOUNTS", 50)  # several units of whole buildings


def lines_of(run: CalcRun) -> list[tuple]:
    return list(ChargeLine.objects.filter(run=run).order_by(*COMPARED[:13], "amount").values_list(*COMPARED))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dask_cluster(workers: int = 2):
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, as on separate machines."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key != "RASCHET_DATABASE_URL"}
    processes = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-dashboard"], env=env, stderr=subprocess.DEVNULL)]
    processes += [subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                                    "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard"],
                                   env=env, stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_local_processes_and_dask_give_the_lines_of_a_run_in_this_process(region, monkeypatch):
    here = services.calculate_period(period=PERIOD, workers=1).run
    assert here.units.count() >= 3 and set(here.units.values_list("status", flat=True)) == {UnitStatus.DONE}
    expected = lines_of(here)
    assert len(expected) == here.lines > 3000

    processes = services.calculate_period(period=PERIOD, workers=2).run
    assert lines_of(processes) == expected
    pids = {worker.split(":")[1] for worker in processes.units.values_list("worker", flat=True)}
    assert str(os.getpid()) not in pids and len(pids) == 2

    with dask_cluster(workers=2) as address:
        monkeypatch.setenv(DASK_SCHEDULER, address)
        started = time.perf_counter()
        distributed = services.calculate_period(period=PERIOD).run
    assert lines_of(distributed) == expected, "the Dask run differs from the local one"
    assert len(set(distributed.units.values_list("worker", flat=True))) == 2
    assert time.perf_counter() - started < 120
    # each new full run superseded the previous one: only the last one's lines are the draft
    assert set(CalcRun.objects.values_list("status", flat=True)) == {RunStatus.SUPERSEDED, RunStatus.DONE}
    assert ChargeLine.objects.count() == len(expected)


def test_a_stopped_run_resumes_with_the_units_not_done(region, monkeypatch):
    real = services.dispatch

    def failing(run_id, numbers, workers, account_ids=None, keep_lines=False):
        yield from real(run_id, numbers[:2], workers, account_ids, keep_lines)
        yield {"number": numbers[2], "error": "OperationalError: соединение с базой потеряно"}

    monkeypatch.setattr(services, "dispatch", failing)
    with pytest.raises(ProblemsError) as refused:
        services.calculate_period(period=PERIOD, workers=1)
    assert "raschet calc --resume" in refused.value.problems[0].message
    run = CalcRun.objects.get()
    assert run.status == RunStatus.FAILED
    done = run.units.filter(status=UnitStatus.DONE)
    assert done.count() == 2 and ChargeLine.objects.count() == sum(u.lines for u in done)

    # a unit run again adds nothing
    before = ChargeLine.objects.count()
    assert execute_unit(run.pk, done.first().number).get("skipped") is True
    assert ChargeLine.objects.count() == before

    # a run whose process died stays "running": a new full run is refused, pointing at --resume
    CalcRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    with pytest.raises(ProblemsError, match=f"--resume {run.pk}"):
        services.calculate_period(period=PERIOD, workers=1)

    monkeypatch.setattr(services, "dispatch", real)
    resumed = services.resume_run(run.pk, workers=1).run
    assert resumed.status == RunStatus.DONE
    assert set(CalcUnit.objects.filter(run=run).values_list("status", flat=True)) == {UnitStatus.DONE}
    resumed_lines = lines_of(resumed)
    assert len(resumed_lines) == resumed.lines == sum(u.lines for u in resumed.units.all())
    fresh = services.calculate_period(period=PERIOD, workers=1).run
    assert resumed_lines == lines_of(fresh)
    assert CalcRun.objects.get(pk=resumed.pk).status == RunStatus.SUPERSEDED
    with pytest.raises(ProblemsError, match="нельзя продолжить"):
        services.resume_run(fresh.pk)
