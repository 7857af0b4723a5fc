"""Readings of an account's meters: the list, and a submission checked by the one reading check
(``metering.services``) with the source the caller is entitled to.

A subscriber (linked to the account) submits as ``portal`` only; ``operator``, ``controller`` and
``registry`` need the permission to enter readings (``metering.add_reading``), which also lets staff
submit ``portal`` readings received otherwise. Without ``source`` it is ``portal`` for a subscriber,
``operator`` for staff.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from raschet import access
from raschet.api.auth import AUTH, actor_of
from raschet.api.errors import answers
from raschet.api.pages import Page, PageQuery, page_of
from raschet.api.routers.accounts import account_meters
from raschet.api.scope import ADD_READING, account_for, is_linked
from raschet.domain.errors import ProblemsError, problem
from raschet.metering.models import Reading, ReadingSource
from raschet.metering.services import enter_reading

router = Router(tags=["Показания"], auth=AUTH)
Source = Literal["portal", "controller", "operator", "registry"]


class ReadingOut(Schema):
    meter: str
    date: date
    zone: str
    value: Decimal
    source: str
    entered_at: datetime


class ReadingIn(Schema):
    meter: str = Field(..., min_length=1, max_length=40, description="код прибора учёта")
    date: date
    value: Decimal | str = Field(..., description="показание в обычной записи, например 123.456")
    zone: str = Field("total", max_length=10)
    source: Source | None = None


class ReadingQuery(PageQuery):
    meter: str = Field("", max_length=40, description="только этого прибора (код)")


def reading_out(reading: Reading) -> ReadingOut:
    return ReadingOut(meter=reading.meter.code, date=reading.date, zone=reading.zone, value=reading.value,
                      source=reading.source, entered_at=reading.entered_at)


@router.get("/accounts/{number}/readings", response=answers(s200=Page[ReadingOut]),
            summary="Показания приборов лицевого счёта, новые первыми")
def list_readings(request, number: str, query: Query[ReadingQuery]):
    meters = account_meters(account_for(request, number))
    if query.meter:
        meters = meters.filter(code=query.meter)
    rows = (Reading.objects.filter(meter__in=meters.values("pk")).select_related("meter")
            .order_by("-date", "meter__code", "zone"))
    return page_of(rows, query, reading_out)


def _source(request, account, given: str | None) -> str:
    """The source the caller may submit as; refused (403) when its role does not allow it."""
    actor = actor_of(request)
    staff = access.allowed(actor, ADD_READING)
    source = given or ("operator" if staff else "portal")
    if staff or (source == ReadingSource.PORTAL and is_linked(request, account)):
        return source
    access.require(actor, ADD_READING)
    return source


@router.post("/accounts/{number}/readings", response=answers(s201=ReadingOut),
             summary="Передать показание (проверяется как при вводе оператором)")
def submit_reading(request, number: str, body: ReadingIn):
    account = account_for(request, number, ADD_READING)
    source = _source(request, account, body.source)
    meter = account_meters(account).filter(Q(code=body.meter)).first()
    if meter is None:
        raise ProblemsError([problem("unknown_reference", "body.meter", kind=f"прибор учёта ЛС {account.number}",
                                     value=body.meter)])
    user = actor_of(request) if getattr(actor_of(request), "pk", None) else None
    reading = enter_reading(meter=meter, on=body.date, value=body.value, zone=body.zone, user=user, source=source)
    return Status(201, reading_out(reading))
