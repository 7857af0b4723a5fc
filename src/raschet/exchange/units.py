"""Amounts written in kopecks: turned into rouble text before the shared amount reader sees them.

Some banks write ``207050`` for 2 070,50 ₽ (the mapping says ``amount_unit: kopecks``).  The
conversion happens around :meth:`~raschet.exchange.fields.FieldReader.amount`, never inside it,
so every bound and refusal of the amount reader applies to the converted value unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from raschet.exchange.fields import FieldReader


def kopecks_as_roubles(reader: FieldReader, value: object, field: str, subject: str) -> object:
    """A kopeck amount (``"207050"``, ``207050``, ``207050.0``) as rouble text ``"2070.50"``.

    Used around :meth:`FieldReader.amount` for files whose mapping says ``amount_unit: kopecks``;
    a value that is not a whole number of kopecks is reported here and ``None`` is returned.
    """
    if value is None or value == "":
        return value
    number = value.strip() if isinstance(value, str) else value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, Decimal) and number == number.to_integral_value():
        number = int(number)
    if isinstance(number, str) and number.isascii() and number.lstrip("-").isdigit():
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int):
        reason = "суммы в этом реестре указаны в копейках (amount_unit: kopecks): ожидается целое число копеек"
        reader.report("registry_invalid_amount", subject, value=value, field=field, reason=reason)
        return None
    sign, kopecks = ("-" if number < 0 else ""), abs(number)
    separator = reader.decimal or "."  # the separator the reader insists on, if it does
    return f"{sign}{kopecks // 100}{separator}{kopecks % 100:02d}"


def in_roubles(reader: FieldReader, raw: Any, subject: str, labels: dict[str, str]) -> bool:
    """Rewrite the raw amounts from kopecks to roubles in place; False if one is not whole kopecks."""
    ok = True
    for key in ("amount", "transferred", "fee"):
        value = getattr(raw, key)
        converted = kopecks_as_roubles(reader, value, labels[key], subject)
        ok = ok and (converted is not None or value is None)
        setattr(raw, key, converted)
    return ok
