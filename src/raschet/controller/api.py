"""The controller's API (``/api/v1/controller/…``), used by the route page on the phone: the controller's
routes, one route's sheet, and the sync of what was recorded offline.

Authentication: the API's own (``raschet.api.auth.AUTH``): the controller's bearer token (a phone app
or a script), an ``X-Api-Key`` client, or the signed-in session of the route page (which sends Django's
CSRF token in ``X-CSRFToken``). Whoever calls, only a user with ``controller.walk_routes`` gets an
answer, and only about their own routes: another controller's route is refused with ``foreign_route``
(403); an integration key is no controller and is refused (403).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field, field_validator

from raschet.api.auth import AUTH, actor_of
from raschet.api.errors import ErrorsOut, ProblemOut
from raschet.controller.sheet import my_routes, period_text, route_sheet
from raschet.controller.sync import EntryIn, sync_entries

router = Router(tags=["Контролёры"], auth=AUTH)
MAX_ENTRIES = 500


class EntrySchema(Schema):
    client_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$", description="идентификатор записи, созданный телефоном")
    kind: str = Field(description="reading — показание, check — проверка прибора, seal — пломба")
    route: int
    meter: int
    date: date
    zone: str = "total"
    value: str = Field("", max_length=40, description="показание как текст: 123,456")
    result: str = Field("", max_length=20)
    note: str = Field("", max_length=500)
    seal_number: str = Field("", max_length=40)
    sheet_taken_at: datetime | None = None

    @field_validator("value", mode="before")
    @classmethod
    def value_as_text(cls, value):
        """A number sent as a JSON number is kept as its text, for the one reading check to judge."""
        return value if isinstance(value, str) or value is None else str(value)


class SyncIn(Schema):
    entries: list[EntrySchema] = Field(max_length=MAX_ENTRIES)


# every failure answers {"errors": [...]} (web.api); documented so that clients and fuzzers know it
ERRORS = {status: ErrorsOut for status in (400, 401, 403, 404, 409, 422, 429)}


class RouteOut(Schema):
    id: int
    code: str
    name: str
    period: str
    stops: list[str] = []


class RoutesOut(Schema):
    routes: list[RouteOut]


class RouteZoneOut(Schema):
    zone: str
    last_date: str | None = Field(None, description="дата последнего показания, ГГГГ-ММ-ДД")
    last_value: str | None = None
    expected_low: str | None = Field(None, description="ожидаемое показание: не меньше")
    expected_high: str | None = Field(None, description="ожидаемое показание: правдоподобно не больше")


class RouteMeterOut(Schema):
    id: int
    code: str
    serial: str
    service: str
    unit: str
    verification_due: str | None = None
    zones: list[RouteZoneOut]


class PlaceOut(Schema):
    building: str
    entrance: int | None = None
    premises: str
    accounts: list[str]
    meters: list[RouteMeterOut]


class SheetOut(Schema):
    route: RouteOut
    taken_at: str = Field(description="когда лист получен: передавайте в записях как sheet_taken_at")
    today: str
    places: list[PlaceOut]


class ResultOut(Schema):
    client_id: str
    kind: str
    status: str = Field(description="accepted — принято, refused — отказано, conflict — есть более новое показание")
    message: str
    problems: list[ProblemOut]
    entry: dict
    replayed: bool = Field(description="true: запись уже была получена, это ответ на первую отправку")
    reading: dict | None = None
    existing: dict | None = Field(None, description="более новое показание, из-за которого запись не принята")


class SyncOut(Schema):
    results: list[ResultOut]


def _entry(item: EntrySchema) -> EntryIn:
    return EntryIn(client_id=item.client_id, kind=item.kind, route=item.route, meter=item.meter, on=item.date,
                   zone=item.zone, value=item.value or "", result=item.result, note=item.note,
                   seal_number=item.seal_number, sheet_taken_at=item.sheet_taken_at)


@router.get("/controller/routes", response={200: RoutesOut, **ERRORS}, summary="Мои маршруты контролёра, действующие сегодня")
def routes(request):
    found = my_routes(actor=actor_of(request), today=timezone.localdate())
    return {"routes": [{"id": route.pk, "code": route.code, "name": route.name, "period": period_text(route),
                        "stops": [str(stop) for stop in route.stops.all()]} for route in found]}


@router.get("/controller/routes/{route_id}/sheet", response={200: SheetOut, **ERRORS}, summary="Маршрутный лист")
def sheet(request, route_id: int):
    return route_sheet(route_id, actor=actor_of(request), today=timezone.localdate(), now=timezone.now())


@router.post("/controller/sync", response={200: SyncOut, **ERRORS}, summary="Отправить записи обхода (повтор не дублирует)")
def sync(request, payload: SyncIn):
    results = sync_entries([_entry(item) for item in payload.entries], actor=actor_of(request),
                           today=timezone.localdate(), now=timezone.now())
    return {"results": results}
