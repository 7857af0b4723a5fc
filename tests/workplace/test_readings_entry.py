"""Readings entry that refuses mistakes (metering.services.enter_reading / replace_meter)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from raschet.domain.errors import ProblemsError
from raschet.metering.models import Meter, Reading
from raschet.metering.services import enter_reading, replace_meter
from raschet.tariffs.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def meter(make_account):
    account = make_account("ул. Лесная, д. 1", "1")
    water = Service.objects.create(code="cold_water", name="Холодная вода", kind="cold_water", unit="m3")
    meter = Meter.objects.create(code="CW-1", serial="100200", building=account.premises.building,
                                 premises=account.premises, account=account, service=water)
    for day, value in ((date(2026, 1, 25), "100"), (date(2026, 2, 25), "105"), (date(2026, 3, 25), "110")):
        Reading.objects.create(meter=meter, date=day, value=Decimal(value))
    return meter


def _codes(error) -> list[str]:
    return [p.code for p in error.value.problems]


def test_below_the_previous_is_refused_with_both_readings_named(meter, admin_user):
    with pytest.raises(ProblemsError) as error:
        enter_reading(meter=meter, on=date(2026, 4, 25), value="99.5", user=admin_user)
    assert _codes(error) == ["readings_backwards"]
    assert "99,5 на 25.04.2026 меньше предыдущего 110 на 25.03.2026" in error.value.problems[0].message
    assert not Reading.objects.filter(date=date(2026, 4, 25)).exists()


def test_a_declared_rollover_is_taken_over_zero(meter, admin_user):
    Reading.objects.filter(meter=meter).update(value=F("value") + Decimal("99880"))  # 99 980 … 99 990
    with pytest.raises(ProblemsError):
        enter_reading(meter=meter, on=date(2026, 4, 25), value="3", user=admin_user)  # not declared: refused
    reading = enter_reading(meter=meter, on=date(2026, 4, 25), value="3", user=admin_user, declared="rollover")
    assert reading.value == Decimal("3") and reading.source == "operator" and reading.entered_by == admin_user


def test_above_three_times_the_average_asks_for_confirmation(meter, admin_user):
    Service.objects.filter(pk=meter.service_id).update(unit="Gcal")  # a floor of plausibility below 3 × 5
    with pytest.raises(ProblemsError) as error:
        enter_reading(meter=meter, on=date(2026, 4, 25), value="140", user=admin_user)  # 30 a month, average 5
    assert _codes(error) == ["implausible_reading"] and "в 3 раза больше" in error.value.problems[0].message
    kept = enter_reading(meter=meter, on=date(2026, 4, 25), value="140", user=admin_user, confirmed=True)
    assert kept.value == Decimal("140")


def test_a_zone_the_meter_lacks_is_refused(meter, admin_user):
    with pytest.raises(ProblemsError) as error:
        enter_reading(meter=meter, on=date(2026, 4, 25), value="112", zone="night", user=admin_user)
    assert _codes(error) == ["unknown_reference"] and "night" in error.value.problems[0].message


def test_an_operator_needs_the_permission_to_enter_readings(meter, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1234")
    with pytest.raises(ProblemsError) as error:
        enter_reading(meter=meter, on=date(2026, 4, 25), value="112", user=clerk)
    assert _codes(error) == ["forbidden"]


def test_a_replacement_removes_the_old_meter_and_starts_the_new_one(meter, admin_user):
    fresh = replace_meter(meter=meter, on=date(2026, 4, 10), initial={"total": "0.5"}, serial="NEW-7", user=admin_user)
    meter.refresh_from_db()
    assert meter.removed == date(2026, 4, 10) and fresh.installed == date(2026, 4, 10) and fresh.serial == "NEW-7"
    assert list(fresh.readings.values_list("value", flat=True)) == [Decimal("0.5")]
    assert enter_reading(meter=fresh, on=date(2026, 4, 25), value="3", user=admin_user).value == Decimal("3")
