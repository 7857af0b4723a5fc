"""A back-dated tariff change over three closed months, recalculated: how long against one month.

    python bench/recalc.py --accounts 20000 [--database URL]

A region is generated, January–March 2026 are calculated and closed, April is calculated (the time
of one month). Then the maintenance tariff is raised back to 1 January through the ORM, as an
operator would, which marks every account for the three closed months; April is calculated again
(the month plus the recalculation of three months). Target: the recalculation ≤ 3 × one month.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from load_region import analyze, fresh_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/raschet_bench_recalc")
    args = parser.parse_args()
    fresh_django(args.database)
    from django.db import connection

    from raschet.billing.models import ChargeLine, RecalcMark
    from raschet.billing.services import calculate_period, close_period
    from raschet.domain.periods import Period
    from raschet.generators.region import RegionSpec, load_region
    from raschet.tariffs.models import Tariff

    load_region(RegionSpec(accounts=args.accounts, last_period=Period(2026, 4), months=6), show_progress=False)
    analyze()
    for month in (1, 2, 3):
        calculate_period(period=Period(2026, month), recalculate_past=False)
        close_period(period=Period(2026, month))
    started = time.perf_counter()
    calculate_period(period=Period(2026, 4))
    one_month = time.perf_counter() - started

    started = time.perf_counter()
    tariff = Tariff.objects.get(service__code="maintenance", valid_from=date(2026, 1, 1))
    tariff.value += Decimal("1.50")
    tariff.save()
    marking = time.perf_counter() - started
    marks = RecalcMark.objects.count()

    started = time.perf_counter()
    calculate_period(period=Period(2026, 4))
    with_recalc = time.perf_counter() - started
    recalc = with_recalc - one_month
    recalcs = ChargeLine.objects.filter(kind="recalc", run__status="done").count()
    print(f"database              {connection.vendor}")
    print(f"accounts              {args.accounts}")
    print(f"one month (April)     {one_month:.2f} s")
    print(f"marking the change    {marking:.2f} s ({marks} account-periods marked)")
    print(f"April + 3 months      {with_recalc:.2f} s ({recalcs} recalc lines)")
    print(f"recalculation alone   {recalc:.2f} s = {recalc / one_month:.2f} × one month (target ≤ 3)")


if __name__ == "__main__":
    main()
