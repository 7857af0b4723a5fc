"""One lock order and no table locks, between real processes on PostgreSQL: ``period post`` during a
registry import completes (no deadlock), the cash desk takes a payment while an import runs, two
imports sharing payments store each once, ids reserved at the same moment never collide."""

import subprocess
import sys
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from raschet.billing.models import BillingPeriod, CalcRun, Entry, LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.bulk import IdPools, Tables, reserve_ids, write_tables
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.generators.region import RegionSpec, load_region
from raschet.generators.registries import sber_registry
from raschet.housing.models import Account
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentRegistry
from raschet.payments.services import ENTRY_COLUMNS, record_payment

pytestmark = pytest.mark.django_db(transaction=True)
JANUARY, FEBRUARY = Period(2026, 1), Period(2026, 2)
READY = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
import django
django.setup()
from raschet import cli
print("ready", flush=True)
sys.stdin.readline()
cli.main(sys.argv[1:])
"""


@pytest.fixture
def region(live_database_env):
    """January closed, February calculated, every account holding an advance (paid more than it owed):
    posting February spends advances, so it locks the accounts an import of February locks too."""
    if connection.vendor != "postgresql":
        pytest.skip("processes writing at once: PostgreSQL (SQLite has one writer)")
    load_region(RegionSpec(accounts=200, seed=5, last_period=FEBRUARY, months=2), show_progress=False)
    calculate_period(period=JANUARY, recalculate_past=False)
    close_period(period=JANUARY)
    calculate_period(period=FEBRUARY, recalculate_past=False)
    numbers = sorted(Account.objects.values_list("number", flat=True))
    import_registry(parse_sber(sber_registry(numbers, 2000, date(2026, 2, 5), seed=1), "advances.txt"), channel="sber")
    return live_database_env, numbers


def primed(env: dict, *args: str) -> subprocess.Popen:
    """A ``raschet`` process with Django set up, starting its work when the test writes a line."""
    process = subprocess.Popen([sys.executable, "-c", READY, *args], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def go(process: subprocess.Popen) -> subprocess.Popen:
    process.stdin.write("\n")
    process.stdin.flush()
    return process


def others_running(*fragments: str) -> bool:
    """Another session of this database is in a transaction whose latest statement has one of
    ``fragments``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                       "pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE ANY(%s)",
                       [[f"%{fragment}%" for fragment in fragments]])
        return cursor.fetchone()[0] > 0


def past_the_account_locks() -> bool:
    """The import has locked its accounts: it writes its payments or reads the debts to allocate."""
    return others_running('COPY "payments_payment"', "FROM billing_entry WHERE account_id IN")


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the other process never got there"
        time.sleep(0.02)


def registry_file(tmp_path, numbers, count: int, day: date, seed: int):
    path = tmp_path / f"registry-{seed}.txt"
    path.write_bytes(sber_registry(numbers, count, day, seed=seed))
    return path


def test_post_during_an_import_completes_without_deadlock(region, tmp_path):
    """The issue's DeadlockDetected: the import held the accounts and asked for the ledger's table
    lock; the post held the ledger and asked for the accounts (to spend their advances)."""
    env, numbers = region
    path = registry_file(tmp_path, numbers, 40000, date(2026, 2, 20), seed=2)
    importing = primed(env, "payments", "import", str(path))
    posting = primed(env, "period", "post", "--period", "2026-02")
    go(importing)
    wait_for(past_the_account_locks)
    go(posting)
    outcomes = [process.communicate(timeout=300) for process in (importing, posting)]
    assert [importing.returncode, posting.returncode] == [0, 0], outcomes
    assert not any("Deadlock" in err or "Traceback" in err for _out, err in outcomes)
    assert BillingPeriod.objects.get(period="2026-02").state == "posted"
    paid = parse_sber(path.read_bytes(), path.name).totals.paid + PaymentRegistry.objects.get(
        source="advances.txt").total
    assert -LedgerEntry.objects.filter(kind="payment").aggregate(s=Sum("amount"))["s"] == paid  # every kopeck once
    posted = CalcRun.objects.get(period="2026-02", status="posted")
    charged = LedgerEntry.objects.filter(period="2026-02", kind="charge").aggregate(s=Sum("amount"))["s"]
    assert charged == posted.charge_lines.aggregate(s=Sum("amount"))["s"]


def test_a_cash_payment_is_not_blocked_by_a_running_import(region, tmp_path):
    env, numbers = region
    in_registry, elsewhere = numbers[:150], numbers[180]
    path = registry_file(tmp_path, in_registry, 40000, date(2026, 2, 21), seed=3)
    importing = go(primed(env, "payments", "import", str(path)))
    wait_for(past_the_account_locks)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # blocked means refused here, not a hung test
    try:
        started = time.monotonic()
        payment = record_payment(account_number=elsewhere, paid_on=date(2026, 2, 21), amount="123.45",
                                 source="cash", channel="desk", operation_id="while-importing")
        took = time.monotonic() - started
        still_importing = importing.poll() is None and not PaymentRegistry.objects.filter(source=path.name).exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    assert still_importing, "the import finished before the payment: the test proves nothing; enlarge it"
    assert took < 2 and -LedgerEntry.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] == Decimal("123.45")


def test_two_imports_sharing_payments_store_each_once(region, tmp_path):
    """Without the table lock two imports run side by side; a payment in both files is stored once."""
    env, numbers = region
    shared = sber_registry(numbers, 3000, date(2026, 2, 22), seed=4)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_bytes(shared)
    lines = shared.decode("cp1251").splitlines()
    footer = lines[-1].split(";")
    footer[4] = "999999"  # another payment order: another file, the same payments
    second.write_bytes(("\r\n".join([*lines[:-1], ";".join(footer)]) + "\r\n").encode("cp1251"))
    processes = [primed(env, "payments", "import", str(path)) for path in (first, second)]
    outcomes = [process.communicate(timeout=300) for process in [go(p) for p in processes]]
    assert all(process.returncode == 0 for process in processes), outcomes
    assert PaymentRegistry.objects.count() == 3  # the advances' registry and these two files
    assert Payment.objects.filter(paid_on=date(2026, 2, 22)).count() == 3000


def test_ids_reserved_by_writers_at_the_same_moment_never_collide(region):
    """``reserve_ids`` from several threads at once, each its own connection and transaction: every
    id once, and rows written with them all go in."""
    results, errors, now = [], [], timezone.now()

    def reserve() -> None:
        try:
            with transaction.atomic():
                pools = IdPools()
                ids = [i for _ in range(40) for run in pools.take(Entry, 97) for i in run]
                account = Account.objects.order_by("id").values_list("id", flat=True).first()
                tables = Tables(pools)
                tables.add_rows(Entry, ENTRY_COLUMNS, [(account, None, None, "2026-02", "2026-02", "correction",
                                                        Decimal("0.00"), None, None, None, "", now)] * 100)
                write_tables(tables)
            results.append(ids)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    every = [i for ids in results for i in ids]
    assert len(every) == len(set(every)) == 4 * 40 * 97
    assert len(reserve_ids(Entry, 10)[0]) == 10


def test_two_new_months_get_their_partitions_at_once():
    """Found by the concurrency property: two calculations of two new months each made the month's
    partition, and the two CREATE TABLE … PARTITION OF deadlocked on the parent and its default."""
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    from raschet.billing.partitions import ensure_partitions

    errors = []
    for round_ in range(4):
        start = threading.Barrier(2, timeout=30)

        def make(month: int, round_=round_, start=start) -> None:
            try:
                start.wait()
                ensure_partitions(Period(2035 + round_, month))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=make, args=(month,)) for month in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    with connection.cursor() as cursor:
        names = [f"billing_chargeline_p{2035 + round_}_{month:02d}" for round_ in range(4) for month in (1, 2)]
        cursor.execute("SELECT COUNT(*) FROM pg_class WHERE relname = ANY(%s)", [names])
        assert cursor.fetchone()[0] == len(names)


def hold_period(period: Period, closing: bool, holding: threading.Event, release: threading.Event) -> None:
    """In another connection, the period's row locked as a post (or a close) holds it, until released."""
    from raschet.billing.locks import lock_period

    try:
        with transaction.atomic():
            lock_period(period, closing=closing)
            holding.set()
            release.wait(timeout=60)
    finally:
        connection.close()


@pytest.fixture
def one_account(scenario_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL")
    from raschet.scenarios.loader import load_scenario, read_scenario

    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    return ["1000000001"]


@pytest.mark.parametrize("closing", [False, True])
def test_payments_wait_for_a_close_of_their_month_and_never_for_a_post(one_account, closing):
    """The lock strengths: a post (minutes at 1.5 M accounts) holds its month against runs and other
    posts, not against payments into it; a close holds it against them (its balance snapshot must hold
    every kopeck), so a payment into the month waits until the close commits."""
    from raschet.billing.locks import ensure_periods

    numbers = one_account
    ensure_periods([FEBRUARY])  # as for a calculated month: its row is there before it is posted or closed
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_period, args=(FEBRUARY, closing, holding, release))
    holder.start()
    assert holding.wait(timeout=30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        pay = lambda: record_payment(account_number=numbers[0], paid_on=date(2026, 2, 25), amount="10.00",  # noqa: E731
                                     source="cash", channel="desk", operation_id=f"held-{closing}")
        if closing:
            with pytest.raises(Exception, match="lock timeout"):
                pay()
        else:
            assert pay().amount == Decimal("10.00")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        release.set()
        holder.join(timeout=60)
