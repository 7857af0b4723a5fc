"""Payment QR codes of GOST R 56042-2014 (domain.md §9): read at the cash desk, written on the ЕПД.

Payload: a 7-character header ``ST0001`` + encoding flag (``1`` Windows-1251, ``2`` UTF-8,
``3`` KOI8-R), then ``key=value`` pairs, each preceded by the separator (conventionally ``|``).
Keys are Latin and case-sensitive; ``Name``, ``PersonalAcc``, ``BankName``, ``BIC`` and
``CorrespAcc`` are required.  ``Sum`` is in kopecks, ``PaymPeriod`` is ``MMYYYY``, ``PersAcc``
is the payer's ЛС.

Reading is tolerant where the standard is (any separator after the header, any key order, no
length limits enforced: the payer's code was printed by someone else), and strict where a
mistake sends money astray: non-ASCII look-alike keys (Cyrillic «С» for Latin "C"), a ``Sum``
that is not whole kopecks, a BIC, settlement or correspondent account that fails its control
key.  Writing is strict everywhere: required keys first in the standard's order, the maximum
lengths, no value containing ``|``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from raschet.domain.identifiers import (
    IdentifierError,
    validate_bic,
    validate_corr_account,
    validate_settlement_account,
)
from raschet.domain.money import from_kopecks, to_kopecks
from raschet.domain.periods import Period

HEADER = "ST0001"
ENCODINGS = {"1": "cp1251", "2": "utf-8", "3": "koi8-r"}
SEPARATOR = "|"
REQUIRED_KEYS = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
MAX_LENGTHS = {
    "Name": 160,
    "BankName": 45,
    "Purpose": 210,
    "PayeeINN": 12,
    "PayerINN": 12,
    "KPP": 9,
    "Sum": 18,
}


class QrError(ValueError):
    """The payload is not a usable GOST R 56042 payment code; the message says why, in Russian."""


@dataclass(frozen=True)
class QrPayment:
    """A decoded payment code; ``fields`` keeps every ``(key, value)`` pair in payload order."""

    name: str
    personal_acc: str
    bank_name: str
    bic: str
    corresp_acc: str
    amount: Decimal | None
    account: str
    period: Period | None
    purpose: str
    payee_inn: str
    kpp: str
    fields: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str = "") -> str:
        return next((value for k, value in self.fields if k == key), default)


def parse_payment_qr(payload: str | bytes) -> QrPayment:
    """Decode a scanned payload (text, or raw bytes decoded by the header's encoding flag)."""
    text = _decode(payload)
    if len(text) < 8 or not text.startswith(HEADER) or text[6] not in ENCODINGS:
        raise QrError(
            f"Это не платёжный QR-код ГОСТ Р 56042-2014: строка должна начинаться с ST0001 и "
            f"признака кодировки 1, 2 или 3 (например, ST00012|), получено «{text[:8]}»."
        )
    fields = _pairs(text[8:], text[7])
    found = dict(fields)
    missing = [key for key in REQUIRED_KEYS if not found.get(key)]
    if missing:
        raise QrError(f"В QR-коде нет обязательных реквизитов: {', '.join(missing)}.")
    _check_bank(found["BIC"], found["PersonalAcc"], found["CorrespAcc"])
    return QrPayment(
        name=found["Name"],
        personal_acc=found["PersonalAcc"],
        bank_name=found["BankName"],
        bic=found["BIC"],
        corresp_acc=found["CorrespAcc"],
        amount=_sum(found["Sum"]) if "Sum" in found else None,
        account=found.get("PersAcc", ""),
        period=_period(found["PaymPeriod"]) if found.get("PaymPeriod") else None,
        purpose=found.get("Purpose", ""),
        payee_inn=found.get("PayeeINN", ""),
        kpp=found.get("KPP", ""),
        fields=tuple(fields),
    )


def _decode(payload: str | bytes) -> str:
    if isinstance(payload, str):
        return payload
    flag = payload[6:7].decode("ascii", errors="replace")
    encoding = ENCODINGS.get(flag, "utf-8")
    try:
        return payload.decode(encoding)
    except UnicodeDecodeError:
        raise QrError(f"Данные QR-кода не читаются в кодировке {encoding}, указанной в заголовке.") from None


def _pairs(body: str, separator: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in body.split(separator):
        if not part:
            continue  # a trailing separator
        key, equals, value = part.partition("=")
        if not equals:
            raise QrError(f"Фрагмент «{part}» не имеет вида реквизит=значение.")
        check_key(key)
        if any(k == key for k, _ in pairs):
            raise QrError(f"Реквизит {key} встречается в QR-коде дважды.")
        pairs.append((key, value))
    return pairs


def check_key(key: str) -> None:
    """Keys are Latin letters and digits; a Cyrillic look-alike («С» for "C") is named in the error."""
    if key.isascii() and key.isalnum():
        return
    foreign = [
        f"«{c}» ({unicodedata.name(c, '')} U+{ord(c):04X})".replace("( ", "(") for c in key if not c.isascii()
    ]
    if foreign:
        raise QrError(
            f"Имя реквизита «{key}» содержит нелатинские символы {', '.join(foreign)}: имена реквизитов "
            f"пишутся только латиницей (вероятно, кириллическая буква, похожая на латинскую)."
        )
    raise QrError(f"Имя реквизита «{key}» должно состоять из латинских букв и цифр.")


def _check_bank(bic: str, account: str, corresp: str) -> None:
    try:
        validate_bic(bic)
        validate_settlement_account(account, bic)
        if corresp != "0":
            validate_corr_account(corresp, bic)
    except IdentifierError as error:
        raise QrError(f"Неверные банковские реквизиты в QR-коде: {error}") from None
    if corresp != "0" and corresp[-3:] != bic[-3:]:
        raise QrError(
            f"Корреспондентский счёт {corresp} не соответствует БИК {bic}: последние три цифры "
            f"должны совпадать."
        )


def _sum(text: str) -> Decimal:
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_LENGTHS["Sum"]:
        raise QrError(
            f"Сумма Sum=«{text}» должна быть целым числом копеек без разделителей (5230,45 ₽ — 523045)."
        )
    return from_kopecks(int(text))


def _period(text: str) -> Period:
    if len(text) == 6 and text.isascii() and text.isdigit():
        try:
            return Period(int(text[2:]), int(text[:2]))
        except ValueError:
            pass
    raise QrError(f"Период PaymPeriod=«{text}» должен иметь вид ММГГГГ, например 032026.")


def build_payment_qr(fields: dict[str, Any]) -> str:
    """Write a ``ST00012|…`` payload (encode it as UTF-8); required keys first, in the standard's order.

    ``Sum`` must be a ``Decimal`` in roubles (written in kopecks), ``PaymPeriod`` a ``Period`` or
    ``MMYYYY`` text; every other value is text.
    """
    missing = [key for key in REQUIRED_KEYS if not fields.get(key)]
    if missing:
        raise QrError(f"Для QR-кода не хватает обязательных реквизитов: {', '.join(missing)}.")
    written = {key: _value_text(key, fields[key]) for key in fields if fields[key] is not None}
    _check_bank(written["BIC"], written["PersonalAcc"], written["CorrespAcc"])
    order = list(REQUIRED_KEYS) + [key for key in written if key not in REQUIRED_KEYS]
    return HEADER + "2" + "".join(f"{SEPARATOR}{key}={written[key]}" for key in order)


def _value_text(key: str, value: Any) -> str:
    check_key(key)
    if key == "Sum":
        if not isinstance(value, Decimal):
            raise QrError(
                f"Sum должна быть Decimal в рублях, получено {value!r}: сумма пишется в копейках сама."
            )
        try:
            text = str(to_kopecks(value))
        except ValueError as error:
            raise QrError(f"Sum: {error}") from None
        if value < 0:
            raise QrError(f"Sum не может быть отрицательной, получено {value}.")
    elif key == "PaymPeriod" and isinstance(value, Period):
        text = f"{value.month:02d}{value.year:04d}"
    elif isinstance(value, str):
        text = value
    else:
        raise QrError(f"Значение реквизита {key} должно быть строкой, получено {type(value).__name__}.")
    if SEPARATOR in text:
        raise QrError(
            f"Значение реквизита {key} содержит «|», который в QR-коде разделяет реквизиты: уберите его."
        )
    if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
        raise QrError(f"Значение реквизита {key} длиннее {MAX_LENGTHS[key]} символов ({len(text)}).")
    if key == "PaymPeriod":
        _period(text)
    return text
