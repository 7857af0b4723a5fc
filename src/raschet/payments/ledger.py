"""What an account owes and holds, in the payments' terms (``Debt`` records by service and supplier
code), read through the store's one ledger reader (:mod:`raschet.store.ledger`) in exact kopecks."""

from __future__ import annotations

from collections import defaultdict

from raschet.domain.allocation import Debt
from raschet.domain.periods import Period
from raschet.store import ledger as store


def debts(account_ids: list[int], service_codes: dict[int, str], supplier_codes: dict[int, str]
          ) -> dict[int, list[Debt]]:
    """Outstanding principal per account: (accrual period, service, supplier) with a positive balance."""
    result: dict[int, list[Debt]] = defaultdict(list)
    periods: dict[str, Period] = {}
    for account_id, ref_period, service_id, supplier_id, amount in store.principal(account_ids):
        period = periods.get(ref_period) or periods.setdefault(ref_period, Period.parse(ref_period))
        result[account_id].append(Debt(period, service_codes[service_id], supplier_codes[supplier_id], amount))
    return result


advances = store.advances
period_sums = store.period_sums
