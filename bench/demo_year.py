"""The demo's year (``raschet demo``'s ``calculate_year``), stage by stage; print each month's seconds.

    python bench/demo_year.py [--accounts 2000] [--database URL] [--profile FILE]

A fresh region (default: a new SQLite file under /tmp, as the demo's own) with the demo's seed, then
its twelve months by the demo's own code (``generators.history.calculate_year``): each month
calculated; all but the last posted, closed and paid by the residents through a bank registry. Printed per month and in all: calculate,
post, close (the closing balances), the registry's parse and import; then the year's total, in wall
seconds and this process's CPU seconds (the fairer figure on a shared machine). ``--profile FILE`` writes a cProfile of the year (``python -m pstats FILE``).
The last line is a digest of what the year wrote (lines, entries, balances, payments, readings; the
clock's columns left out): a change that must not change any result keeps it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from load_region import fresh_django  # noqa: E402

STAGES = ("calculate", "post", "close", "parse", "import")
WRITTEN = {  # what the year writes, without the columns that hold the clock
    "billing_chargeline": "*",
    "billing_ledger": "id, account_id, service_id, supplier_id, period, ref_period, kind, amount, volume, line_id, "
                      "payment_id, reason, mark",  # the ledger as read: stored entries and posted lines
    "billing_balance": "*",
    "payments_payment": "id, account_id, registry_id, source, channel, agent, operation_id, identity, paid_on, amount, "
                        "fee, named_period, account_text, state",
    "metering_reading": "id, meter_id, date, zone, value, source",
}


class Laps:
    """Seconds of each month's stages: the time since the previous lap, under the stage's name."""

    def __init__(self) -> None:
        self.months: dict[str, dict[str, float]] = {}
        self.mark = time.perf_counter()

    def __call__(self, period, stage: str) -> None:
        now = time.perf_counter()
        self.months.setdefault(str(period), {})[stage], self.mark = now - self.mark, now


def year(accounts: int, seed: int) -> list[tuple[str, dict[str, float]]]:
    """The demo's own year (``generators.history.calculate_year``), each stage timed."""
    from raschet.generators.history import calculate_year
    from raschet.generators.plan import RegionSpec

    laps = Laps()
    calculate_year(RegionSpec(accounts=accounts, seed=seed), show_progress=False, lap=laps)
    return list(laps.months.items())


def digest() -> str:
    """SHA-256 over every row the year wrote (ordered by id, each value as text)."""
    from django.db import connection

    sha = hashlib.sha256()
    with connection.cursor() as cursor:
        for table, columns in WRITTEN.items():
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")
            for row in cursor.fetchall():
                sha.update(repr(tuple(str(value) for value in row)).encode())
    return sha.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", help="URL; default: a new SQLite file")
    parser.add_argument("--profile", help="write a cProfile of the year to this file")
    args = parser.parse_args()
    fresh_django(args.database)
    from django.db import connection

    from raschet.generators.region import RegionSpec, load_region

    started = time.perf_counter()
    load_region(RegionSpec(accounts=args.accounts, seed=args.seed), show_progress=False)
    print(f"database   {connection.vendor}, {args.accounts} accounts; region {time.perf_counter() - started:.1f} s")
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started, cpu = time.perf_counter(), time.process_time()
    months = year(args.accounts, args.seed)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    print("month      " + "".join(f"{stage:>10}" for stage in STAGES) + "     month")
    for period, seconds in months:
        print(f"{period:<11}" + "".join(f"{seconds[s]:>10.2f}" if s in seconds else f"{'':>10}" for s in STAGES)
              + f"{sum(seconds.values()):>10.2f}")
    sums = {s: sum(m.get(s, 0.0) for _, m in months) for s in STAGES}
    print(f"{'year':<11}" + "".join(f"{sums[s]:>10.2f}" for s in STAGES) + f"{total:>10.2f}")
    print(f"the year   {total:.1f} s, CPU {cpu:.1f} s")
    print(f"digest     {digest()}")


if __name__ == "__main__":
    main()
