"""The route sheet (маршрутный лист): the controller's own routes, and one route's meters by building,
entrance and premises with each meter's last reading and the range its next one is expected in.

The expected range runs from the last reading to the last plus what the meter may plausibly count
until today (the one plausibility rule, :func:`raschet.domain.readings.plausible_limit`), so a
controller sees on the spot what the sync would refuse as implausible.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from raschet.access import describe
from raschet.controller.models import Route
from raschet.controller.permissions import WALK_ROUTES, require
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.readings import MeterFacts, plausible_limit
from raschet.housing.models import Account
from raschet.metering.models import Meter, MeterScope, Reading

HISTORY_DAYS = 400


def plain(value: Decimal | None) -> str | None:
    """A decimal in plain notation without trailing zeros (``123.456``), as the phone shows it."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def period_text(route: Route) -> str:
    end = f"по {route.valid_to - timedelta(days=1):%d.%m.%Y}" if route.valid_to else "без срока"
    return f"с {route.valid_from:%d.%m.%Y} {end}"


def my_routes(*, actor=None, today: date) -> list[Route]:
    """The routes of the signed-in controller that are in force ``today``."""
    actor = require(actor, WALK_ROUTES)
    routes = Route.objects.filter(controller_id=getattr(actor, "pk", None), valid_from__lte=today)
    routes = routes.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today)).prefetch_related("stops__building")
    return list(routes.order_by("code"))


def own_route(route_id: int, *, actor=None) -> Route:
    """The route ``route_id`` if it is the actor's own; an unknown or foreign route is refused."""
    actor = require(actor, WALK_ROUTES)
    route = Route.objects.filter(pk=route_id).first()
    if route is None:
        raise ProblemsError([problem("unknown_reference", "route", kind="маршруты контролёров", value=str(route_id))])
    if route.controller_id != getattr(actor, "pk", None):
        raise ProblemsError([problem("foreign_route", "route", route=route.code, user=describe(actor))])
    return route


def route_meters(route: Route, today: date):
    """The meters in service ``today`` in the buildings and entrances of ``route``."""
    whole = [stop.building_id for stop in route.stops.all() if stop.entrance is None]
    match = Q(building_id__in=whole)
    for stop in route.stops.all():
        if stop.entrance is not None:
            match |= Q(premises__building_id=stop.building_id, premises__entrance=stop.entrance)
    in_service = (Q(installed__isnull=True) | Q(installed__lte=today)) & (Q(removed__isnull=True) | Q(removed__gt=today))
    meters = Meter.objects.filter(match & in_service).select_related("service", "premises", "building")
    return meters.order_by("building__address", "premises__entrance", "premises__number", "code")


def history(meter_ids: list[int], today: date) -> dict[tuple[int, str], list[tuple[date, Decimal]]]:
    """Readings up to ``today`` of the meters (per zone, date order) over :data:`HISTORY_DAYS`, or the
    last one before where there is none in that time."""
    since = today - timedelta(days=HISTORY_DAYS)
    found: dict[tuple[int, str], list[tuple[date, Decimal]]] = defaultdict(list)
    rows = Reading.objects.filter(meter_id__in=meter_ids, date__gte=since, date__lte=today).order_by("date")
    for meter_id, zone, on, value in rows.values_list("meter_id", "zone", "date", "value"):
        found[(meter_id, zone)].append((on, value))
    seen = {meter_id for meter_id, _ in found}
    quiet = [pk for pk in meter_ids if pk not in seen]
    older = Reading.objects.filter(meter_id__in=quiet, date__lt=since).order_by("-date")
    for meter_id, zone, on, value in older.values_list("meter_id", "zone", "date", "value"):
        found.setdefault((meter_id, zone), [(on, value)])
    return found


def _meter_row(meter: Meter, readings: dict, today: date) -> dict:
    facts = MeterFacts(meter.serial or meter.code, meter.digits, meter.service.unit)
    zones = []
    for zone in meter.zone_list():
        earlier = readings.get((meter.pk, zone), [])
        last = earlier[-1] if earlier else None
        limit = plausible_limit(facts, earlier, last[0], today) if last else None
        zones.append({"zone": zone, "last_date": last[0].isoformat() if last else None,
                      "last_value": plain(last[1]) if last else None,
                      "expected_low": plain(last[1]) if last else None,
                      "expected_high": plain((last[1] + limit).quantize(Decimal("0.001"))) if last and limit else None})
    return {"id": meter.pk, "code": meter.code, "serial": meter.serial, "service": meter.service.name,
            "unit": meter.service.unit, "verification_due": meter.verification_due.isoformat()
            if meter.verification_due else None, "zones": zones}


def route_sheet(route_id: int, *, actor=None, today: date, now: datetime) -> dict:
    """The route sheet of the actor's own route ``route_id`` as taken at ``now`` (JSON-ready)."""
    route = own_route(route_id, actor=actor)
    meters = list(route_meters(route, today))
    readings = history([meter.pk for meter in meters], today)
    accounts = defaultdict(list)
    premises_ids = {meter.premises_id for meter in meters if meter.premises_id}
    for premises_id, number in Account.objects.filter(premises_id__in=premises_ids).filter(
            Q(closed__isnull=True) | Q(closed__gt=today)).values_list("premises_id", "number").order_by("number"):
        accounts[premises_id].append(number)
    places: dict[tuple, dict] = {}
    for meter in meters:
        building_meter = meter.scope == MeterScope.BUILDING or meter.premises_id is None
        key = (meter.building_id, None if building_meter else meter.premises_id)
        place = places.setdefault(key, {
            "building": meter.building.address, "entrance": None if building_meter else meter.premises.entrance,
            "premises": "общедомовые приборы" if building_meter else f"кв. {meter.premises.number}",
            "accounts": [] if building_meter else accounts[meter.premises_id], "meters": []})
        place["meters"].append(_meter_row(meter, readings, today))
    return {"route": {"id": route.pk, "code": route.code, "name": route.name, "period": period_text(route)},
            "taken_at": now.isoformat(), "today": today.isoformat(), "places": list(places.values())}
