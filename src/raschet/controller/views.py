"""The controller's pages under ``/controller/``: the list of their routes and the route page, a shell
that the phone keeps offline (the service worker ``/controller/sw.js`` caches it with the route sheet)
and fills from the sheet with ``static/controller/route.js``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from raschet.controller.permissions import WALK_ROUTES, allowed
from raschet.controller.sheet import my_routes, own_route, period_text
from raschet.domain.errors import ProblemsError

SERVICE_WORKER = Path(__file__).parent / "static" / "controller" / "sw.js"


def _refused(request, message: str, status: int = 403):
    return render(request, "controller/refused.html", {"message": message}, status=status)


@login_required
@ensure_csrf_cookie
def routes(request):
    if not allowed(request.user, WALK_ROUTES):
        return _refused(request, "Маршруты контролёров видят только контролёры: попросите администратора "
                                 "выдать вам роль «контролёр» (право controller.walk_routes).")
    found = my_routes(actor=request.user, today=timezone.localdate())
    rows = [{"route": route, "period": period_text(route), "stops": [str(stop) for stop in route.stops.all()]}
            for route in found]
    return render(request, "controller/routes.html", {"rows": rows})


@login_required
@ensure_csrf_cookie
def route(request, route_id: int):
    if not allowed(request.user, WALK_ROUTES):
        return _refused(request, "Маршрут доступен только контролёру, которому он назначен.")
    try:
        found = own_route(route_id, actor=request.user)
    except ProblemsError as error:
        status = 404 if error.problems[0].code == "unknown_reference" else 403
        return _refused(request, error.problems[0].message, status)
    return render(request, "controller/route.html", {"route": found, "period": period_text(found)})


def service_worker(request):
    """The service worker, served from ``/controller/`` so that its scope is the controller's pages."""
    response = HttpResponse(SERVICE_WORKER.read_text(encoding="utf-8"), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
