"""Import and allocate a bank registry of N payments; print the time of each step.

    python bench/import_payments.py --payments 100000 [--accounts 50000] [--database URL]

The database (default: PostgreSQL on 127.0.0.1, a fresh database `raschet_bench_pay`) gets a
generated region and two posted months of charges for every account, so every payment meets
real debts across services and periods; then one Sber-format registry is parsed and imported.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(__file__))
from load_region import analyze, fresh_django  # noqa: E402


def seed_debts(account_ids: list[int]) -> int:
    """Two closed months of charges (3 services each) posted straight to the ledger."""
    from django.utils import timezone

    from raschet.billing.models import BillingPeriod, Entry
    from raschet.bulk import Tables, write_tables
    from raschet.payments.services import ENTRY_COLUMNS
    from raschet.tariffs.models import AccountService

    pairs = list(AccountService.objects.filter(service__code__in=["maintenance", "cold_water", "heating"])
                 .values_list("account_id", "service_id", "supplier_id"))
    tables, now = Tables(), timezone.now()
    rows = [(a, s, o, period, period, "charge", f"{(a * 7 + s * 13) % 2000 + 100}.{a % 100:02d}", None, None, None, "",
             now) for period in ("2026-02", "2026-03") for a, s, o in pairs]
    tables.add_rows(Entry, ENTRY_COLUMNS, rows)
    write_tables(tables)
    for period in ("2026-02", "2026-03"):  # a period row is born open (billing.guards)
        BillingPeriod.objects.create(period=period)
        BillingPeriod.objects.filter(period=period).update(state="closed", closed_at=now)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/raschet_bench_pay")
    args = parser.parse_args()
    fresh_django(args.database)
    from django.db import connection, transaction

    from raschet.exchange import parse_sber
    from raschet.generators.region import RegionSpec, load_region
    from raschet.generators.registries import sber_registry
    from raschet.housing.models import Account
    from raschet.payments.imports import import_registry

    load_region(RegionSpec(accounts=args.accounts, months=3), show_progress=False)
    accounts = dict(Account.objects.values_list("number", "id"))
    with transaction.atomic():
        debts = seed_debts(list(accounts.values()))
    analyze()
    data = sber_registry(sorted(accounts), args.payments, date(2026, 4, 20), seed=7, with_readings=0.1)
    started = time.perf_counter()
    parsed = parse_sber(data, "bench.txt")
    parsed_at = time.perf_counter()
    stages: dict[str, float] = {}
    mark = [parsed_at, "подготовка"]

    def progress(stage: str) -> None:
        now = time.perf_counter()
        stages[mark[1]] = now - mark[0]
        mark[:] = [now, stage]

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        summary = profiler.runcall(import_registry, parsed, channel="sber", progress=progress)
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(25)
    else:
        summary = import_registry(parsed, channel="sber", progress=progress)
    finished = time.perf_counter()
    stages[mark[1]] = finished - mark[0]
    print(f"database          {connection.vendor}")
    print(f"accounts          {len(accounts)} (ledger rows of debt: {debts})")
    print(f"payments          {len(parsed.payments)} ({summary.imported} imported, {summary.suspense} suspense, "
          f"{summary.readings} readings)")
    print(f"parse             {parsed_at - started:.2f} s")
    for stage, seconds in stages.items():
        print(f"import: {stage:<10}{seconds:.2f} s")
    print(f"total             {finished - started:.2f} s (target ≤ 15 s)")
    print(f"peak memory       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
