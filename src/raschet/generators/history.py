"""A year of history for a generated region: its months calculated, all but the last closed, and
each closed month paid by the residents through a bank registry (``registries.demo_registry``).

The demo shows it; the API, documents and portal tests start from it; ``bench/demo_year.py`` times
its stages.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from tqdm import tqdm

from raschet.billing.services import calculate_period, close_period, post_period
from raschet.domain.money import from_kopecks
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.generators.plan import RegionSpec
from raschet.generators.registries import demo_registry
from raschet.payments.imports import import_registry
from raschet.store.exact import units


def calculate_year(spec: RegionSpec, show_progress: bool = True,
                   lap: Callable[[Period, str], None] | None = None) -> list[tuple[str, int, str]]:
    """Calculate the region's twelve months, closing all but the last, and let the residents pay each
    closed month through a bank registry: a year of history to look at. Nothing changes between the
    months, so the recalculation pass of each month is skipped. ``lap(period, stage)`` is called as
    each stage of a month ends (calculate, post, close, parse, import): the benchmark's clock."""
    summary = []
    periods = [spec.last_period - back for back in range(spec.months - 1, -1, -1)]
    rng = random.Random(spec.seed)
    lap = lap or (lambda _period, _stage: None)
    with _fewer_checkpoints():
        for period in tqdm(periods, desc="Расчёт месяцев", unit=" мес.", disable=not show_progress):
            summary.append(_month(spec, period, rng, lap))
    return summary


def _month(spec: RegionSpec, period: Period, rng: random.Random, lap: Callable[[Period, str], None]
           ) -> tuple[str, int, str]:
    """One month of the year: calculated; unless it is the last, posted, closed and paid."""
    # in this process (as with the lines kept), not in worker processes on PostgreSQL
    outcome = calculate_period(period=period, recalculate_past=False, workers=1)
    bills = run_bills(outcome.run.id)
    lap(period, "calculate")
    if period != spec.last_period:
        post_period(period=period)
        lap(period, "post")
        close_period(period=period)
        lap(period, "close")
        parsed = parse_sber(demo_registry(period, bills, rng), f"sber-{period}.txt")
        lap(period, "parse")
        import_registry(parsed, channel="sber")
        lap(period, "import")
    return str(period), outcome.run.lines, str(sum((amount for _, amount in bills), from_kopecks(0)))


@contextmanager
def _fewer_checkpoints() -> Iterator[None]:
    """On SQLite, the write-ahead log copied into the database every 40 MB instead of every 4 MB
    while the year is written: the pages a month rewrites are copied once, not again and again. With
    ``synchronous=NORMAL`` the log is synced at those copies, so a power cut could lose more of the
    last commits: right for a generated year, not for an installation's day; put back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")


def run_bills(run_id: int) -> list[tuple[str, Decimal]]:
    """Each account's bill in a run (the sum of its lines), by account number in order: summed by the
    database in kopecks, exact on SQLite too. Cheaper than keeping the run's lines as frames for
    people (``keep_lines``), which the registry does not need."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a.number, SUM({units('l.amount')}) FROM billing_chargeline l "
                       "JOIN housing_account a ON a.id = l.account_id WHERE l.run_id = %s GROUP BY a.number",
                       [run_id])
        return sorted((number, from_kopecks(int(kopecks))) for number, kopecks in cursor.fetchall())
