"""PostgreSQL: ``metering_register_first`` holds each register's earliest reading date, kept by the
readings table's own triggers (metering migration 0002) whoever writes — the ORM, COPY with the key
triggers off, a plain UPDATE — lowered and never raised, so a unit's read that asks it
(``billing.snapshot_readings._needed_by_index``) never misses a register's history; two writers at once
leave the earlier date; TRUNCATE empties it."""

import threading
from datetime import date
from decimal import Decimal

import polars as pl
import psycopg
import pytest
from django.db import connection

from raschet.billing import snapshot, snapshot_readings
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region
from raschet.metering.models import Meter, Reading
from raschet.store.frames import write_frame

pytestmark = pytest.mark.django_db(transaction=True)
LAST = Period(2026, 11)


@pytest.fixture
def region():
    if connection.vendor != "postgresql":
        pytest.skip("the kept first dates are PostgreSQL's (SQLite cuts the readings in SQL)")
    load_region(RegionSpec(accounts=120, seed=5, last_period=LAST, months=12), show_progress=False)


def kept() -> dict[tuple[int, str], date]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT meter_id, zone, first_date FROM {snapshot_readings.FIRST_READINGS}")
        return {(meter, zone): first for meter, zone, first in cursor.fetchall()}


def earliest() -> dict[tuple[int, str], date]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT meter_id, zone, MIN(date) FROM metering_reading GROUP BY meter_id, zone")
        return {(meter, zone): first for meter, zone, first in cursor.fetchall()}


def a_register() -> tuple[Meter, str, date]:
    reading = Reading.objects.filter(meter__scope="premises", zone="total").order_by("meter_id", "zone", "date").first()
    return reading.meter, reading.zone, reading.date


def test_a_generated_region_has_every_register_exactly(region):
    """The generator writes readings by COPY, as a superuser with the key triggers off: kept anyway."""
    found = kept()
    assert len(found) > 100
    assert found == earliest()


def test_written_by_orm_copy_and_update_the_date_goes_down_only(region):
    meter, zone, first = a_register()
    Reading.objects.create(meter=meter, zone=zone, date=date(2024, 3, 5), value=Decimal("1"))
    assert kept()[(meter.id, zone)] == date(2024, 3, 5)
    Reading.objects.create(meter=meter, zone=zone, date=date(2024, 7, 5), value=Decimal("2"))
    assert kept()[(meter.id, zone)] == date(2024, 3, 5)  # a later reading changes nothing
    # COPY, with the per-row key triggers off (a superuser's bulk path): the date is kept still
    frame = pl.DataFrame({"meter_id": [meter.id], "zone": [zone], "date": [date(2023, 12, 1)],
                          "value": [Decimal("0.5")], "source": ["import"]})
    write_frame(Reading, frame)
    assert kept()[(meter.id, zone)] == date(2023, 12, 1)
    # a plain UPDATE that moves a reading earlier, and one into a new zone
    Reading.objects.filter(meter=meter, zone=zone, date=date(2024, 7, 5)).update(date=date(2023, 1, 9))
    assert kept()[(meter.id, zone)] == date(2023, 1, 9)
    Reading.objects.filter(meter=meter, zone=zone, date=date(2024, 3, 5)).update(zone="peak")
    assert kept()[(meter.id, "peak")] == date(2024, 3, 5)
    # a deletion leaves the date as it was: earlier than (or equal to) every reading left, never later
    Reading.objects.filter(meter=meter, zone=zone, date__lt=first).delete()
    assert kept()[(meter.id, zone)] == date(2023, 1, 9) < earliest()[(meter.id, zone)] == first
    assert all(kept()[key] <= day for key, day in earliest().items())


def test_a_stale_date_after_deletions_reads_the_same_readings(region):
    """Registers whose old readings were deleted still say they have some: the read fetches their
    (now shorter) history and cuts it exactly as from every reading."""
    bound = (LAST - snapshot_readings.RECENT_MONTHS).start
    deleted = Reading.objects.filter(meter__scope="premises", date__lt=bound).order_by("meter_id")
    meters = list(deleted.values_list("meter_id", flat=True).distinct()[:20])
    Reading.objects.filter(meter_id__in=meters, date__lt=bound).delete()
    assert any(kept()[key] < bound for key in kept() if key[0] in meters)
    building = Meter.objects.get(pk=meters[0]).account.premises.building_id
    scope = snapshot.Scope([building], None, LAST, False, small=False, lookup=True)
    meters_frame = snapshot.READERS["meters"](scope, {})
    got = snapshot.READERS["readings"](scope, {"meters": meters_frame})
    where, params = snapshot_readings._in("r.meter_id", meters_frame["meter_id"].to_list())
    every = snapshot_readings._frame("readings", "SELECT r.meter_id, r.date, r.zone, r.value FROM metering_reading r "
                                     f"WHERE r.date < %s{where}", [LAST.end.isoformat(), *params])
    keys = ["meter_id", "date", "zone"]
    assert got.height > 0
    assert got.sort(keys).equals(snapshot_readings._needed_only(every, meters_frame, LAST).sort(keys))


def test_two_writers_at_once_leave_the_earlier_date(region):
    """The first writer holds the register's row until it commits; the second, dated earlier, waits and
    then lowers it — whichever commits first."""
    meter, zone, _ = a_register()
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} user={settings['USER']}"
    insert = "INSERT INTO metering_reading (meter_id, zone, date, value, source, entered_at) " \
             "VALUES (%s, %s, %s, 1, 'import', now())"
    with psycopg.connect(dsn) as first, psycopg.connect(dsn) as second:
        first.execute(insert, [meter.id, zone, date(2022, 5, 1)])
        done = threading.Event()

        def later_writer():
            second.execute(insert, [meter.id, zone, date(2021, 2, 1)])  # waits for the first's row
            second.commit()
            done.set()

        worker = threading.Thread(target=later_writer)
        worker.start()
        assert not done.wait(0.5)  # it is waiting on the register's row
        first.commit()
        worker.join(10)
        assert done.is_set()
    assert kept()[(meter.id, zone)] == date(2021, 2, 1)


def test_truncate_empties_it(region):
    assert kept()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # past the guards, as the suite's flush
        try:
            cursor.execute("TRUNCATE metering_reading CASCADE")
        finally:
            cursor.execute("SET session_replication_role = origin")
    assert kept() == {}
