"""Where an account stands today — debt, advance, penalties — read through the ledger functions the
payments use (``payments.ledger``: principal debt per period × service × supplier, advances per
payment), so the card, the search list and the cash desk never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from raschet.billing.exact import units
from raschet.payments import ledger
from raschet.payments.services import Codes

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Standing:
    debt: Decimal = ZERO
    advance: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def due(self) -> Decimal:
        """What the payer owes on balance: debt and penalties less the advance (negative: paid ahead)."""
        return self.debt + self.penalties - self.advance


def _penalties(account_ids: list[int]) -> dict[int, Decimal]:
    marks = ", ".join(["%s"] * len(account_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT account_id, SUM({units('amount')}) FROM billing_entry WHERE kind = 'penalty' "
                       f"AND account_id IN ({marks}) GROUP BY account_id", account_ids)
        return {pk: Decimal(kopecks).scaleb(-2) for pk, kopecks in cursor.fetchall()}


def standings(account_ids: Sequence[int]) -> dict[int, Standing]:
    """Each account's standing (for a page's worth of accounts: a few queries in all)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    codes = Codes.load()
    debts = ledger.debts(ids, codes.services, codes.suppliers)
    advances = ledger.advances(ids)
    penalties = _penalties(ids)
    return {pk: Standing(sum((d.amount for d in debts.get(pk, [])), ZERO),
                         sum((amount for _, amount, _ in advances.get(pk, [])), ZERO),
                         penalties.get(pk, ZERO)) for pk in ids}
