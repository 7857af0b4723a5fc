"""A small walk for demonstrations and tests: one building of two entrances with water and electricity
meters that have a few months of readings, and a route over the first entrance and the building's
meter, assigned to the given controller."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission

from raschet.access import SYSTEM
from raschet.controller.models import Route
from raschet.controller.permissions import APP_LABEL, WALK_ROUTES
from raschet.controller.services import assign_route
from raschet.housing.models import Account, Building, Premises
from raschet.metering.models import Meter, MeterScope, Reading
from raschet.tariffs.models import Service


def grant_walk(user) -> None:
    """Give ``user`` the controller's permission (what the role «контролёр» holds)."""
    user.user_permissions.add(Permission.objects.get(content_type__app_label=APP_LABEL, codename=WALK_ROUTES))


def _service(code: str, name: str, kind: str, unit: str) -> Service:
    return Service.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "unit": unit})[0]


def demo_walk(controller, *, today: date, code: str = "M-01", prefix: str = "W") -> Route:
    """The building ``{prefix}1`` with premises 1–4 (entrance 1) and 5–8 (entrance 2), a cold-water meter
    in each and one building heat meter; readings monthly for four months up to 10 days before ``today``.
    The route covers entrance 1 only: entrance 2 and the building's meter are off it."""
    water = _service("cold_water", "Холодное водоснабжение", "cold_water", "m3")
    heat = _service("heating", "Отопление", "heating", "Gcal")
    building = Building.objects.create(code=f"{prefix}1", address=f"ул. Садовая, д. {len(prefix) + 11}",
                                       total_area=Decimal("400"), entrances=2)
    for number in range(1, 9):
        premises = Premises.objects.create(building=building, number=str(number), entrance=1 if number <= 4 else 2)
        Account.objects.create(number=f"{prefix}{1000 + number}", premises=premises, payer=f"Жилец {number}",
                               opened=date(2020, 1, 1))
        meter = Meter.objects.create(code=f"{prefix}-CW-{number}", serial=f"{prefix}{4700 + number}", building=building,
                                     premises=premises, service=water)
        _history(meter, Decimal(100 + number * 10), Decimal(5), today)
    building_meter = Meter.objects.create(code=f"{prefix}-HEAT", serial=f"{prefix}9001", scope=MeterScope.BUILDING,
                                          building=building, service=heat)
    _history(building_meter, Decimal(2000), Decimal(40), today)
    route = assign_route(actor=SYSTEM, code=code, controller=controller, valid_from=today - timedelta(days=5),
                         valid_to=today + timedelta(days=25), stops=[(building.code, 1)], name="Садовая, подъезд 1")
    return route


def _history(meter: Meter, start: Decimal, monthly: Decimal, today: date) -> None:
    Reading.objects.bulk_create([Reading(meter=meter, date=today - timedelta(days=10 + 30 * (3 - n)),
                                         value=start + monthly * n) for n in range(4)])
