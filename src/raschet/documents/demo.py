"""The demo's payment documents: what a settlement centre would have set up, then the last month issued.

Contacts of the settlement centre (the executor printed on the document), one QR code for the whole
sum paid to it, delivery routes of a few buildings each, entrances of the premises, and e-mail
delivery chosen by about one subscriber in ten — then the last month is posted (documents show
posted charges only) and its documents are issued into ``var/documents``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Count

from raschet.billing.services import post_period
from raschet.documents.models import (
    DeliveryChannel,
    DeliveryPreference,
    DeliveryRoute,
    DocumentBatch,
    DocumentSettings,
    OrganizationContact,
    QrMode,
    RouteBuilding,
)
from raschet.documents.services import issue_documents
from raschet.domain.periods import Period
from raschet.housing.models import Account, Building, Premises
from raschet.tariffs.models import Organization

BUILDINGS_PER_ROUTE = 5
FLATS_PER_ENTRANCE = 40
EMAIL_EVERY = 10


@transaction.atomic
def set_up() -> None:
    centre = next((o for o in Organization.objects.order_by("pk") if "settlement_centre" in o.roles), None)
    if centre is None:
        return
    OrganizationContact.objects.update_or_create(organization=centre, defaults={
        "address": "г. Энск, ул. Советская, д. 10, офис 3", "phone": "+7 (800) 555-35-35",
        "email": "info@rkc.example", "website": "rkc.example", "hours": "пн–пт 8:00–17:00"})
    DocumentSettings.objects.update_or_create(pk=1, defaults={"executor": centre, "qr_mode": QrMode.SETTLEMENT_CENTRE,
                                                              "settlement_centre": centre})
    buildings = list(Building.objects.order_by("code").annotate(n=Count("premises")).values_list("pk", "n"))
    for start in range(0, len(buildings), BUILDINGS_PER_ROUTE):
        number = start // BUILDINGS_PER_ROUTE + 1
        route, _ = DeliveryRoute.objects.get_or_create(code=f"R{number:03d}", defaults={"name": f"Участок {number}"})
        for order, (building_id, _count) in enumerate(buildings[start:start + BUILDINGS_PER_ROUTE], 1):
            RouteBuilding.objects.update_or_create(building_id=building_id, defaults={"route": route, "order": order})
    numbered = [Premises(pk=pk, entrance=(int(number) - 1) // FLATS_PER_ENTRANCE + 1)  # 40 flats an entrance
                for pk, number in Premises.objects.values_list("pk", "number") if number.isdigit()]
    Premises.objects.bulk_update(numbered, ["entrance"], batch_size=2000)
    chosen = [a for i, a in enumerate(Account.objects.order_by("number").values_list("pk", "number"))
              if i % EMAIL_EVERY == 3]
    DeliveryPreference.objects.bulk_create(
        [DeliveryPreference(account_id=pk, channel=DeliveryChannel.EMAIL, email=f"ls{number}@example.invalid")
         for pk, number in chosen], ignore_conflicts=True)


def issue_last_month(period: Period, progress: Callable[[int, int], None] | None = None) -> DocumentBatch:
    """Set the demo up, post ``period`` and issue its documents."""
    set_up()
    post_period(period=period)
    return issue_documents(period=period, progress=progress)
