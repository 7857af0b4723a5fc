"""The demo region drains its water: wastewater = the account's cold + hot water (ПП 354 п. 42).

Before, the demo charged wastewater by its norm (8.05 m³ per resident) beside metered water: a flat of
four with 27.208 m³ of metered water paid for 32.2 m³ of wastewater.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from raschet.billing.models import ChargeLine
from raschet.billing.services import calculate_period
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region


@pytest.mark.django_db
def test_every_account_drains_the_sum_of_its_water_whatever_gave_it():
    load_region(RegionSpec(accounts=300, seed=11, last_period=Period(2026, 6), months=6), show_progress=False)
    calculate_period(period=Period(2026, 6))
    volumes: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sources: dict[str, set[str]] = defaultdict(set)
    for account, service, source, volume in ChargeLine.objects.filter(
            period="2026-06", kind="charge", service__code__in=["cold_water", "hot_water", "wastewater"]
    ).values_list("account_id", "service__code", "volume_source", "volume"):
        volumes[account][service] += volume
        sources[service].add(source)
    assert len(volumes) == 300
    for account, by_service in volumes.items():
        assert by_service["wastewater"] == by_service["cold_water"] + by_service["hot_water"], account
    # metered water in most flats, the average where a month's reading is missing, the norm where no
    # meter can be installed: all of them drained, and the wastewater line says the weakest source
    assert {"meter", "average", "norm"} <= sources["cold_water"] | sources["hot_water"]
    assert {"meter", "average", "norm"} <= sources["wastewater"]
    methods = set(ChargeLine.objects.filter(service__code="wastewater").values_list("method", flat=True))
    assert methods == {"sum_of"}
