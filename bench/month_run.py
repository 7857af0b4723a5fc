"""A whole month, read to posted, against the I/O floor measured in the same run.

    python bench/month_run.py --accounts 1500000 [--database URL] [--workers N] [--period 2026-11]

The region lives in the database ``URL`` (PostgreSQL; default ``raschet_month_<N>`` on 127.0.0.1);
when it does not hold ``N`` accounts it is made with ``raschet generate``. Each run works on a copy
(``CREATE DATABASE ... TEMPLATE``), so the month can be calculated and posted again and again.

Printed: accounts, lines, seconds per stage (summed over units, and wall), total wall time, lines/s,
peak memory of the process tree (this process and its workers; the PostgreSQL server not counted),
and the **I/O floor**: in the same database, the time to read every unit's inputs into frames
(``load_snapshot``, no calculation) plus the time to COPY the same lines and the blocks explaining
them into tables of the same shape and indexes (no calculation, no id lookup, no checks; the lines
into a bare table indexed after the load, as a full run writes them), and total / floor. Posting
copies nothing (the posted run's lines are the period's entries), so the floor has no entries to write.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class TreeMemory:
    """Peak resident memory of this process plus its children, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found += [int(child) for child in task.read_text().split()]
            except OSError:
                pass
        return found

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            pids, total = [os.getpid()], 0
            while pids:
                pid = pids.pop()
                total += self._rss(pid)
                pids += self._children(pid)
            self.peak = max(self.peak, total)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def admin(url: str, *statements: str) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def accounts_in(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT COUNT(*) FROM housing_account").fetchone()[0]
    except psycopg.Error:
        return -1


def ensure_region(url: str, accounts: int) -> None:
    """The template database holds exactly ``accounts`` accounts (generated when it does not)."""
    held = accounts_in(url)
    if held == accounts:
        return
    name = url.rsplit("/", 1)[1]
    admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    print(f"generating {accounts:,} accounts into {name} …", flush=True)
    subprocess.run([sys.executable, "-m", "raschet.cli", "generate", "--accounts", str(accounts)],
                   check=True, cwd=ROOT, env={**os.environ, "RASCHET_DATABASE_URL": url})


def floor_seconds(run_id: int, period: str) -> dict[str, float]:
    """The I/O of the run without its computation: every unit's inputs read into frames, the run's lines
    and their blocks copied into empty tables of the same shape, and indexed as the run's are: a run
    with a table of its own (``billing.partitions``) is copied bare and indexed after, as the run was."""
    from django.db import connection

    from raschet.billing.models import CalcUnit
    from raschet.billing.partitions import RUN_INDEX_MEMORY, run_table
    from raschet.billing.snapshot import load_snapshot
    from raschet.domain.periods import Period

    started = time.perf_counter()
    for buildings in CalcUnit.objects.filter(run_id=run_id).values_list("buildings", flat=True):
        load_snapshot(buildings, Period.parse(period))  # the month's own read (its readings only)
    read = time.perf_counter() - started
    figures = {"floor_read": read}
    raw = connection.connection
    for table, where in (("billing_chargeline", f"run_id = {run_id}"), ("billing_lineblock", f"run_id = {run_id}")):
        data = io.BytesIO()
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    data.write(chunk)
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cursor.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = to_regclass(%s)",
                           [run_table(run_id)])
            indexes_after = [d.split(" USING ", 1)[1] for (d,) in cursor.fetchall()] if table == "billing_chargeline" else []
            including = "" if indexes_after else " INCLUDING INDEXES"
            cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS{including})")
            raw.commit()
            started = time.perf_counter()
            with cursor.copy(f"COPY floor_{table} FROM STDIN (FORMAT csv)") as copy:
                view = data.getbuffer()
                for offset in range(0, len(view), 8 << 20):
                    copy.write(view[offset:offset + (8 << 20)])
                del view
            raw.commit()
            figures[f"floor_write_{table.split('_')[1]}"] = time.perf_counter() - started
            if indexes_after:
                started = time.perf_counter()
                cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [RUN_INDEX_MEMORY])
                for columns in indexes_after:
                    cursor.execute(f"CREATE INDEX ON floor_{table} USING {columns}")
                raw.commit()
                figures[f"floor_index_{table.split('_')[1]}"] = time.perf_counter() - started
            cursor.execute(f"DROP TABLE floor_{table}")
            raw.commit()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database", help="URL of the region's database (PostgreSQL)")
    parser.add_argument("--period", default="2026-11")
    parser.add_argument("--workers", type=int, default=None, help="unit processes (default: one per core)")
    parser.add_argument("--keep", action="store_true", help="keep the copy the month ran on")
    parser.add_argument("--no-floor", action="store_true", help="the month only (the floor takes as long again)")
    args = parser.parse_args()
    url = args.database or f"postgresql://postgres@127.0.0.1:5432/raschet_month_{args.accounts}"
    ensure_region(url, args.accounts)
    template = url.rsplit("/", 1)[1]
    work_url = f"{url}_run"
    work = f"{template}_run"
    started = time.perf_counter()
    admin(url, f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)', f'CREATE DATABASE "{work}" TEMPLATE "{template}"')
    print(f"copy of the region: {time.perf_counter() - started:.1f} s (not timed)", flush=True)

    os.environ["RASCHET_DATABASE_URL"] = work_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from raschet.billing.models import LedgerEntry
    from raschet.billing.runs import default_workers
    from raschet.billing.services import calculate_period, post_period
    from raschet.domain.periods import Period

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    period = Period.parse(args.period)
    workers = args.workers or default_workers()
    with TreeMemory() as memory:
        started = time.perf_counter()
        run = calculate_period(period=period, workers=workers, recalculate_past=False).run
        calculated = time.perf_counter()
        posted = post_period(period=period)
        finished = time.perf_counter()
    total = finished - started
    entries = LedgerEntry.objects.filter(period=str(period), line__isnull=False).count()  # the posted lines
    floor = {} if args.no_floor else floor_seconds(run.pk, str(period))
    floor_total = sum(floor.values())
    print(f"database        {connection.vendor} ({work})")
    print(f"accounts        {run.accounts:,}")
    print(f"units           {run.units.count()} on {workers} worker(s)"
          + (f", Dask {os.environ['RASCHET_DASK_SCHEDULER']}" if os.environ.get("RASCHET_DASK_SCHEDULER") else ""))
    print(f"lines           {run.lines:,}; entries posted {posted:,} ({entries:,})")
    print("stages (seconds summed over units):")
    for stage, seconds in run.timings.items():
        print(f"  {stage:<22} {seconds:8.2f}")
    print(f"calculate (wall) {calculated - started:7.1f} s")
    print(f"post (wall)      {finished - calculated:7.1f} s")
    print(f"total (wall)     {total:7.1f} s  (target ≤ 60 s at 1.5 M accounts, then 30 s)")
    print(f"lines/s          {run.lines / total:,.0f}")
    print(f"peak memory      {memory.peak / 2**30:.2f} GiB (this process and its workers; target ≤ 8 GiB)")
    print("I/O floor (same database, no computation):" if floor else "I/O floor: not measured (--no-floor)")
    for stage, seconds in floor.items():
        print(f"  {stage:<22} {seconds:8.2f}")
    if floor:
        print(f"floor total      {floor_total:7.1f} s")
        print(f"total / floor    {total / floor_total:7.2f}  (target ≤ 1.5)")
    connection.close()
    if not args.keep:
        admin(url, f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')


if __name__ == "__main__":
    main()
