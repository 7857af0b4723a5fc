"""The account card's other sections: payments with their allocations, meters with readings and a
consumption chart, residents / areas / share with their history, documents, the debt case."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from raschet.billing.models import Entry
from raschet.claims.models import DebtCase
from raschet.documents.models import PaymentDocument
from raschet.housing.models import Account, PremisesArea, Registration, ResidentCount
from raschet.metering.models import Meter, Reading
from raschet.payments.models import Payment
from raschet.tariffs.models import Zone
from raschet.workplace.chart import consumption_chart

READINGS_SHOWN = 13
PAYMENTS_SHOWN = 36


@dataclass
class PaymentView:
    payment: Payment
    allocations: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (period, service, amount)


def payments(account: Account) -> list[PaymentView]:
    rows = list(Payment.objects.filter(account=account).order_by("-paid_on", "-id")[:PAYMENTS_SHOWN])
    views = {p.pk: PaymentView(p) for p in rows}
    entries = (Entry.objects.filter(payment_id__in=list(views), account=account).select_related("service")
               .order_by("ref_period", "service__name"))
    for entry in entries:
        name = entry.service.name if entry.service else "аванс"
        views[entry.payment_id].allocations.append((entry.ref_period, name, -entry.amount))
    return list(views.values())


@dataclass
class MeterView:
    meter: Meter
    zones: list[str]
    readings: list[Reading]
    chart: str


def meters(account: Account) -> list[MeterView]:
    found = (Meter.objects.filter(account=account) | Meter.objects.filter(account__isnull=True,
                                                                           premises_id=account.premises_id))
    views = []
    for meter in found.select_related("service").order_by("removed", "service__name", "id"):
        readings = list(Reading.objects.filter(meter=meter).select_related("entered_by")
                        .order_by("-date", "zone")[:READINGS_SHOWN * max(1, len(meter.zone_list()))])
        zone_names = [dict(Zone.choices).get(z, z) for z in meter.zone_list()]
        views.append(MeterView(meter, zone_names, readings, consumption_chart(readings[::-1], meter.service.get_unit_display())))
    return views


@dataclass
class People:
    registrations: list[Registration]
    counts: list[ResidentCount]
    areas: list[PremisesArea]


def people(account: Account) -> People:
    return People(
        list(Registration.objects.filter(account=account).select_related("person").order_by("-valid_from")),
        list(ResidentCount.objects.filter(account=account).order_by("-valid_from")),
        list(PremisesArea.objects.filter(premises_id=account.premises_id).order_by("-valid_from")),
    )


def documents(account: Account) -> list[PaymentDocument]:
    return list(PaymentDocument.objects.filter(account=account).defer("pdf_tail", "figures")
                .order_by("-period", "-version")[:24])


def debt_cases(account: Account) -> list[DebtCase]:
    cases = DebtCase.objects.filter(account=account).prefetch_related("events").order_by("-opened_on")
    return list(cases)
