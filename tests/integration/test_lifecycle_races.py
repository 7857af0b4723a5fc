"""Races of the period's life between real processes on PostgreSQL: ``raschet calc`` of a month in one
process while ``raschet period post`` or ``close`` of it runs in another, two posts at once, two
calculations at once. The month is charged once, whatever the timing."""

import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.db import connection

from raschet.billing.models import (
    BillingPeriod,
    CalcRun,
    ChargeLine,
    LedgerEntry,
    RunStatus,
    UnitStatus,
)
from raschet.domain.periods import Period
from raschet.generators import plan
from raschet.generators.region import RegionSpec, load_region

pytestmark = pytest.mark.django_db(transaction=True)
FEBRUARY = Period(2026, 2)


@pytest.fixture
def region(live_database_env, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("processes racing on one database: PostgreSQL (SQLite has one writer)")
    monkeypatch.setattr(plan, "MAX_PREMISES", 25)  # small buildings: a unit each
    load_region(RegionSpec(accounts=300, seed=11, last_period=FEBRUARY, months=2), show_progress=False)
    # units of one building, in one process: a run of a dozen units that takes a few seconds
    return {**live_database_env, "RASCHET_UNIT_ACCOUNTS": "20", "RASCHET_WORKERS": "1"}


def raschet(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "raschet.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


READY = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
import django
django.setup()
from raschet import cli
print("ready", flush=True)
sys.stdin.readline()
cli.main(sys.argv[1:])
"""


def primed(env: dict, *args: str) -> subprocess.Popen:
    """A ``raschet`` process with Django already set up, waiting for a line on stdin to go: it starts
    its work at the moment the test chooses, not a second or two of imports later."""
    process = subprocess.Popen([sys.executable, "-c", READY, *args], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def go(process: subprocess.Popen) -> subprocess.Popen:
    process.stdin.write("\n")
    process.stdin.flush()
    return process


def finished(process: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the other process never got there"
        time.sleep(0.05)


def charged(period: Period) -> Decimal:
    return sum(LedgerEntry.objects.filter(period=str(period), kind="charge").values_list("amount", flat=True), Decimal(0))


def lines_of(run: CalcRun) -> Decimal:
    return sum(ChargeLine.objects.filter(run=run).values_list("amount", flat=True), Decimal(0))


def second_run_under_way(first: CalcRun):
    return lambda: CalcRun.objects.exclude(pk=first.pk).filter(
        status=RunStatus.RUNNING, units__status=UnitStatus.DONE).exists()


def test_post_while_another_process_recalculates_the_month(region):
    code, _out, err = finished(raschet(region, "calc", "--period", "2026-02"))
    assert code == 0, err
    first = CalcRun.objects.get()
    post = primed(region, "period", "post", "--period", "2026-02")
    calc = raschet(region, "calc", "--period", "2026-02")
    wait_for(second_run_under_way(first))
    code, out, err = finished(go(post))
    assert code == 0 and "проведён" in out, err
    code, _out, err = finished(calc)
    assert code == 2 and "отменён" in err and "2026-02" in err
    second = CalcRun.objects.exclude(pk=first.pk).get()
    assert second.status == RunStatus.CANCELLED and not ChargeLine.objects.filter(run=second).exists()
    assert BillingPeriod.objects.get(period="2026-02").state == "posted"
    code, _out, err = finished(raschet(region, "period", "post", "--period", "2026-02"))
    assert code == 2 and "2026-02" in err  # posted: nothing more to post
    assert charged(FEBRUARY) == lines_of(first) > 0  # the month charged once


def test_close_while_another_process_recalculates_the_month(region):
    assert finished(raschet(region, "calc", "--period", "2026-02"))[0] == 0
    first = CalcRun.objects.get()
    close = primed(region, "period", "close", "--period", "2026-02")
    calc = raschet(region, "calc", "--period", "2026-02")
    wait_for(second_run_under_way(first))
    code, out, err = finished(go(close))
    assert code == 0 and "закрыт" in out, err
    code, _out, err = finished(calc)
    assert code == 2 and "отменён" in err
    assert BillingPeriod.objects.get(period="2026-02").state == "closed"
    assert charged(FEBRUARY) == lines_of(first)
    assert not ChargeLine.objects.filter(run__status=RunStatus.CANCELLED).exists()


def test_two_posts_at_once_post_the_month_once(region):
    assert finished(raschet(region, "calc", "--period", "2026-02"))[0] == 0
    run = CalcRun.objects.get()
    posts = [primed(region, "period", "post", "--period", "2026-02") for _ in range(2)]
    codes = sorted(finished(post)[0] for post in [go(post) for post in posts])
    assert codes == [0, 2]
    assert charged(FEBRUARY) == lines_of(run) and LedgerEntry.objects.filter(kind="charge").count() == run.lines


def test_two_calculations_at_once_leave_one_draft(region):
    calcs = [primed(region, "calc", "--period", "2026-02") for _ in range(2)]
    results = [finished(calc) for calc in [go(calc) for calc in calcs]]
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 2], results
    assert any("не завершён" in err for _code, _out, err in results)  # the second finds the first running
    done = CalcRun.objects.get(status=RunStatus.DONE)
    assert ChargeLine.objects.count() == done.lines > 0
