"""Payment allocation arithmetic (domain.md §7): which debts a payment pays, to the kopeck.

Order: the period the payer named first; then the oldest periods inside the limitation period; then
older ones. Within a period the money is split in proportion to each (service, supplier) debt.
Penalties are paid only when the payer names them. What is left is an advance.

The payer's period wins even before it is charged (§7 rule 1): a payment naming a period that is not
charged yet pays nothing else; it waits whole as an advance designated to that period, and is spent
when that period's charges are posted — on them first, only the excess on the oldest debts.

The proportional split follows the worked example of domain.md §7 by default ("largest_share"):
each share is payment × debt / total rounded HALF_UP, and the kopecks that rounding leaves over or
short go to the largest share (1,234.56 / 789.01 / 456.78 with 1,000.00 → 497.74 / 318.10 /
184.16). "largest_remainder" (Hamilton: round down, hand the leftover kopecks to the largest
remainders) is the other policy; it is a setting because sources disagree on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from raschet.domain.money import KOPECK, round_money, split_largest_remainder
from raschet.domain.periods import Period

POLICIES = ("largest_share", "largest_remainder")


@dataclass(frozen=True)
class Debt:
    """What is still owed for one (accrual period, service, supplier); ``penalty`` debts are separate."""

    period: Period
    service: str
    supplier: str
    amount: Decimal
    penalty: bool = False


@dataclass(frozen=True)
class Share:
    period: Period
    service: str
    supplier: str
    amount: Decimal
    penalty: bool = False


def split_largest_share(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """HALF_UP shares of ``total`` by ``weights``; the rounding difference goes to the largest share."""
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0:
        raise ValueError("Нельзя распределить сумму: сумма весов не больше нуля.")
    shares = [round_money(total * w / weight_sum) for w in weights]
    difference = total - sum(shares, Decimal(0))
    if difference:
        largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
        shares[largest] += difference
    return shares


def split(total: Decimal, weights: Sequence[Decimal], policy: str = "largest_share") -> list[Decimal]:
    if policy == "largest_share":
        return split_largest_share(total, weights)
    if policy == "largest_remainder":
        return split_largest_remainder(total, weights)
    raise ValueError(f"Неизвестный способ округления долей «{policy}»; допустимы: {', '.join(POLICIES)}.")


def period_order(debts: Sequence[Debt], named: Period | None, limitation_start: Period | None) -> list[Period]:
    """Named period first; then periods inside the limitation period oldest first; then the rest."""
    periods = sorted({d.period for d in debts})
    inside = [p for p in periods if limitation_start is None or p >= limitation_start]
    outside = [p for p in periods if p not in inside]
    ordered = inside + outside
    if named is not None and named in ordered:
        ordered.remove(named)
        ordered.insert(0, named)
    return ordered


def is_charged(named: Period, last_charged: Period | None) -> bool:
    """Whether the named period's charges are posted: periods are posted in order, so every period up
    to the last posted one is (a period before all of them was charged before Raschet, or never)."""
    return last_charged is not None and named <= last_charged


def allocate(amount: Decimal, debts: Sequence[Debt], *, named: Period | None = None,
             pay_penalties: bool = False, limitation_start: Period | None = None,
             policy: str = "largest_share", named_charged: bool = True) -> tuple[list[Share], Decimal]:
    """Allocate a payment (≥ 0, whole kopecks) to debts; returns the shares and the advance left.

    The shares plus the advance add up to ``amount`` exactly; no debt receives more than it owes.
    ``named_charged`` False: the named period is not charged yet, so the whole payment waits for it
    as its advance (no shares), even when older debts are open.
    """
    if amount < 0 or amount != amount.quantize(KOPECK):
        raise ValueError(f"Сумма оплаты должна быть неотрицательной и в копейках, получено {amount}.")
    if named is not None and not named_charged:
        return [], amount
    payable = [d for d in debts if d.amount > 0 and (pay_penalties or not d.penalty)]
    left, shares = amount, []
    for period in period_order(payable, named, limitation_start):
        if left == 0:
            break
        owed = [d for d in payable if d.period == period]
        total = sum((d.amount for d in owed), Decimal(0))
        paid = min(left, total)
        parts = [d.amount for d in owed] if paid == total else split(paid, [d.amount for d in owed], policy)
        shares += [Share(d.period, d.service, d.supplier, part, d.penalty) for d, part in zip(owed, parts, strict=True)
                   if part]
        left -= paid
    return shares, left
