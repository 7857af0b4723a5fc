"""Change tracking: which (account, closed period) pairs a change of an input reaches.

A change is described by who it concerns (an account, premises, building, a service across the
region, or everyone) and the dates it covers; every closed period those dates touch is marked for
every account concerned, in one INSERT … SELECT, so a region-wide tariff change marks a million
accounts in seconds. Marks are not money: the next calculation turns them into recalc entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from raschet.billing.models import BillingPeriod, PeriodState
from raschet.domain.periods import Period


@dataclass(frozen=True)
class Scope:
    """Who a change concerns: exactly one of the fields (none = every account)."""

    account: int | None = None
    premises: int | None = None
    building: int | None = None
    service: int | None = None  # with ``building`` set too: that service in that building

    def where(self) -> tuple[str, list]:
        if self.account is not None:
            return "a.id = %s", [self.account]
        if self.premises is not None:
            return "a.premises_id = %s", [self.premises]
        clauses, params = [], []
        if self.building is not None:
            clauses.append("a.premises_id IN (SELECT id FROM housing_premises WHERE building_id = %s)")
            params.append(self.building)
        if self.service is not None:
            clauses.append("a.id IN (SELECT account_id FROM tariffs_accountservice WHERE service_id = %s)")
            params.append(self.service)
        return (" AND ".join(clauses) or "1 = 1"), params


def closed_periods_touched(start: date | None, end: date | None) -> list[str]:
    """Closed periods that meet ``[start, end)`` (None: unbounded)."""
    periods = []
    frozen = (PeriodState.POSTED, PeriodState.CLOSED)  # charges already in the ledger
    for code in BillingPeriod.objects.filter(state__in=frozen).values_list("period", flat=True):
        period = Period.parse(code)
        if (start is None or period.end > start) and (end is None or period.start < end):
            periods.append(code)
    return sorted(periods)


def mark(scope: Scope, start: date | None, end: date | None, reason: str) -> int:
    """Mark every account of ``scope`` for every closed period in ``[start, end)``; returns pairs marked."""
    periods = closed_periods_touched(start, end)
    if not periods:
        return 0
    where, params = scope.where()
    marked = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for period in periods:
            cursor.execute(
                f"INSERT INTO billing_recalcmark (account_id, period, reason, created_at) "
                f"SELECT a.id, %s, %s, %s FROM housing_account a WHERE {where} "
                f"ON CONFLICT (account_id, period) DO UPDATE SET created_at = excluded.created_at, "
                f"reason = excluded.reason", [period, reason[:300], now, *params])
            marked += cursor.rowcount
    return marked
