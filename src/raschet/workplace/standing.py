"""Where an account stands today — debt, advance, penalties — read through the ledger functions the
payments use (``payments.ledger``: principal debt per period × service × supplier, advances per
payment), so the card, the search list and the cash desk never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from raschet.payments import ledger
from raschet.payments.services import Codes
from raschet.store import ledger as store

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


_penalties = store.penalties


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
