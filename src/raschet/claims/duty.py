"""State duty (госпошлина) of a claim in a court of general jurisdiction and of a court order, by the
scale in force from 08.09.2024 (НК РФ ст. 333.19 п. 1 пп. 1, 2 in the wording of ФЗ от 08.08.2024
№ 259-ФЗ; domain.md §13).

A court order costs half the claim's duty, at least 2,000 ₽. Duty is in whole roubles (НК РФ ст. 52
п. 6: under 50 kopecks dropped, 50 and more rounded up) [M: the rounding rule applied to the duty].
The arbitration scale (ст. 333.21) is not here: legal entities' claims need it (not implemented).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from raschet.domain.money import dec

BASIS = "НК РФ ст. 333.19 п. 1 пп. 1, 2 (в ред. ФЗ от 08.08.2024 № 259-ФЗ)"

# (lower bound of the band, fixed part, percent of the amount over the bound)
SCALE = [
    (Decimal("0"), Decimal("4000"), Decimal("0")),
    (Decimal("100000"), Decimal("4000"), Decimal("3")),
    (Decimal("300000"), Decimal("10000"), Decimal("2.5")),
    (Decimal("500000"), Decimal("15000"), Decimal("2")),
    (Decimal("1000000"), Decimal("25000"), Decimal("1")),
    (Decimal("3000000"), Decimal("45000"), Decimal("0.7")),
    (Decimal("8000000"), Decimal("80000"), Decimal("0.35")),
    (Decimal("24000000"), Decimal("136000"), Decimal("0.3")),
    (Decimal("50000000"), Decimal("214000"), Decimal("0.2")),
    (Decimal("100000000"), Decimal("314000"), Decimal("0.15")),
]
CLAIM_CAP = Decimal("900000")
ORDER_MINIMUM = Decimal("2000")


def _roubles(x: Decimal) -> Decimal:
    return x.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _exact_claim_duty(amount: Decimal | str) -> Decimal:
    value = dec(amount)
    if value <= 0:
        raise ValueError(f"Цена иска должна быть больше нуля, указано {value}.")
    bound, fixed, percent = [band for band in SCALE if value > band[0] or band[0] == 0][-1]
    return min(fixed + (value - bound) * percent / 100, CLAIM_CAP)


def claim_duty(amount: Decimal | str) -> Decimal:
    """The duty of a claim for ``amount`` roubles: 85,000 → 4,000; 150,000 → 5,500."""
    return _roubles(_exact_claim_duty(amount))


def court_order_duty(amount: Decimal | str) -> Decimal:
    """Half the claim's duty (rounded once, to whole roubles), at least 2,000 ₽: 85,000 → 2,000;
    150,000 → 2,750."""
    return max(_roubles(_exact_claim_duty(amount) / 2), ORDER_MINIMUM)
