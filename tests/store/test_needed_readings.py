"""The month reads only the readings it needs (``billing.snapshot_readings._needed``): the lines of a month
computed from that cut equal, line for line, those computed from the whole history of readings,
and the cut is a real cut (fewer readings arrive)."""

import polars as pl
import pytest

from raschet.billing import snapshot, snapshot_readings
from raschet.billing.services import _units
from raschet.billing.units import compute_unit
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region

pytestmark = pytest.mark.django_db
LAST = Period(2026, 11)


@pytest.fixture
def region():
    load_region(RegionSpec(accounts=200, seed=3, last_period=LAST, months=12), show_progress=False)


def _whole_history(scope):
    return "", [], ("", ""), []


def _every_reading_before_the_end(scope, meters, columns):
    where, params = snapshot_readings._in("r.meter_id", meters["meter_id"].to_list())
    return snapshot_readings._frame("readings", f"SELECT {columns} FROM metering_reading r WHERE r.date < %s{where}",
                           [scope.period.end.isoformat(), *params])


def _lines(period: Period) -> pl.DataFrame:
    results = [compute_unit(period, buildings).frame for buildings, _ in _units(None)]
    frame = pl.concat(results)
    return frame.sort(frame.columns)


@pytest.mark.parametrize("period", [LAST, LAST - 1, Period(2026, 6)])
def test_cut_gives_the_same_lines(region, monkeypatch, period):
    buildings = _units(None)[0][0]
    cut = snapshot.load_snapshot(buildings, period).readings
    lines = _lines(period)
    from raschet.metering.models import Reading

    whole = Reading.objects.filter(meter__building_id__in=buildings).count()
    assert cut.height < whole  # neither the history before the window nor what follows the period is read
    monkeypatch.setattr(snapshot_readings, "_needed", _whole_history)  # the cut in SQL (SQLite) and after reading
    monkeypatch.setattr(snapshot_readings, "_needed_only", lambda readings, meters, period: readings)  # (PostgreSQL)
    monkeypatch.setattr(snapshot_readings, "_needed_by_index", _every_reading_before_the_end)  # a unit's two steps
    assert lines.height > 0
    assert _lines(period).equals(lines)


def test_a_register_unread_for_months_keeps_its_last_reading(region):
    """A register whose last reading is old still gets it (and the 6 months before it)."""
    from raschet.metering.models import Reading

    reading = Reading.objects.filter(meter__scope="premises", date__lt=Period(2026, 3).start).order_by("date").last()
    Reading.objects.filter(meter_id=reading.meter_id, zone=reading.zone, date__gt=reading.date).delete()
    meter = reading.meter
    building = meter.building_id if meter.building_id else meter.account.premises.building_id
    got = snapshot.load_snapshot([building], LAST).readings.filter(pl.col("meter_id") == meter.id)
    dates = got.filter(pl.col("zone") == reading.zone)["date"].to_list()
    assert reading.date in dates
    assert min(dates) >= (Period.of(reading.date) - snapshot_readings.AVERAGE_MONTHS).start  # nothing older is read


@pytest.mark.parametrize("period", [LAST, LAST - 1, Period(2026, 6), Period(2026, 2)])
def test_a_building_read_alone_gets_the_readings_of_a_unit(region, period):
    """Buildings read through the readings' index are cut after reading (PostgreSQL: ``_needed_only``),
    otherwise in SQL (``_needed``): the same readings either way."""
    keys = ["meter_id", "date", "zone"]
    for building in _units(None)[0][0]:
        alone = snapshot.Scope([building], None, period, False, small=True, lookup=True)
        in_unit = snapshot.Scope([building], None, period, False, small=False, lookup=False)
        meters = snapshot.READERS["meters"](alone, {})
        got = snapshot.READERS["readings"](alone, {"meters": meters}).sort(keys)
        assert got.height > 0
        assert got.equals(snapshot.READERS["readings"](in_unit, {"meters": meters}).sort(keys))


@pytest.mark.parametrize("period", [LAST, Period(2026, 9)])
def test_a_unit_reads_the_history_only_of_registers_that_need_it(region, monkeypatch, period):
    """A unit's readings through the index (``_needed_by_index``): the recent ones, then the history
    of only the meters that need it — a register last read long ago, a register (zone) that has no
    reading since the bound, a building meter — and the same readings as the cut of all of them."""
    from datetime import date, timedelta
    from decimal import Decimal

    from raschet.metering.models import Meter, Reading

    buildings = _units(None)[0][0]
    bound = (period - snapshot_readings.RECENT_MONTHS).start
    premises = Meter.objects.filter(building_id__in=buildings, scope="premises").order_by("id")
    stale = Reading.objects.filter(meter__in=premises, date__lt=bound).order_by("meter_id").first()
    Reading.objects.filter(meter_id=stale.meter_id, zone=stale.zone, date__gte=stale.date + timedelta(days=1)).delete()
    vanished = premises.exclude(pk=stale.meter_id).filter(readings__zone="total").first()
    Reading.objects.create(meter=vanished, date=date(2026, 1, 15), zone="day", value=Decimal("10"))
    keys = ["meter_id", "date", "zone"]
    unit = snapshot.Scope(buildings, None, period, False, small=False, lookup=True)
    meters = snapshot.READERS["meters"](unit, {})
    read, original = [], snapshot_readings._frame

    def counted(*args, **kwargs):
        frame = original(*args, **kwargs)
        read.append(frame.height)
        return frame

    monkeypatch.setattr(snapshot_readings, "_frame", counted)
    got = snapshot.READERS["readings"](unit, {"meters": meters}).sort(keys)
    monkeypatch.setattr(snapshot_readings, "_frame", original)
    where, params = snapshot_readings._in("r.meter_id", meters["meter_id"].to_list())
    everything = snapshot_readings._frame("readings", f"SELECT r.meter_id, {snapshot._text('r.date')}, r.zone, "
                                 f"{snapshot._text('r.value')} FROM metering_reading r WHERE r.date < %s{where}",
                                 [period.end.isoformat(), *params])
    assert got.equals(snapshot_readings._needed_only(everything, meters, period).sort(keys))
    assert sum(read) < everything.height  # most of the history was not read
    assert got.filter((pl.col("meter_id") == stale.meter_id) & (pl.col("zone") == stale.zone))["date"].to_list() \
        == [stale.date]
    assert got.filter((pl.col("meter_id") == vanished.pk) & (pl.col("zone") == "day")).height == 1
    building_meters = meters.filter(pl.col("scope") != "premises")["meter_id"]
    if building_meters.len():
        old = Reading.objects.filter(meter_id__in=building_meters.to_list(), date__lt=bound).count()
        assert got.filter(pl.col("meter_id").is_in(building_meters.implode()) & (pl.col("date") < bound)).height == old
