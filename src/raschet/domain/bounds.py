"""The bounds of every number and text that enters Raschet, declared once.

Each :class:`Bound` carries the limits of its database column (``max_digits``, ``places``) and of
common sense (``minimum``, ``maximum``), and the engine's: it keeps volumes, tariffs, norms and
shares in 10⁻⁶ and areas in 10⁻⁴ as Int64 (``raschet.engine.fixed``), so no value may have more
decimals than its column or exceed about 9·10¹²; and SQLite keeps numerics as 8-byte floats, where
only 15 significant digits survive, so no bound has more (:data:`SIGNIFICANT_DIGITS`).  The scenario checker and loader, the bank
registries, the API and the forms all check through :meth:`Bound.read`, so a file that passes the
check always loads, and a value is refused, never rounded or truncated on the way in.

Numbers arrive as text in plain notation only: an optional minus, ASCII digits grouped by spaces
if one likes, one decimal separator (a comma or a dot).  ``1e3``, ``1_000.00``, full-width digits,
``NaN`` and ``Infinity`` are refused, although Python's ``Decimal`` would take them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

_PLAIN = re.compile(r"-?[0-9]+(?:[ \u00a0\u202f][0-9]{3})*(?:[.,][0-9]+)?")
_SPACES = str.maketrans("", "", " \u00a0\u202f")

# The years a date or a period may have anywhere (domain.periods.Period keeps the same range).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2200, 12, 31)
# Payments and readings from real-time sources (cash desk, API, registries) may not be dated
# further ahead than this many days (a bank in another time zone may date tomorrow).
DEFAULT_FUTURE_DAYS = 3


def parse_plain(value: object) -> Decimal:
    """A number from JSON, a form or a file, in plain notation; ``ValueError`` (Russian) otherwise."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("ожидается число в виде текста, например 1234,50")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN и бесконечность не являются числами")
        return value
    if not isinstance(value, str):
        raise ValueError("ожидается число, например 1234,50")
    text = value.strip()
    if not _PLAIN.fullmatch(text):
        raise ValueError("ожидается число вида 1234,50 (цифры 0–9, один десятичный разделитель; "
                         "без степени «e», подчёркиваний и других символов)")
    return Decimal(text.translate(_SPACES).replace(",", "."))


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent if value else 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class Bound:
    """Limits of one kind of number: ``places`` decimals at most, ``minimum``..``maximum`` inclusive
    (``above_minimum``: strictly above the minimum)."""

    label: str
    places: int
    minimum: Decimal
    maximum: Decimal
    max_digits: int  # of the database column; maximum < 10 ** (max_digits - places)
    above_minimum: bool = False
    integer: bool = False

    def reason(self, number: Decimal) -> str | None:
        """Why ``number`` is out of bounds (Russian), or ``None``."""
        if self.integer and number != number.to_integral_value():
            return "ожидается целое число"
        if decimals(number) > self.places:
            return (f"не больше {self.places} знаков после запятой (значение не округляется: "
                    "укажите его точно)" if self.places else "ожидается целое число")
        low = self.minimum
        if number < low or (self.above_minimum and number == low):
            relation = "больше" if self.above_minimum else "не меньше"
            return f"{self.label}: должно быть {relation} {_text(low)}"
        if number > self.maximum:
            return f"{self.label}: должно быть не больше {_text(self.maximum)}"
        return None

    def read(self, value: object) -> tuple[Decimal | None, str]:
        """``(number, "")`` when ``value`` is a plain number within bounds, else ``(None, reason)``."""
        try:
            number = parse_plain(value)
        except ValueError as error:
            return None, str(error)
        reason = self.reason(number)
        return (None, reason) if reason else (number, "")


def _text(number: Decimal) -> str:
    return f"{number:,f}".replace(",", " ")


SIGNIFICANT_DIGITS = 15


def _bound(label: str, places: int, minimum: str, maximum: str, max_digits: int, **flags: bool) -> Bound:
    bound = Bound(label, places, Decimal(minimum), Decimal(maximum), max_digits, **flags)
    assert bound.maximum < 10 ** (max_digits - places), label  # common sense within the column
    assert len(str(int(abs(bound.maximum)))) + places <= SIGNIFICANT_DIGITS, label  # what SQLite keeps exactly
    return bound


# Money: NUMERIC(14, 2).
PAYMENT_AMOUNT = _bound("сумма платежа", 2, "0", "999999999.99", 14, above_minimum=True)
FEE = _bound("комиссия", 2, "0", "999999999.99", 14)
REGISTRY_TOTAL = _bound("итог реестра", 2, "0", "9999999999.99", 14)
OPENING_BALANCE = _bound("входящее сальдо", 2, "-999999999.99", "999999999.99", 14)
# Areas: NUMERIC(14, 4), the engine keeps 10⁻⁴.
PREMISES_AREA = _bound("площадь помещения, м²", 4, "0", "100000", 14, above_minimum=True)
BUILDING_AREA = _bound("площадь дома, м²", 4, "0", "10000000", 14, above_minimum=True)
COMMON_AREA = _bound("площадь общего имущества, м²", 4, "0", "10000000", 14)
# Rates: NUMERIC(20, 6), the engine keeps 10⁻⁶.
TARIFF = _bound("тариф, ₽ за единицу", 6, "0", "1000000", 20)
NORM = _bound("норматив в месяц", 6, "0", "100000", 20)
SHARE = _bound("доля в помещении", 6, "0", "1", 9, above_minimum=True)
KEY_RATE = _bound("ключевая ставка, %", 4, "0", "100", 7)
RESIDENTS = _bound("число проживающих", 0, "0", "9999", 5, integer=True)
# Readings: NUMERIC(22, 7) and GIS ЖКХ's 15 integer digits, but the engine keeps 10⁻⁶ and SQLite
# 15 significant digits: 9 integer digits (a register of 9) with 6 decimals.
READING = _bound("показание", 6, "0", "999999999.999999", 22)
METER_DIGITS = _bound("разрядность прибора", 0, "1", "9", 5, integer=True)
EXCESS_HOURS = _bound("часов сверх допустимого", 2, "0", "10000", 8, above_minimum=True)
PERCENT_PER_HOUR = _bound("снижение за час, %", 4, "0", "99", 6)
INCREASING_FACTOR = _bound("повышающий коэффициент", 4, "0", "100", 8)

# Texts: the max_length of their database columns (tests compare them with the models).
TEXT_LENGTH: dict[str, int] = {
    "organization.code": 40, "organization.name": 300, "organization.inn": 12, "organization.kpp": 9,
    "organization.ogrn": 15, "organization.bank_name": 200, "organization.bic": 9,
    "organization.settlement_account": 20, "organization.corr_account": 20,
    "service.code": 40, "service.name": 200,
    "building.code": 40, "building.address": 300,
    "premises.number": 20,
    "account.number": 30, "account.els": 10, "account.payer": 200, "account.phone": 20,
    "meter.code": 40, "meter.serial": 40,
    "absence.reason": 200, "interruption.reason": 300, "legal_basis": 300,
    "payment.operation_id": 120, "payment.account_text": 40, "payment.payer": 200, "payment.address": 300,
}


def text_reason(kind: str, value: str) -> str | None:
    limit = TEXT_LENGTH[kind]
    return f"не длиннее {limit} символов (указано {len(value)})" if len(value) > limit else None


def future_limit(today: date, days: int = DEFAULT_FUTURE_DAYS) -> date:
    """The last date a payment or reading from a real-time source may carry."""
    return today + timedelta(days=days)


def date_reason(value: date, today: date | None = None, days: int = DEFAULT_FUTURE_DAYS) -> str | None:
    """Why a date is refused: outside 1900–2200, or (with ``today``) beyond the future horizon."""
    if not FIRST_DATE <= value <= LAST_DATE:
        return f"дата должна быть между {FIRST_DATE:%d.%m.%Y} и {LAST_DATE:%d.%m.%Y}"
    if today is not None and value > future_limit(today, days):
        return (f"дата {value:%d.%m.%Y} в будущем: позже {future_limit(today, days):%d.%m.%Y} "
                "(сегодня и ещё {days} дн.) не принимается").replace("{days}", str(days))
    return None
