"""The operator's preview of one account through the database: its building's inputs read, the month
calculated and explained, nothing written.

    python bench/preview.py --database URL [--period 2026-11] [--accounts 30] [--repeat 1]

Times ``billing.services.compute`` for one account at a time, for ``--accounts`` accounts spread over
the region (the largest building among them too), after one warm-up; prints the median, the 90th
percentile and the split between reading and calculating. Target ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="URL of a database holding a region")
    parser.add_argument("--period", default="2026-11")
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the accounts (the machine is shared)")
    args = parser.parse_args()
    os.environ["RASCHET_DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()
    from django.db.models import Count

    from raschet.billing.services import compute
    from raschet.domain.periods import Period
    from raschet.housing.models import Account

    period = Period.parse(args.period)
    total = Account.objects.count()
    step = max(1, total // args.accounts)
    ids = list(Account.objects.order_by("id").values_list("id", flat=True)[::step][:args.accounts])
    largest = (Account.objects.values("premises__building_id").annotate(n=Count("id")).order_by("-n").first())
    ids.append(Account.objects.filter(premises__building_id=largest["premises__building_id"]).values_list(
        "id", flat=True).first())
    compute(period, ids[:1])  # warm-up: imports, first-call costs, connection
    runs, cpus, reads, flats = [], [], [], []
    for account in ids * args.repeat:
        started, cpu = time.perf_counter(), time.process_time()
        result = compute(period, [account])
        runs.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        reads.append(result.timings.get("read", 0.0))
        flats.append(result.lines.height)
    runs_ms = sorted(r * 1000 for r in runs)
    print(f"accounts previewed  {len(ids)} of {total:,} (the last in the largest building, "
          f"{largest['n']} accounts)")
    print(f"median              {statistics.median(runs_ms):.1f} ms (read {statistics.median(reads) * 1000:.1f} ms, "
          f"calculate and explain the rest)")
    print(f"90th percentile     {runs_ms[int(len(runs_ms) * 0.9)]:.1f} ms; largest building {runs[-1] * 1000:.1f} ms")
    print(f"CPU of this process {statistics.median(cpus) * 1000:.1f} ms median (Polars threads included, the "
          f"database server's time not): on a busy machine compare these")
    print(f"lines per account   {statistics.median(flats):.0f}; target ≤ 50 ms")


if __name__ == "__main__":
    main()
