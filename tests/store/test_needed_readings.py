"""The month reads only the readings it needs (``billing.snapshot._needed``): the lines of a month
computed from that cut equal, line for line, those computed from the whole history of readings,
and the cut is a real cut (fewer readings arrive)."""

import polars as pl
import pytest

from raschet.billing import snapshot
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
    monkeypatch.setattr(snapshot, "_needed", _whole_history)  # the cut in SQL (SQLite) and after reading
    monkeypatch.setattr(snapshot, "_needed_only", lambda readings, meters, period: readings)  # (PostgreSQL)
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
    assert min(dates) >= (Period.of(reading.date) - snapshot.AVERAGE_MONTHS).start  # nothing older is read


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

