"""Russian words for figures: plural forms («12 расчётных периодов»), money as Russians write it
(«1 234,56»), months by name («март 2026»). Pure functions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь"]
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]
THIN = "\u00a0"  # a no-break space between thousands, so a sum never breaks across lines


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """The form for ``count``: 1 лицевой счёт, 2 лицевых счёта, 5 лицевых счетов, 11 … 14 — many."""
    count = abs(int(count))
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def plural(count: int, one: str, few: str, many: str) -> str:
    return f"{count} {plural_form(count, one, few, many)}"


def money(amount: Decimal | int | None, *, sign: bool = False) -> str:
    """«1 234,56» (kopecks always shown, HALF_UP); ``sign``: «+1 234,56» for a positive amount."""
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, kopecks = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = THIN.join([whole, *groups]) + "," + (kopecks or "00")
    if value < 0:
        return "−" + text
    return ("+" + text) if sign and value > 0 else text


def number(value: Decimal | int | None, places: int | None = None) -> str:
    """A volume or a reading: decimal comma, trailing zeros dropped unless ``places`` is given."""
    if value is None:
        return "—"
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{value:f}"
    else:
        text = f"{value.normalize():f}" if value != value.to_integral() else f"{value.to_integral():f}"
    return text.replace(".", ",").replace("-", "−")


def month_name(period) -> str:
    """«март 2026» for a Period (or an object with ``year`` and ``month``)."""
    return f"{MONTHS[period.month - 1]} {period.year}"
