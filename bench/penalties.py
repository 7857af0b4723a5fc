"""Monthly penalty accrual over a region: ledger read, penalty engine, entries written.

    python bench/penalties.py --accounts 200000 [--database URL] [--services 6] [--engine-only] [--reuse]

Builds a fresh database (PostgreSQL by default: ``raschet_bench_penalties``) holding, for N accounts,
12 months of posted charges (2025-12..2026-11, ``--services`` services each) and payments (per month:
60 % of accounts pay the month in full on a day of the next month, 20 % pay half, 20 % nothing;
named periods, so the allocations are written as the ledger would hold them), accrues the penalties
of 2026-11 (the whole ledger read; this accrual stays and leaves its kept state), then writes
December's entries — the charges of 2026-12 and the payments made in December — as a month's
calculation and bank registries would, and times the accrual of 2026-12 twice, each rolled back:
from the kept state (the month's new entries read) and from the whole ledger (the state dropped).
Prints accounts, rows read, entries written, seconds per stage and rows/s. ``--engine-only`` skips
the database and times the engine on the same data in memory; ``--reuse`` times December again in a
database an earlier run built.

The ledger is written with COPY straight into ``billing_entry`` (not through a month's calculation
run), which is what the accrual reads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
PERIODS = [f"{y}-{m:02d}" for y, m in [(2025, 12)] + [(2026, m) for m in range(1, 13)]]
DECEMBER = date(2026, 12, 1)


def ledger(accounts: int, services: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Charges (account × service × period) and payments (account × period) in kopecks."""
    ids = pl.int_range(1, accounts + 1, eager=True).alias("account_id")
    grid = pl.DataFrame(ids).join(pl.DataFrame({"ref_period": PERIODS}), how="cross").join(
        pl.DataFrame({"service_id": list(range(1, services + 1))}), how="cross")
    charges = grid.with_columns(amount=((pl.col("account_id") * 7919 + pl.col("service_id") * 104729) % 150_000
                                        + 20_000).cast(pl.Int64))
    monthly = charges.group_by("account_id", "ref_period").agg(pl.col("amount").sum())
    draw = ((pl.col("account_id") * 2654435761 + pl.col("ref_period").str.slice(5, 2).cast(pl.Int64) * seed) % 100)
    payments = (monthly.with_columns(draw=draw)
                .with_columns(share=pl.when(pl.col("draw") < 60).then(1.0).when(pl.col("draw") < 80).then(0.5)
                              .otherwise(0.0))
                .filter(pl.col("share") > 0)
                .with_columns(amount=pl.when(pl.col("share") == 1).then(pl.col("amount"))
                              .otherwise(pl.col("amount") // 2).cast(pl.Int64),
                              paid_on=pl.col("ref_period").str.to_date("%Y-%m").dt.offset_by("1mo")
                              .dt.offset_by(pl.format("{}d", pl.col("draw") % 28)))
                .select("account_id", "ref_period", "paid_on", "amount")
                .filter(pl.col("paid_on") < date(2027, 1, 1)))
    return charges, payments


def engine_only(accounts: int, services: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from raschet.engine.penalties import BUCKETS, MOVEMENTS, penalty_rows
    from raschet.engine.penalty_terms import PenaltyTerms, terms_frames

    started = time.perf_counter()
    charges, payments = ledger(accounts, services)
    charges = charges.filter(pl.col("ref_period") < "2026-12")
    made = time.perf_counter() - started
    terms = PenaltyTerms(*terms_frames([(date(2025, 10, 27), Decimal("16.5"))],
                                       [(date(2023, 1, 1), date(2027, 1, 1), "min_key", Decimal("9.5"))], []))
    due = pl.col("ref_period").str.to_date("%Y-%m").dt.offset_by("1mo").dt.offset_by("9d")
    buckets = (charges.group_by("account_id", "ref_period").agg(pl.col("amount").sum())
               .with_columns(group=pl.lit("standard"), category=pl.lit("citizen"), due=due, grace=30, first=300,
                             step=91, second=130).select(list(BUCKETS)).cast(BUCKETS))
    moves = payments.with_columns(group=pl.lit("standard"), effective=pl.col("paid_on").dt.offset_by("1d")).select(
        list(MOVEMENTS)).cast(MOVEMENTS)
    started = time.perf_counter()
    rows, _ = penalty_rows(buckets, moves, terms, date(2026, 12, 31))
    spent = time.perf_counter() - started
    print(f"engine only: accounts {accounts:,}, buckets {buckets.height:,}, payments {moves.height:,}, "
          f"statement rows {rows.height:,}; data {made:.1f} s, engine {spent:.2f} s, "
          f"{buckets.height / spent:,.0f} buckets/s")


def connect(url: str) -> None:
    os.environ["RASCHET_DATABASE_URL"] = url
    import django

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    django.setup()


def setup_database(url: str, accounts: int, services: int) -> None:
    connect(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from raschet.housing.models import Account, Building, Premises
    from raschet.payments.models import Payment
    from raschet.store.frames import write_frame
    from raschet.tariffs.models import Organization, Service

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    charges, payments = ledger(accounts, services)
    with transaction.atomic():
        Organization.objects.create(code="UK", name="УК", inn="7707000015")
        Service.objects.bulk_create([Service(code=f"s{i}", name=f"Услуга {i}", kind="other", unit="m2")
                                     for i in range(1, services + 1)])
        buildings = max(accounts // 100, 1)
        write_frame(Building, pl.DataFrame({"id": range(1, buildings + 1)}).with_columns(
            code=pl.format("B{}", "id"), address=pl.format("ул. Бенч, д. {}", "id"), total_area=pl.lit("5000"),
            common_area=pl.lit("0")).with_columns(pl.col("total_area", "common_area").cast(pl.Decimal(12, 2))))
        write_frame(Premises, pl.DataFrame({"id": range(1, accounts + 1)}).with_columns(
            building_id=(pl.col("id") - 1) % buildings + 1, number=pl.col("id").cast(pl.Utf8), kind=pl.lit("residential")))
        write_frame(Account, pl.DataFrame({"id": range(1, accounts + 1)}).with_columns(
            number=pl.format("9{}", pl.col("id").cast(pl.Utf8).str.zfill(9)), premises_id=pl.col("id"),
            payer=pl.lit("Бенч"), opened=pl.lit(date(2020, 1, 1))))
        november = charges.filter(pl.col("ref_period") < "2026-12"), payments.filter(pl.col("paid_on") < DECEMBER)
        _write_ledger(*november, now, write_frame, Payment, first_id=1)
    _analyze(connection)
    print(f"ledger to November written: {november[0].height:,} charges, {november[1].height:,} payments in "
          f"{time.perf_counter() - started:.1f} s")
    from raschet.claims import penalties
    from raschet.domain.periods import Period

    started = time.perf_counter()
    result = penalties.accrue_penalties(period=Period.parse("2026-11"))
    print(f"accrual 2026-11 (whole ledger, kept): entries {result.entries:,}, penalty {result.penalty} ₽, "
          f"corrections {result.corrections} ₽ in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        december = charges.filter(pl.col("ref_period") == "2026-12"), payments.filter(pl.col("paid_on") >= DECEMBER)
        _write_ledger(*december, now, write_frame, Payment, first_id=november[1].height + 1)
    _analyze(connection)
    print(f"December written: {december[0].height:,} charges, {december[1].height:,} payments in "
          f"{time.perf_counter() - started:.1f} s")


def _analyze(connection) -> None:
    if connection.vendor == "postgresql":  # a loaded region has its statistics (autovacuum's analyze)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _write_ledger(charges: pl.DataFrame, payments: pl.DataFrame, now, write_frame, Payment, first_id: int) -> None:
    from raschet.billing.models import Entry

    money = (pl.col("amount").cast(pl.Decimal(20, 0)) * pl.lit(Decimal("0.01"))).cast(
        pl.Decimal(14, 2))
    write_frame(Entry, charges.select("account_id", "service_id", "ref_period", supplier_id=pl.lit(1),
                                      period=pl.col("ref_period"), kind=pl.lit("charge"), amount=money,
                                      reason=pl.lit(""), created_at=pl.lit(now)))
    pays = payments.with_row_index("id", offset=first_id).with_columns(pl.col("id").cast(pl.Int64))
    write_frame(Payment, pays.select("id", "account_id", "paid_on", source=pl.lit("registry"), channel=pl.lit("bench"),
                                     operation_id=pl.col("id").cast(pl.Utf8), agent=pl.lit("bench"),
                                     identity=pl.format("bench-{}", pl.col("id")), amount=money,
                                     named_period="ref_period",
                                     state=pl.lit("allocated"), created_at=pl.lit(now)))
    shares = (charges.join(pays.select("id", "account_id", "ref_period", "paid_on", paid="amount"),
                           on=["account_id", "ref_period"])
              .with_columns(total=pl.col("amount").sum().over("id"))
              .with_columns(amount=-(pl.col("amount") * pl.col("paid") // pl.col("total"))))
    write_frame(Entry, shares.select("account_id", "service_id", "ref_period", supplier_id=pl.lit(1),
                                     period=pl.col("paid_on").dt.strftime("%Y-%m"), kind=pl.lit("payment"),
                                     amount=money, payment_id="id", reason=pl.lit(""), created_at=pl.lit(now)))


class RolledBack(Exception):
    pass


def accrue() -> None:
    from django.db import transaction

    from raschet.claims import penalties, sources
    from raschet.claims.models import PenaltyState
    from raschet.domain.periods import Period

    written = [0.0]
    write = sources.write_penalty_entries

    def timed_write(*args, **kwargs):
        begun = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            written[0] += time.perf_counter() - begun

    sources.write_penalty_entries = timed_write
    try:
        for name in ("kept state", "whole ledger"):
            written[0] = 0.0
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    if name == "whole ledger":
                        PenaltyState.objects.all().delete()
                    result = penalties.accrue_penalties(period=Period.parse("2026-12"))
                    total = time.perf_counter() - started
                    raise RolledBack
            except RolledBack:
                pass
            reread = "all" if result.reread is None else f"{result.reread:,}"
            print(f"accrual 2026-12 from the {name}: {total:.1f} s (write {written[0]:.1f} s, "
                  f"{result.entries / max(written[0], 1e-9):,.0f} entries/s; the rest {total - written[0]:.1f} s); "
                  f"accounts with penalties {result.accounts:,}, entries {result.entries:,}, penalty "
                  f"{result.penalty} ₽, corrections {result.corrections} ₽; accounts read whole {reread}")
    finally:
        sources.write_penalty_entries = write
    debts = sources.penalty_debts(None)
    paid = sources.penalty_payments(None)
    print(f"the whole ledger as the engine reads it: {debts.height + paid.height:,} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=6)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/raschet_bench_penalties")
    parser.add_argument("--engine-only", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="accrue in the database an earlier run built")
    args = parser.parse_args()
    if args.engine_only:
        engine_only(args.accounts, args.services)
        return
    if args.reuse:
        connect(args.database)
        accrue()
        return
    if args.database.startswith("postgresql"):
        import psycopg

        base, name = args.database.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    setup_database(args.database, args.accounts, args.services)
    accrue()


if __name__ == "__main__":
    main()
