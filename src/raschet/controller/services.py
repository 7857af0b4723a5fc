"""Use cases of the controller app: assigning a route, reading the route sheet, the offline sync.

The sheet and the sync live in :mod:`raschet.controller.sheet` and :mod:`raschet.controller.sync`;
they are re-exported here so that every entry point (views, API, tests) finds the use cases in one place.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from raschet.controller.models import Route, RouteStop
from raschet.controller.permissions import MANAGE_ROUTES, require
from raschet.controller.sheet import my_routes, own_route, route_sheet
from raschet.controller.sync import EntryIn, sync_entries, sync_entry
from raschet.domain.errors import ProblemsError, problem
from raschet.housing.models import Building

__all__ = ["EntryIn", "assign_route", "my_routes", "own_route", "route_sheet", "sync_entries", "sync_entry"]


@transaction.atomic
def assign_route(*, actor=None, code: str, controller, valid_from: date, valid_to: date | None = None,
                 stops: list[tuple[str, int | None]], name: str = "") -> Route:
    """A route ``code`` of ``controller`` for ``[valid_from, valid_to)`` over ``stops``: (building code,
    entrance or ``None`` for the whole building), in walking order."""
    require(actor, MANAGE_ROUTES)
    if valid_to is not None and valid_to <= valid_from:
        raise ProblemsError([problem("invalid_range", "valid_to", field="период маршрута", start=valid_from.isoformat(),
                                     end=valid_to.isoformat())])
    buildings = dict(Building.objects.filter(code__in=[c for c, _ in stops]).values_list("code", "pk"))
    unknown = [c for c, _ in stops if c not in buildings]
    if unknown:
        raise ProblemsError([problem("unknown_reference", f"stops.{c}", kind="дома", value=c) for c in unknown])
    route = Route.objects.create(code=code, name=name, controller=controller, valid_from=valid_from, valid_to=valid_to)
    RouteStop.objects.bulk_create([RouteStop(route=route, building_id=buildings[c], entrance=entrance, order=n)
                                   for n, (c, entrance) in enumerate(stops)])
    return route
