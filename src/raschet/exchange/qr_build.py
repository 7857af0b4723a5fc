"""Building payment QR codes of GOST R 56042-2014 for our own documents (the ЕПД): strict everywhere.

A code we print is paid by thousands of people, so every mistake is refused with what to fix:
only the standard's keys in its spelling, required keys first in its order, the maximum lengths,
no value containing ``|``, ``Sum`` as a whole-kopeck ``Decimal``, a period that names a month,
and the payee's BIC, account and correspondent account that agree (treasury payees included).
``ST00012`` (UTF-8) is the default; ``encoding="cp1251"`` writes ``ST00011`` where a bank's
scanners require Windows-1251 (``koi8-r`` writes ``ST00013``), refusing a character that
encoding cannot carry.  :func:`payment_qr_bytes` gives the bytes to put in the symbol.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from raschet.domain.identifiers import IdentifierError, validate_bank_requisites
from raschet.domain.money import to_kopecks
from raschet.domain.periods import Period
from raschet.exchange.qr_text import ENCODINGS, FLAGS, REQUIRED_KEYS, QrError, canonical_key, read_period

HEADER = "ST0001"
SEPARATOR = "|"
MAX_LENGTHS = {
    "Name": 160,
    "BankName": 45,
    "Purpose": 210,
    "PayeeINN": 12,
    "PayerINN": 12,
    "KPP": 9,
    "Sum": 18,
}


def build_payment_qr(fields: dict[str, Any], *, encoding: str = "utf-8") -> str:
    """Write a ``ST0001<flag>|…`` payload; required keys first, in the standard's order.

    ``Sum`` must be a ``Decimal`` in roubles (written in kopecks), ``PaymPeriod`` a ``Period`` or
    ``MMYYYY`` text; every other value is text.  Encode the result with :func:`payment_qr_bytes`.
    """
    if encoding not in FLAGS:
        raise QrError(
            f"Кодировка QR-кода «{encoding}» не предусмотрена ГОСТ Р 56042: utf-8, cp1251 или koi8-r."
        )
    missing = [key for key in REQUIRED_KEYS if not fields.get(key)]
    if missing:
        raise QrError(f"Для QR-кода не хватает обязательных реквизитов: {', '.join(missing)}.")
    written = {key: _value_text(key, fields[key], encoding) for key in fields if fields[key] is not None}
    try:
        validate_bank_requisites(written["BIC"], written["PersonalAcc"], written["CorrespAcc"])
    except IdentifierError as error:
        raise QrError(
            f"QR-код не построен: {error}. Исправьте реквизиты получателя (БИК, расчётный и "
            f"корреспондентский счёт) в карточке организации."
        ) from None
    order = list(REQUIRED_KEYS) + [key for key in written if key not in REQUIRED_KEYS]
    return HEADER + FLAGS[encoding] + "".join(f"{SEPARATOR}{key}={written[key]}" for key in order)


def payment_qr_bytes(payload: str) -> bytes:
    """The payload's bytes in the encoding its header's flag names."""
    return payload.encode(ENCODINGS[payload[6]])


def check_key(key: str) -> None:
    """A key we write is one of the standard's, in its spelling; a Cyrillic look-alike is named."""
    foreign = [f"«{c}» ({unicodedata.name(c, '?')} U+{ord(c):04X})" for c in key if not c.isascii()]
    if foreign:
        raise QrError(
            f"Имя реквизита «{key}» содержит нелатинские символы {', '.join(foreign)}: имена реквизитов "
            f"пишутся только латиницей (вероятно, кириллическая буква, похожая на латинскую)."
        )
    standard = canonical_key(key)
    if standard is None:
        raise QrError(f"Реквизит «{key}» не предусмотрен ГОСТ Р 56042-2014: уберите его или исправьте имя.")
    if standard != key:
        raise QrError(f"Реквизит «{key}» пишется как {standard}: исправьте регистр букв.")


def _value_text(key: str, value: Any, encoding: str) -> str:
    check_key(key)
    if key == "Sum":
        text = _sum_text(value)
    elif key == "PaymPeriod" and isinstance(value, Period):
        text = f"{value.month:02d}{value.year:04d}"
    elif isinstance(value, str):
        text = value
    else:
        raise QrError(f"Значение реквизита {key} должно быть строкой, получено {type(value).__name__}.")
    if text != text.strip():
        raise QrError(
            f"Значение реквизита {key} начинается или заканчивается пробелом или переводом строки: "
            f"уберите их (при чтении кода они отбрасываются)."
        )
    if SEPARATOR in text:
        raise QrError(
            f"Значение реквизита {key} содержит «|», который в QR-коде разделяет реквизиты: уберите его."
        )
    if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
        raise QrError(f"Значение реквизита {key} длиннее {MAX_LENGTHS[key]} символов ({len(text)}).")
    if key == "PaymPeriod" and not (len(text) == 6 and text.isdigit() and read_period(text)):
        raise QrError(f"Период PaymPeriod=«{text}» должен иметь вид ММГГГГ, например 032026.")
    _check_encodable(key, text, encoding)
    return text


def _sum_text(value: Any) -> str:
    if not isinstance(value, Decimal):
        raise QrError(f"Sum должна быть Decimal в рублях, получено {value!r}: сумма пишется в копейках сама.")
    try:
        kopecks = to_kopecks(value)
    except ValueError as error:
        raise QrError(f"Sum: {error}") from None
    if value < 0:
        raise QrError(f"Sum не может быть отрицательной, получено {value}.")
    return str(kopecks)


def _check_encodable(key: str, text: str, encoding: str) -> None:
    try:
        text.encode(encoding)
    except UnicodeEncodeError as error:
        char = text[error.start]
        raise QrError(
            f"Значение реквизита {key} содержит символ «{char}» ({unicodedata.name(char, '?')}), которого нет "
            f"в кодировке {encoding}: замените его или постройте код в UTF-8 (ST00012)."
        ) from None
