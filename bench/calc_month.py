"""Benchmark: one month of the calculation engine over a synthetic in-memory region.

    .venv/bin/python bench/calc_month.py --accounts 200000 [--period 2026-03] [--seed 0] [--repeat 1]

Times the engine alone (the region is generated first and is not timed), prints seconds per
stage, the total, lines and lines per second, and the peak resident memory of the process.
On a busy 2-core machine the figures vary by ±50 %; run with ``--repeat 3`` and compare user CPU
time.  ``_RJEM_MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1`` (Polars' jemalloc keeps freed
pages) cuts the system time of large runs by about half.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from raschet.domain.periods import Period
from raschet.engine import calculate
from raschet.engine.synthetic import Shape, region


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000, help="number of personal accounts")
    parser.add_argument("--period", default="2026-03", help="billing period YYYY-MM")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic region")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time; the best is reported")
    return parser.parse_args(argv)


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    period = Period.parse(args.period)
    started = time.perf_counter()
    snapshot = region(Shape(accounts=args.accounts, seed=args.seed), period)
    generated = time.perf_counter() - started
    print(f"region: {args.accounts:,} accounts, {snapshot.account_services.height:,} account services, "
          f"{snapshot.readings.height:,} readings, generated in {generated:.2f} s (not timed)")
    best = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = calculate(snapshot, period)
        elapsed = time.perf_counter() - started
        if best is None or elapsed < best[0]:
            best = (elapsed, result)
    elapsed, result = best
    for stage, seconds in result.timings.items():
        print(f"  {stage:<13} {seconds:8.3f} s")
    lines = result.lines.height
    print(f"total {elapsed:.3f} s; {lines:,} lines; {lines / elapsed:,.0f} lines/s; "
          f"{result.problems.height:,} problems; peak RSS {_peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
