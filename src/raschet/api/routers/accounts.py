"""Accounts (search, one), their premises and meters — each read through the caller's scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from raschet.api.auth import AUTH
from raschet.api.errors import answers
from raschet.api.pages import Page, PageQuery, page_of
from raschet.api.scope import account_for, visible_accounts
from raschet.housing.models import Account, PremisesArea
from raschet.metering.models import Meter, MeterScope

router = Router(tags=["Лицевые счета"], auth=AUTH)


class BuildingOut(Schema):
    code: str
    address: str


class AccountOut(Schema):
    number: str
    els: str
    payer: str
    opened: date
    closed: date | None
    share: Decimal
    premises_id: int
    premises: str
    building: BuildingOut


class SearchQuery(PageQuery):
    q: str = Field("", max_length=100, description="номер ЛС (начало), телефон, фамилия плательщика или адрес")


def account_out(account: Account) -> AccountOut:
    building = account.premises.building
    return AccountOut(number=account.number, els=account.els, payer=account.payer, opened=account.opened,
                      closed=account.closed, share=account.share, premises_id=account.premises_id,
                      premises=account.premises.number, building=BuildingOut(code=building.code,
                                                                             address=building.address))


def _search(rows, text: str):
    text = text.strip()
    if not text:
        return rows
    if text.isdigit():
        return rows.filter(Q(number__startswith=text) | Q(phone__endswith=text))
    return rows.filter(Q(payer__icontains=text) | Q(premises__building__address__icontains=text))


@router.get("/accounts", response=answers(s200=Page[AccountOut]), summary="Найти лицевые счета")
def search_accounts(request, query: Query[SearchQuery]):
    rows = _search(visible_accounts(request), query.q).select_related("premises__building").order_by("number")
    return page_of(rows, query, account_out)


@router.get("/accounts/{number}", response=answers(s200=AccountOut), summary="Лицевой счёт")
def get_account(request, number: str):
    return account_out(account_for(request, number))


class AreaOut(Schema):
    valid_from: date
    valid_to: date | None
    value: Decimal


class PremisesOut(Schema):
    id: int
    number: str
    kind: str
    entrance: int | None
    meter_possible: bool
    building: BuildingOut
    building_total_area: Decimal
    areas: list[AreaOut]


@router.get("/accounts/{number}/premises", response=answers(s200=PremisesOut),
            summary="Помещение лицевого счёта и его площадь по датам")
def get_premises(request, number: str):
    premises = account_for(request, number).premises
    areas = PremisesArea.objects.filter(premises=premises).order_by("valid_from")
    return PremisesOut(id=premises.pk, number=premises.number, kind=premises.kind, entrance=premises.entrance,
                       meter_possible=premises.meter_possible,
                       building=BuildingOut(code=premises.building.code, address=premises.building.address),
                       building_total_area=premises.building.total_area,
                       areas=[AreaOut(valid_from=a.valid_from, valid_to=a.valid_to, value=a.value) for a in areas])


class MeterOut(Schema):
    code: str
    serial: str
    service: str
    service_name: str
    unit: str
    zones: list[str]
    installed: date | None
    removed: date | None
    verification_due: date | None
    digits: int | None


def account_meters(account: Account):
    """The meters of the account: its own and the premises meters of its premises."""
    return (Meter.objects.filter(Q(account=account) | Q(premises_id=account.premises_id, scope=MeterScope.PREMISES,
                                                         account__isnull=True))
            .select_related("service").order_by("service__code", "code"))


def meter_out(meter: Meter) -> MeterOut:
    return MeterOut(code=meter.code, serial=meter.serial, service=meter.service.code, service_name=meter.service.name,
                    unit=meter.service.unit, zones=meter.zone_list(), installed=meter.installed, removed=meter.removed,
                    verification_due=meter.verification_due, digits=meter.digits)


@router.get("/accounts/{number}/meters", response=answers(s200=list[MeterOut]), summary="Приборы учёта лицевого счёта")
def list_meters(request, number: str):
    return [meter_out(m) for m in account_meters(account_for(request, number))]
