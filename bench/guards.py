"""What the history guards and the id reservation cost on PostgreSQL; prints the figures.

    python bench/guards.py [--lines 400000] [--ids 1000000] [--database URL]

In a fresh database (default ``raschet_bench_guards`` on 127.0.0.1): ``--lines`` charge lines written
with ``write_frame`` (COPY, as a unit of a run writes them) into a month's partition, five times with
the guard on inserted lines (a statement trigger over the new rows) and five times with it switched
off in a transaction that is then rolled back; and ``--ids`` ids reserved from a sequence
(``raschet.bulk.reserve_ids``) against a bare ``nextval`` of as many.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from load_region import fresh_django  # noqa: E402


def lines_frame(count: int, run_id: int, account_id: int, service_id: int, supplier_id: int):
    import polars as pl

    return pl.DataFrame({"run_id": [run_id] * count, "account_id": [account_id] * count}).with_columns(
        pl.lit(service_id).alias("service_id"), pl.lit(supplier_id).alias("supplier_id"),
        pl.lit("2026-03").alias("period"), pl.lit("2026-03").alias("ref_period"), pl.lit("charge").alias("kind"),
        pl.lit("total").alias("zone"), pl.lit(date(2026, 3, 1)).alias("date_from"),
        pl.lit(date(2026, 4, 1)).alias("date_to"), pl.lit(31).alias("days"), pl.lit("metered").alias("method"),
        pl.lit("reading").alias("volume_source"), pl.lit(Decimal("7.333000")).alias("volume"),
        pl.lit(Decimal("52.300000")).alias("tariff"), pl.lit(Decimal("1.0000")).alias("factor"),
        (pl.int_range(pl.len()).cast(pl.Decimal(14, 2)) / 100 + Decimal("383.52")).cast(pl.Decimal(14, 2)).alias("amount"),
        pl.lit(Decimal("0.00")).alias("excess_amount"), pl.lit("").alias("reason"),
        pl.lit('{"area":"60","reading_prev":"123.456","reading_cur":"130.789","norm":"4.85"}').alias("explanation"))


def timed_write(frame, guarded: bool) -> float:
    from django.db import connection, transaction

    from raschet.billing.models import ChargeLine
    from raschet.store.frames import write_frame

    with transaction.atomic():
        if not guarded:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE billing_chargeline DISABLE TRIGGER chargeline_posted_insert")
        started = time.perf_counter()
        write_frame(ChargeLine, frame)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the lines and the switched-off trigger both undone
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=400_000)
    parser.add_argument("--ids", type=int, default=1_000_000)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/raschet_bench_guards")
    args = parser.parse_args()
    fresh_django(args.database)
    from django.db import connection, transaction

    from raschet.billing.models import CalcRun, Entry
    from raschet.billing.partitions import ensure_partitions
    from raschet.bulk import reserve_ids
    from raschet.domain.periods import Period
    from raschet.generators.region import RegionSpec, load_region
    from raschet.housing.models import Account
    from raschet.tariffs.models import AccountService

    load_region(RegionSpec(accounts=20, months=1, last_period=Period(2026, 3)), show_progress=False)
    ensure_partitions(Period(2026, 3))
    service = AccountService.objects.select_related("account").first()
    run = CalcRun.objects.create(period="2026-03")
    frame = lines_frame(args.lines, run.pk, service.account_id, service.service_id, service.supplier_id)
    guarded, unguarded = [], []
    timed_write(frame, True)  # warm up: the partition's pages, the plans
    for turn in range(5):  # alternated, so a load that comes and goes hits both
        for guard in ((True, False) if turn % 2 else (False, True)):
            (guarded if guard else unguarded).append(timed_write(frame, guard))
    on, off = statistics.median(guarded), statistics.median(unguarded)
    print(f"lines written          {args.lines:,} per run, median of 5")
    print(f"with the insert guard  {on:.2f} s ({args.lines / on:,.0f} lines/s)")
    print(f"guard switched off     {off:.2f} s ({args.lines / off:,.0f} lines/s)")
    print(f"the guard costs        {100 * (on - off) / off:+.1f} %")
    with transaction.atomic():
        started = time.perf_counter()
        runs = reserve_ids(Entry, args.ids)
        reserved = time.perf_counter() - started
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("SELECT pg_get_serial_sequence('housing_account', 'id')")
            sequence = cursor.fetchone()[0]
            started = time.perf_counter()
            cursor.execute("SELECT COUNT(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, args.ids])
            bare = time.perf_counter() - started
        transaction.set_rollback(True)
    print(f"ids reserved           {args.ids:,} in {reserved:.2f} s ({len(runs)} run(s); "
          f"{1e6 * reserved / args.ids:.2f} µs per id; bare nextval {1e6 * bare / args.ids:.2f} µs)")
    print(f"accounts               {Account.objects.count()}")


if __name__ == "__main__":
    main()
