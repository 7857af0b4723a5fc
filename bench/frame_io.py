"""Write N ChargeLine-shaped rows with ``write_frame`` and read them back with ``read_frame``; print
rows/s for each direction and the peak memory.

    python bench/frame_io.py --rows 2000000 [--database URL]

Default database: a fresh PostgreSQL database ``raschet_bench_frames`` (dropped and created anew, then
migrated); ``--database sqlite`` uses a new SQLite file instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_region import prepare_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/raschet_bench_frames"
DECIMALS = {"volume": 6, "tariff": 6, "factor": 4, "amount": 2, "excess_amount": 2}


def lines(rows: int, refs: dict) -> pl.DataFrame:
    """Real-looking lines over 100,000 accounts: volumes with six places, kopeck amounts, a JSON text."""
    index = pl.int_range(0, rows, eager=True)
    volume = (index * 7919 % 2_000_000_000 - 100_000_000).cast(pl.Int128)
    return pl.DataFrame({"i": index}).select(
        pl.lit(refs["run_id"]).alias("run_id"), (pl.col("i") % 100_000 + refs["first_account"]).alias("account_id"),
        pl.lit(refs["service_id"]).alias("service_id"), pl.lit(refs["supplier_id"]).alias("supplier_id"),
        pl.lit("2026-03").alias("period"), pl.lit("2026-03").alias("ref_period"), pl.lit("charge").alias("kind"),
        pl.lit("total").alias("zone"), pl.lit(None, pl.Int16).alias("band"), pl.lit(date(2026, 3, 1)).alias("date_from"),
        pl.lit(date(2026, 4, 1)).alias("date_to"), pl.lit(31, pl.Int16).alias("days"),
        pl.lit("норматив").alias("method"), pl.lit("formula").alias("volume_source"),
        pl.lit(volume).cast(pl.Decimal(38, 0)).cast(pl.Decimal(38, 6)).truediv(1000).cast(pl.Decimal(38, 6))
        .alias("volume"), pl.lit("48.27").str.to_decimal(scale=6).alias("tariff"),
        pl.lit("1").str.to_decimal(scale=4).alias("factor"),
        (pl.lit(volume) // 7).cast(pl.Decimal(38, 0)).cast(pl.Decimal(38, 2)).truediv(100).cast(pl.Decimal(38, 2))
        .alias("amount"), pl.lit("0").str.to_decimal(scale=2).alias("excess_amount"),
        pl.format("Лицевой счёт {}, \"кв.\", строка", pl.col("i")).alias("reason"),
        pl.format('{{"norm": "6.935", "i": {}}}', pl.col("i")).alias("explanation"))


def references(accounts: int) -> dict:
    """One run, service and supplier; ``accounts`` accounts in one building (written with write_frame)."""
    from raschet.billing.models import CalcRun
    from raschet.housing.models import Account, Building, Premises
    from raschet.store.frames import write_frame
    from raschet.tariffs.models import Organization, Service

    premises = Premises.objects.create(building=Building.objects.create(code="B", address="ул. Стендовая, 1",
                                                                        total_area=1000), number="1")
    write_frame(Account, pl.DataFrame({"number": [f"{n:010d}" for n in range(accounts)]}).with_columns(
        pl.lit(premises.id).alias("premises_id"), pl.lit("Плательщик").alias("payer"),
        pl.lit(date(2020, 1, 1)).alias("opened")))
    return {"run_id": CalcRun.objects.create(period="2026-03").id,
            "first_account": Account.objects.order_by("id").values_list("id", flat=True).first(),
            "service_id": Service.objects.create(code="cw", name="ХВС", kind="cold_water", unit="m3").id,
            "supplier_id": Organization.objects.create(code="vk", name="Водоканал", inn="7707083893").id}


def read_sql(vendor: str) -> tuple[str, dict]:
    from raschet.billing.models import ChargeLine

    schema = {f.attname: pl.Int64 for f in ChargeLine._meta.concrete_fields if f.get_internal_type().endswith(
        ("IntegerField", "AutoField", "ForeignKey"))}
    text = {"period": pl.Utf8, "kind": pl.Utf8, "reason": pl.Utf8, "explanation": pl.Utf8}
    dates = {"date_from": pl.Date, "date_to": pl.Date}
    decimals = {name: pl.Decimal(38, scale) for name, scale in DECIMALS.items()}
    schema = {**schema, **text, **dates, **decimals}
    cast = (lambda c: c) if vendor == "postgresql" else (lambda c: f"CAST({c} AS TEXT)")
    select = ", ".join(cast(c) if c in DECIMALS else c for c in schema)
    return f"SELECT {select} FROM billing_chargeline WHERE run_id = %s", schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--database", default=DEFAULT_URL, help="URL, or 'sqlite' for a new SQLite file")
    args = parser.parse_args()
    os.environ["RASCHET_DATABASE_URL"] = prepare_database(None if args.database == "sqlite" else args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from raschet.billing.models import ChargeLine
    from raschet.store.frames import read_frame, write_frame

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        refs = references(100_000)
    frame = lines(args.rows, refs)
    started = time.perf_counter()
    with transaction.atomic():
        write_frame(ChargeLine, frame)
    written = time.perf_counter() - started
    del frame
    sql, schema = read_sql(connection.vendor)
    started = time.perf_counter()
    with transaction.atomic():
        back = read_frame(sql, [refs["run_id"]], schema)
    read = time.perf_counter() - started
    assert back.height == args.rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database        {connection.vendor}")
    print(f"rows            {args.rows:,}")
    print(f"write_frame     {written:.1f} s ({args.rows / written:,.0f} rows/s)")
    print(f"read_frame      {read:.1f} s ({args.rows / read:,.0f} rows/s)")
    print(f"peak memory     {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
