"""Batches by delivery route: print files in delivery order, and a batch killed half-way and started
again produces every document once."""

import io
import os
import signal
import subprocess
import sys
import textwrap

import pikepdf
import pytest
from django.db import connection
from doc_helpers import PERIOD, make_region

from raschet.documents import batches
from raschet.documents.models import (
    BatchUnit,
    DeliveryRoute,
    DocumentBatch,
    PaymentDocument,
    RouteBuilding,
    UnitStatus,
)
from raschet.documents.services import issue_documents
from raschet.housing.models import Account, Building, Premises


def _routes() -> list[DeliveryRoute]:
    """Two routes over the region's buildings (the second one's buildings in reverse order), one left out."""
    _split_building(4)
    buildings = list(Building.objects.order_by("code"))
    first = DeliveryRoute.objects.create(code="R1", name="Участок 1")
    second = DeliveryRoute.objects.create(code="R2", name="Участок 2")
    RouteBuilding.objects.create(route=first, building=buildings[0], order=1)
    for order, building in enumerate(reversed(buildings[1:-1]), 1):
        RouteBuilding.objects.create(route=second, building=building, order=order)
    return [first, second]


def _split_building(parts: int) -> None:
    """The generated region's one building cut into ``parts`` buildings (premises moved by number)."""
    [building] = Building.objects.all()
    premises = sorted(Premises.objects.filter(building=building), key=lambda p: int(p.number))
    size = len(premises) // parts + 1
    for index in range(1, parts):
        other = Building.objects.create(code=f"{building.code}-{index}", address=f"{building.address}, корп. {index}",
                                        total_area=building.total_area)
        Premises.objects.filter(pk__in=[p.pk for p in premises[index * size:(index + 1) * size]]).update(
            building=other)


@pytest.fixture
def routed(db):
    region = make_region(accounts=40)
    _routes()
    Premises.objects.filter(number__in=["1", "2", "3"]).update(entrance=2)
    return region


def test_one_print_file_per_route_in_building_entrance_flat_order(routed, tmp_path):
    batch = issue_documents(period=PERIOD, output_dir=tmp_path)
    units = list(batch.units.order_by("number"))
    assert [u.route for u in units][:2] == ["Маршрут R1: Участок 1", "Маршрут R2: Участок 2"]
    assert units[-1].route.startswith("Без маршрута")
    for unit in units:
        placed = list(Account.objects.filter(pk__in=unit.accounts).values_list(
            "pk", "premises__building__code", "premises__entrance", "premises__number"))
        by_id = {p[0]: p for p in placed}
        ordered = [by_id[a] for a in unit.accounts]
        buildings = list(dict.fromkeys(p[1] for p in ordered))
        for code in buildings:  # inside a building: by entrance, then by flat number as a number
            flats = [(p[2] or 0, int(p[3])) for p in ordered if p[1] == code]
            assert flats == sorted(flats)
        with pikepdf.open(tmp_path / unit.file_name) as pdf:
            assert len(pdf.pages) == unit.pages == len(unit.accounts)
    route_two = units[1]
    expected = list(reversed(list(Building.objects.order_by("code").values_list("code", flat=True))[1:-1]))
    seen = list(dict.fromkeys(Account.objects.get(pk=a).premises.building.code for a in route_two.accounts))
    assert seen == expected  # the route's own order of buildings


def test_a_batch_stopped_after_issuing_a_unit_resumes_and_issues_each_document_once(routed, tmp_path, monkeypatch):
    real = batches._print_file
    calls = []

    def crash_on_second(unit, period, fresh):
        calls.append(unit.number)
        if len(calls) == 2:
            raise KeyboardInterrupt  # stopped between the unit's commit and its print file
        return real(unit, period, fresh)

    monkeypatch.setattr(batches, "_print_file", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        issue_documents(period=PERIOD, output_dir=tmp_path)
    statuses = list(BatchUnit.objects.order_by("number").values_list("status", flat=True))
    assert statuses[:2] == [UnitStatus.DONE, UnitStatus.ISSUED] and UnitStatus.PENDING in statuses
    monkeypatch.setattr(batches, "_print_file", real)
    batch = issue_documents(period=PERIOD, output_dir=tmp_path)
    assert DocumentBatch.objects.count() == 1 and batch.status == "done"
    assert PaymentDocument.objects.count() == Account.objects.count()
    assert set(PaymentDocument.objects.values_list("version", flat=True)) == {1}
    unit = batch.units.get(number=2)  # its file rebuilt from the stored documents
    with pikepdf.open(tmp_path / unit.file_name) as pdf:
        assert len(pdf.pages) == len(unit.accounts)
        stored = PaymentDocument.objects.get(account_id=unit.accounts[0])
        with pikepdf.open(io.BytesIO(bytes(stored.pdf))) as own:
            assert pdf.pages[0].obj["/Contents"].read_raw_bytes() == own.pages[0].obj["/Contents"].read_raw_bytes()


KILLER = textwrap.dedent("""
    import os, signal, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "raschet.web.settings"
    import django
    django.setup()
    from pathlib import Path
    from raschet.documents import batches
    from raschet.documents.services import issue_documents
    from raschet.domain.periods import Period
    real, seen = batches.store_versions, []

    def store_then_die(*args, **kwargs):
        seen.append(1)
        if len(seen) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)  # inside the unit's transaction, nothing committed
        return real(*args, **kwargs)

    batches.store_versions = store_then_die
    issue_documents(period=Period(2026, 11), output_dir=Path(sys.argv[1]))
""")


@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_with_sigkill_and_started_again_issues_each_document_once(tmp_path, live_database_env):
    make_region(accounts=40)
    _routes()
    if connection.vendor == "postgresql":
        live_database_env["RASCHET_WORKERS"] = "1"
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    died = subprocess.run([sys.executable, str(script), str(tmp_path), "2"], env=live_database_env,
                          capture_output=True, timeout=300)
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()[-2000:]
    assert PaymentDocument.objects.count() == len(BatchUnit.objects.get(number=1).accounts)
    finished = subprocess.run([sys.executable, "-m", "raschet.cli", "documents", "issue", "--period", "2026-11",
                               "--output-dir", str(tmp_path)], env=live_database_env, capture_output=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    assert "новых версий" in finished.stdout.decode()
    assert PaymentDocument.objects.count() == Account.objects.count()
    assert set(PaymentDocument.objects.values_list("version", flat=True)) == {1}
    assert DocumentBatch.objects.count() == 1 and DocumentBatch.objects.get().status == "done"
    for unit in BatchUnit.objects.all():
        with pikepdf.open(tmp_path / unit.file_name) as pdf:
            assert len(pdf.pages) == len(unit.accounts)
    assert not list(tmp_path.glob("*.part")) or os.environ.get("KEEP")
