"""Importing a bank registry: allocated, idempotent, refused whole when broken, concurrent-safe."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from raschet.billing.models import LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.generators.registries import sber_registry
from raschet.metering.models import Reading
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentRegistry, PaymentState
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def line(account, amount, readings=""):
    return f"25-04-2026;10-15-00;8626;1001;{account};Иванов И. И.;г. Энск;0326;{amount};{amount};0,00{readings}"


def registry(*lines, total=None):
    paid = total if total is not None else sum((D(x.split(";")[8].replace(",", ".")) for x in lines), D(0))
    footer = f"={len(lines)};{paid};{paid};0.00;777;25-04-2026"
    return ("\n".join([*lines, footer]) + "\n").encode("cp1251")


@pytest.fixture
def charged(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


def test_registry_is_allocated_and_a_second_import_adds_nothing(charged):
    data = registry(line("1000000001", "383,52", ";CW-1;140.5"), line("0000000000", "10,00"))
    summary = import_registry(parse_sber(data, "r.txt"), channel="sber")
    assert (summary.imported, summary.suspense, summary.readings) == (2, 1, 1)
    assert LedgerEntry.objects.filter(kind="payment", service__code="cold_water").aggregate(s=Sum("amount"))["s"] == D("-383.52")
    assert Reading.objects.get(source="registry").value == D("140.5")
    assert Payment.objects.get(state=PaymentState.SUSPENSE).account_text == "0000000000"
    again = import_registry(parse_sber(data, "r-copy.txt"), channel="sber")
    assert again.already_imported and "уже загружен" in again.text()
    assert Payment.objects.count() == 2 and PaymentRegistry.objects.count() == 1


def test_a_payment_seen_in_another_file_is_a_duplicate(charged):
    import_registry(parse_sber(registry(line("1000000001", "100,00")), "a.txt"), channel="sber")
    summary = import_registry(parse_sber(registry(line("1000000001", "100,00"), line("1000000001", "5,00")), "b.txt"),
                              channel="sber")
    assert (summary.imported, summary.duplicates) == (1, 1)


def run_import(path, database_env):
    return subprocess.run([sys.executable, "-m", "raschet.cli", "payments", "import", str(path)],
                          capture_output=True, text=True, env=database_env, timeout=120)


def test_broken_registry_is_refused_whole_naming_the_line(charged, tmp_path, live_database_env):
    bad = registry(line("1000000001", "100,00"), line("1000000001", "1O0,00"), total=D("200.00"))
    path = tmp_path / "bad.txt"
    path.write_bytes(bad)
    result = run_import(path, live_database_env)
    assert result.returncode == 2 and "bad.txt:2" in result.stderr and "ничего не записано" in result.stderr
    wrong_total = registry(line("1000000001", "100,00"), total=D("99.00"))
    path.write_bytes(wrong_total)
    result = run_import(path, live_database_env)
    assert result.returncode == 2 and "bad.txt:2" in result.stderr
    assert not Payment.objects.exists() and not PaymentRegistry.objects.exists()


def test_two_processes_importing_at_once_lose_and_double_nothing(charged, tmp_path, live_database_env):
    # on SQLite the writers queue behind one another (IMMEDIATE transactions); the result must be the same
    accounts = ["1000000001"]
    files = []
    for index in range(2):
        path = tmp_path / f"day{index}.txt"
        path.write_bytes(sber_registry(accounts, 300, date(2026, 4, 20 + index), seed=index))
        files.append(path)
    files.append(files[0])  # the same file twice at the same time: one import only
    processes = [subprocess.Popen([sys.executable, "-m", "raschet.cli", "payments", "import", str(p)],
                                  env=live_database_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for p in files]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    expected = sum((parse_sber(p.read_bytes(), p.name).totals.paid for p in files[:2]), D(0))
    assert PaymentRegistry.objects.count() == 2 and Payment.objects.count() == 600
    assert -LedgerEntry.objects.filter(kind="payment").aggregate(s=Sum("amount"))["s"] == expected
    assert LedgerEntry.objects.filter(kind="payment", service__isnull=False).aggregate(s=Sum("amount"))["s"] == D("-383.52")
