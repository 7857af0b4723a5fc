"""Exact money and volume arithmetic: one constructor, one rounding rule.

Every amount in Raschet is a ``Decimal`` made by :func:`dec`, which refuses binary floats
(``0.1 + 0.2 != 0.3``) so that no float can leak into a bill.  Money is rounded HALF_UP to
kopecks, never banker's rounding: 14.55 m³ × 52.30 ₽ = 760.965 → **760.97** (HALF_EVEN would
give 760.96).  Volumes keep six decimals and are rounded separately.

:func:`split_largest_remainder` divides an amount in kopecks between several parts so that the
parts add up to the amount exactly (payment allocation, common-house distribution).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
from math import floor

KOPECK = Decimal("0.01")
VOLUME_QUANTUM = Decimal("0.000001")

# quantize() fails when the result needs more digits than the context precision; 28 digits
# (the default) is enough for money but not for a volume with 6 decimals and a large
# integer part, so rounding uses a roomier context of its own.
_ROUNDING_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)

# Thousands may be grouped with a space, a no-break space or a narrow no-break space.
_SPACES = str.maketrans("", "", " \u00a0\u202f\t")


def dec(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as an exact finite ``Decimal``; the only way numbers enter the domain.

    Strings may group thousands with spaces and use a comma as the decimal separator
    ("1 234,50").  Floats and booleans are refused with ``TypeError``; NaN, infinities and
    unparsable text with ``ValueError``.
    """
    # bool is a subclass of int, so it must be checked first: True is not "1 rouble".
    if isinstance(value, bool):
        raise TypeError(f"Логическое значение «{value}» не является числом: передайте строку, например '1'.")
    if isinstance(value, float):
        raise TypeError(
            f"Число с плавающей точкой {value!r} не принимается (float неточен): "
            f"передайте строку, например dec('{value!r}')."
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = _parse_decimal(value)
    else:
        raise TypeError(
            f"Значение {value!r} типа {type(value).__name__} не является числом: передайте строку, int или Decimal."
        )
    if not result.is_finite():
        raise ValueError(f"Значение «{value}» не является конечным числом.")
    return result


def _parse_decimal(text: str) -> Decimal:
    """Parse Russian or plain notation; "1,5" and "1.5" both mean one and a half."""
    cleaned = text.translate(_SPACES)
    if "," in cleaned:
        # A comma is the decimal separator; with a dot as well the text is ambiguous
        # ("1,234.50" vs "1.234,50"), so it is refused instead of guessed.
        if "." in cleaned or cleaned.count(",") > 1:
            raise ValueError(f"Не удалось прочитать число «{text}»: используйте один десятичный разделитель.")
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"Не удалось прочитать число «{text}»: ожидается, например, 1234,50.") from None


def _require_decimal(x: Decimal | int) -> Decimal:
    """Let ints through (``sum([])`` is ``0``) but keep floats out of the rounding functions."""
    return x if isinstance(x, Decimal) else dec(x)


def _quantize(x: Decimal, quantum: Decimal) -> Decimal:
    result = _require_decimal(x).quantize(quantum, rounding=ROUND_HALF_UP, context=_ROUNDING_CONTEXT)
    # -0.004 rounds to "-0.00"; it equals zero but would print with a minus sign on a bill.
    return result.copy_abs() if result.is_zero() else result


def round_money(x: Decimal) -> Decimal:
    """Round HALF_UP (away from zero on a tie) to kopecks; the result always has 2 decimals."""
    return _quantize(x, KOPECK)


def round_volume(x: Decimal) -> Decimal:
    """Round HALF_UP to 6 decimals (m³, kWh, Gcal): finer than any meter or GIS ЖКХ needs."""
    return _quantize(x, VOLUME_QUANTUM)


def money(value: Decimal | int | str) -> Decimal:
    """Build and round an amount in one step: ``money("1 234,5") == Decimal("1234.50")``."""
    return round_money(dec(value))


def format_money(x: Decimal) -> str:
    """Format an amount the Russian way: ``Decimal("-1234.5")`` → ``"-1 234,50"``."""
    amount = round_money(x)
    sign = "-" if amount < 0 else ""
    whole, fraction = f"{abs(amount):f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{fraction}"


def to_kopecks(x: Decimal) -> int:
    """Return a whole-kopeck amount as an integer number of kopecks (QR ``Sum``, GIS notices)."""
    amount = _require_decimal(x)
    if amount != round_money(amount):
        raise ValueError(f"Сумма {amount} содержит доли копейки: сначала округлите её до копеек.")
    return int(amount * 100)


def from_kopecks(kopecks: int) -> Decimal:
    """Inverse of :func:`to_kopecks`: ``523045`` → ``Decimal("5230.45")``."""
    if isinstance(kopecks, bool) or not isinstance(kopecks, int):
        raise TypeError(f"Количество копеек должно быть целым числом, получено {kopecks!r}.")
    return round_money(Decimal(kopecks).scaleb(-2))


def split_largest_remainder(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (whole kopecks, any sign) in proportion to non-negative ``weights``.

    Each share is first rounded towards zero to kopecks; the kopecks left over go one by one
    to the shares with the largest dropped remainders (earlier index first on a tie).  The
    shares add up to ``total`` exactly and each is within one kopeck of its exact share;
    a zero weight always gets zero.
    """
    kopecks = to_kopecks(total)
    exact_weights = [_weight(w) for w in weights]
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError("Нельзя распределить сумму: все веса равны нулю или список весов пуст.")
    # Work with the magnitude so that "rounded down" means "towards zero" for refunds too.
    magnitude, sign = abs(kopecks), (-1 if kopecks < 0 else 1)
    exact = [magnitude * w / weight_sum for w in exact_weights]
    shares = [floor(x) for x in exact]
    leftover = magnitude - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return [from_kopecks(sign * s) for s in shares]


def _weight(w: Decimal | int) -> Fraction:
    """Convert a weight exactly (Fraction, not Decimal division, so no rounding creeps in)."""
    value = _require_decimal(w)
    if value < 0:
        raise ValueError(f"Вес для распределения не может быть отрицательным, получено {value}.")
    return Fraction(value)
