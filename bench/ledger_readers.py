"""The readers of the ledger that moved onto ``store.ledger`` (issue 12), timed over a generated year.

    python bench/ledger_readers.py --accounts 2000 [--database URL] [--reuse] [--repeat 5]

Builds (unless ``--reuse``) a region of N accounts in the database ``URL`` (PostgreSQL by default:
``raschet_readers_bench``, dropped and made anew) and calculates its year as the demo does (eleven
months closed and paid through bank registries, the last one calculated), then prints the median
milliseconds of ``--repeat`` calls of each reader: the turnover sheet of the year by account and by
building, the debt ageing, the subscriber's summary, periods and month's charges of 50 accounts,
and the scenario result's payment entries. Nothing is written by the timed calls.

Run it with ``PYTHONPATH`` at one source tree and then at another for an A/B of the readers: it uses
only the readers' public entry points, which did not change.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def connect(url: str) -> None:
    os.environ["RASCHET_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(url: str, accounts: int) -> None:
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    connect(url)
    from django.core.management import call_command

    from raschet.domain.periods import Period
    from raschet.generators.history import calculate_year
    from raschet.generators.region import RegionSpec, load_region

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    spec = RegionSpec(accounts=accounts, seed=1, last_period=Period(2026, 11), months=12)
    load_region(spec, show_progress=False)
    calculate_year(spec, show_progress=False)
    print(f"region of {accounts:,} accounts and its year: {time.perf_counter() - started:.1f} s")


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/raschet_readers_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.reuse:
        connect(args.database)
    else:
        build(args.database, args.accounts)

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from raschet.backoffice.reports import debt_ageing
    from raschet.billing.turnover import turnover
    from raschet.domain.periods import Period
    from raschet.housing.models import Account
    from raschet.portal import statement
    from raschet.portal.models import AccountLink
    from raschet.scenarios import runner

    first, last = Period(2025, 12), Period(2026, 11)
    admin, _ = get_user_model().objects.get_or_create(username="bench-readers", defaults={"is_superuser": True})
    numbers = list(Account.objects.order_by("number").values_list("number", flat=True)[:50])
    for account in Account.objects.filter(number__in=numbers):
        AccountLink.objects.get_or_create(user=admin, account=account, defaults={"confirmed_at": timezone.now()})

    def portal() -> None:
        for number in numbers:
            statement.summary(user=admin, account_number=number)
            statement.charged_periods(user=admin, account_number=number)
            statement.charges(user=admin, account_number=number, period=last)

    readers = {
        "turnover by account": lambda: turnover(first, last, "account"),
        "turnover by building": lambda: turnover(first, last, "building"),
        "debt ageing": lambda: debt_ageing(last, actor=admin),
        "portal, 50 accounts": portal,
        "scenario payment entries": runner._payment_entries,
    }
    for name, call in readers.items():
        print(f"{name}: {median_ms(call, args.repeat):.1f} ms")


if __name__ == "__main__":
    main()
