"""Generate a region and load it through the bulk path; print rows, seconds, rows/s and peak memory.

    python bench/load_region.py --accounts 100000 [--database URL]

The same generator as ``raschet generate`` (chunks of whole buildings, Polars, COPY on PostgreSQL).
The database (default: a fresh SQLite file under /tmp) is migrated first; PostgreSQL databases are
dropped and created anew so the figure is for an empty installation.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile


def prepare_database(url: str | None) -> str:
    if url is None:
        path = os.path.join(tempfile.mkdtemp(prefix="raschet-bench-"), "bench.sqlite3")
        return f"sqlite:///{path}"
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def fresh_django(url: str | None) -> None:
    """Point Django at a freshly created database and migrate it (for the benchmarks)."""
    os.environ["RASCHET_DATABASE_URL"] = prepare_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def analyze() -> None:
    """Planner statistics as a database in use has them (autovacuum would), after a bulk load."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database", help="URL; default: a new SQLite file")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.environ["RASCHET_DATABASE_URL"] = prepare_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from raschet.generators.region import RegionSpec, generate_region

    call_command("migrate", verbosity=0)
    written = generate_region(RegionSpec(accounts=args.accounts, seed=args.seed))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database        {connection.vendor}")
    print(f"accounts        {written.accounts}")
    for label, count in written.rows.items():
        print(f"  {label:<22}{count:>12,}")
    print(f"rows written    {written.total_rows:,}")
    print(f"generation      {written.generate_s:.1f} s (in a thread, alongside writing)")
    print(f"total           {written.seconds:.1f} s ({written.total_rows / written.seconds:,.0f} rows/s)")
    print("steps           " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in written.steps.items()))
    print(f"peak memory     {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
