"""Reductions for interrupted or poor-quality services (domain.md §4.2): ΔP = −P_month × p × hours,
with P_month the account's charge for the service in the month (all its lines), one reduction line
per account, service and interruption, rounded HALF_UP once.

Computed with the month, so a closed month recalculated later reproduces its reductions.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from raschet.billing.models import ServiceInterruption
from raschet.domain.money import round_money
from raschet.domain.periods import Period


def interruption_lines(period: Period, lines: pl.DataFrame) -> pl.DataFrame:
    """Reduction lines for the interruptions that start in ``period``, over the computed ``lines``."""
    interruptions = list(ServiceInterruption.objects.filter(date_from__gte=period.start, date_from__lt=period.end)
                         .select_related("service", "account", "building"))
    if not interruptions or lines.is_empty():
        return lines.clear()
    charges = lines.filter(pl.col("kind") == "charge")
    from raschet.housing.models import Account

    building_of = dict(Account.objects.filter(pk__in=charges["account_id"].unique().to_list())
                       .values_list("pk", "premises__building_id"))
    rows = []
    for cut in interruptions:
        mine = charges.filter(pl.col("service") == cut.service.code)
        mine = mine.filter(pl.col("account_id") == cut.account_id) if cut.account_id else \
            mine.filter(pl.col("account_id").replace_strict(building_of, default=None) == cut.building_id)
        for _account, group in mine.group_by(["account_id"], maintain_order=True):
            monthly = sum(group["amount"].to_list(), Decimal(0))
            amount = -round_money(monthly * cut.percent_per_hour / 100 * cut.excess_hours)
            if amount:
                first = group.row(0, named=True)
                rows.append({**first, "kind": "reduction", "amount": amount, "excess_amount": Decimal(0),
                             "volume": Decimal(0), "date_from": cut.date_from, "date_to": cut.date_to,
                             "reason": f"Снижение платы: {cut.reason}, {cut.excess_hours} ч × "
                                       f"{cut.percent_per_hour.normalize():f} % от {monthly}"})
    return pl.DataFrame(rows, schema=lines.schema) if rows else lines.clear()
