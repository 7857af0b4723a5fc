"""Benchmark: one month of the calculation engine over a synthetic in-memory region.

    .venv/bin/python bench/calc_month.py --accounts 200000 [--period 2026-03] [--seed 0] [--repeat 1]
    .venv/bin/python bench/calc_month.py --one-account [--flats 300] [--repeat 20] [--late 0.3]

Times the engine alone (the region is generated first and is not timed), prints seconds per
stage, the total, lines and lines per second, and the peak resident memory of the process.
``--one-account`` times instead the operator's preview: ``calculate`` for one account of a
snapshot holding one building of ``--flats`` flats, and prints the median of ``--repeat`` runs.
On a busy 2-core machine the figures vary by ±50 %; run with ``--repeat 3`` and compare the CPU
time it prints (all threads), or time two versions in turn.  The benchmark runs with
``_RJEM_MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1`` (Polars' jemalloc keeps freed pages:
about half the system time of large runs) unless that variable is already set; ``--plain-malloc``
keeps the allocator's defaults.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

JEMALLOC = "_RJEM_MALLOC_CONF"
if __name__ == "__main__" and JEMALLOC not in os.environ and "--plain-malloc" not in sys.argv:
    # Start again with jemalloc keeping freed pages: it reads the variable once, when Polars loads,
    # so this happens before anything imports Polars.
    os.environ[JEMALLOC] = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
    os.execv(sys.executable, [sys.executable, *sys.argv])

from raschet.domain.periods import Period  # noqa: E402  (after the restart above)
from raschet.engine import calculate  # noqa: E402
from raschet.generators.snapshot import Shape, region  # noqa: E402


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000, help="number of personal accounts")
    parser.add_argument("--period", default="2026-03", help="billing period YYYY-MM")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic region")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs to time; the best is reported (one-account: the median; default 20)")
    parser.add_argument("--one-account", action="store_true",
                        help="time calculate() for one account of a one-building snapshot")
    parser.add_argument("--flats", type=int, default=300, help="flats of the building for --one-account")
    parser.add_argument("--plain-malloc", action="store_true", help="keep jemalloc's default page decay")
    parser.add_argument("--late", type=float, default=0.0,
                        help="share of meters read after two months without a reading (the catch-up)")
    return parser.parse_args(argv)


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_account(args: argparse.Namespace, period: Period) -> int:
    """The median latency of a one-account calculation in a building of ``args.flats`` flats."""
    shape = Shape(accounts=args.flats, min_premises=args.flats, max_premises=args.flats, seed=args.seed,
                  late_reading=args.late)
    snapshot = region(shape, period)
    account = snapshot.accounts["account_id"][snapshot.accounts.height // 2]
    calculate(snapshot, period, accounts=[account])  # warm-up: imports, Polars' first-call costs
    runs, cpu, stages = [], [], []
    for _ in range(args.repeat or 20):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = calculate(snapshot, period, accounts=[account])
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        stages.append(result.timings)
    print(f"one account of a {args.flats}-flat building: {snapshot.account_services.height:,} account services, "
          f"{snapshot.readings.height:,} readings; {result.frame.height} lines")
    for stage in stages[0]:
        print(f"  {stage:<13} {statistics.median(t[stage] for t in stages) * 1000:8.2f} ms")
    print(f"median {statistics.median(runs) * 1000:.1f} ms, min {min(runs) * 1000:.1f} ms over {len(runs)} runs "
          f"(CPU time: median {statistics.median(cpu) * 1000:.1f} ms, all threads)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    period = Period.parse(args.period)
    if args.one_account:
        return one_account(args, period)
    started = time.perf_counter()
    snapshot = region(Shape(accounts=args.accounts, seed=args.seed, late_reading=args.late), period)
    generated = time.perf_counter() - started
    print(f"region: {args.accounts:,} accounts, {snapshot.account_services.height:,} account services, "
          f"{snapshot.readings.height:,} readings, generated in {generated:.2f} s (not timed)")
    best = None
    for _ in range(args.repeat or 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = calculate(snapshot, period)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if best is None or elapsed < best[0]:
            best = (elapsed, cpu, result)
    elapsed, cpu, result = best
    print(f"  {'stage':<13} {'wall s':>8} {'CPU s':>8}")
    for stage, seconds in result.timings.items():
        print(f"  {stage:<13} {seconds:8.3f} {result.cpu.get(stage, 0.0):8.3f}")
    lines = result.frame.height
    print(f"total {elapsed:.3f} s (CPU {cpu:.3f} s, all threads); {lines:,} lines; {lines / elapsed:,.0f} lines/s; "
          f"{result.problems.height:,} problems; peak RSS {_peak_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
