"""Payment documents for a generated region: pages per second on the machine's cores, and 1.5 M.

    python bench/documents.py --accounts 20000 [--database URL] [--workers 2] [--mode settlement_centre]

The region (two months: the first closed and paid, the second posted) lives in ``URL`` (default: the
PostgreSQL database ``raschet_docs_<N>`` on 127.0.0.1, made when it does not hold ``N`` accounts).

Printed, for ``--workers`` processes working at once, each on its share of the accounts:

* **render**: the documents' pages drawn and written — each account's own PDF and its route's print
  file — from contents assembled beforehand: the renderer's pages/s and CPU ms per page;
* **assemble**: the ledger read (``documents.sources``) and the contents built and checked, per page;
* **issue**: the whole use case (``raschet documents issue``: assemble, render, store every version in
  the database, write the print files), wall and CPU, pages/s;
* the extrapolation of each to 1.5 M documents.

The machine is shared: wall-clock figures depend on what else runs; CPU time per page does less.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1_500_000


def _django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "raschet.web.settings"
    os.environ["RASCHET_DATABASE_URL"] = url
    import django

    django.setup()


def prepare(url: str, accounts: int) -> None:
    """The region with its last month posted, made once per database."""
    _django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from raschet.billing.models import BillingPeriod
    from raschet.billing.services import post_period
    from raschet.generators.history import calculate_year
    from raschet.generators.region import RegionSpec, load_region
    from raschet.housing.models import Account

    spec = RegionSpec(accounts=accounts, seed=2026, months=2)
    if Account.objects.count() != accounts:
        started = time.perf_counter()
        load_region(spec, show_progress=False)
        calculate_year(spec, show_progress=False)
        print(f"region: {accounts} accounts, two months calculated in {time.perf_counter() - started:.0f} s")
    if BillingPeriod.objects.get(period=str(spec.last_period)).state != "posted":
        post_period(period=spec.last_period)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics after the bulk load and the posting, as
        cursor.execute("ANALYZE")  # autovacuum gives a production database (else: plans for empty tables)


def _share(url: str, mode: str, ids: list[int], folder: str) -> dict:
    """In a worker: assemble the share's contents (timed), then render them (timed separately)."""
    _django(url)
    from datetime import date

    from raschet.documents.assemble import Assembler
    from raschet.documents.models import DocumentSettings
    from raschet.documents.render import renderer
    from raschet.documents.setup import document_setup
    from raschet.domain.periods import Period

    DocumentSettings.objects.update_or_create(pk=1, defaults={"qr_mode": mode})
    render = renderer()
    assert render.forms  # fonts and forms are made once per process, before the clock starts
    wall, cpu = time.perf_counter(), time.process_time()
    assembler = Assembler(Period(2026, 11), document_setup(), date(2026, 12, 1))
    documents = {}
    for start in range(0, len(ids), 2000):
        built, _problems = assembler.build(ids[start:start + 2000])
        documents.update(built)
    assemble = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    pages, size = [], 0
    for document in documents.values():
        parts = render.pages(document)
        size += len(render.document_pdf(document, parts))
        pages += parts
    count = render.print_file(Path(folder) / f"route-{os.getpid()}.pdf", pages, "bench")
    rendered = (time.perf_counter() - wall, time.process_time() - cpu)
    return {"documents": len(documents), "pages": count, "assemble": assemble, "render": rendered, "bytes": size}


def measure(url: str, workers: int, mode: str) -> None:
    _django(url)
    from raschet.housing.models import Account

    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    shares = [ids[i::workers] for i in range(workers)]
    with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(
            workers, mp_context=get_context("spawn")) as pool:
        started = time.perf_counter()
        results = list(pool.map(_share, [url] * workers, [mode] * workers, shares, [folder] * workers))
        wall = time.perf_counter() - started
    pages = sum(r["pages"] for r in results)
    for stage in ("assemble", "render"):
        stage_wall = max(r[stage][0] for r in results)
        stage_cpu = sum(r[stage][1] for r in results)
        rate = pages / stage_wall
        print(f"{stage:>9}: {pages} pages, {stage_wall:.1f} s wall on {workers} processes → {rate:,.0f} pages/s; "
              f"CPU {stage_cpu / pages * 1000:.2f} ms/page; 1.5 M pages in {TARGET / rate / 60:.0f} min")
    print(f"    files: {sum(r['bytes'] for r in results) / max(1, sum(r['documents'] for r in results)) / 1024:.1f} KiB "
          f"per account's PDF; both stages {wall:.1f} s wall")


def _copy(url: str) -> str:
    """A fresh copy of the prepared database (PostgreSQL TEMPLATE, or the SQLite file), so that every
    run issues every document anew."""
    if url.startswith("sqlite"):
        import shutil

        source = url.removeprefix("sqlite:///")
        shutil.copyfile(source, source + ".issue")
        return f"sqlite:///{source}.issue"
    name = url.rsplit("/", 1)[1]
    for sql in (f"DROP DATABASE IF EXISTS {name}_issue", f"CREATE DATABASE {name}_issue TEMPLATE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True)
    return f"{url}_issue"


def issue(url: str, workers: int) -> None:
    """The whole use case through the command on a copy of the database, timed with its CPU."""
    from django.db import connections

    connections.close_all()  # a PostgreSQL template must have no session
    copy = _copy(url)
    env = {**os.environ, "RASCHET_DATABASE_URL": copy, "RASCHET_WORKERS": str(workers)}
    script = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
              "subprocess.run(sys.argv[1:], check=True); w = time.perf_counter() - t; "
              "r = resource.getrusage(resource.RUSAGE_CHILDREN); print(f'@@ {w} {r.ru_utime + r.ru_stime}')")
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "raschet.cli", "documents",
                               "issue", "--period", "2026-11", "--output-dir", folder], env=env,
                              capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        print(done.stdout, done.stderr)
        return
    wall, cpu = map(float, next(x for x in done.stdout.splitlines() if x.startswith("@@")).split()[1:])
    summary = next(x for x in done.stdout.splitlines() if x.startswith("Выпуск"))
    pages = int(summary.split("страниц в файлах печати ")[1].rstrip("."))
    rate = pages / wall
    print(f"    issue: {pages} pages, {wall:.1f} s wall with {workers} workers → {rate:,.0f} pages/s; CPU "
          f"{cpu / max(pages, 1) * 1000:.2f} ms/page (all processes, PostgreSQL server not counted); "
          f"1.5 M in {TARGET / rate / 60:.0f} min")
    print(f"           {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--database")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--mode", default="settlement_centre", choices=["settlement_centre", "per_recipient"])
    parser.add_argument("--no-issue", action="store_true", help="only the render and assemble stages")
    parser.add_argument("--only-issue", action="store_true", help="only the whole use case")
    args = parser.parse_args()
    url = args.database or f"postgresql://postgres@127.0.0.1:5432/raschet_docs_{args.accounts}"
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
                       capture_output=True)
    prepare(url, args.accounts)
    from raschet.documents.models import DocumentSettings

    DocumentSettings.objects.update_or_create(pk=1, defaults={"qr_mode": args.mode})
    print(f"{args.accounts} accounts, QR mode {args.mode}, {args.workers} processes, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.only_issue:
        measure(url, args.workers, args.mode)
    if not args.no_issue:
        issue(url, args.workers)


if __name__ == "__main__":
    main()
