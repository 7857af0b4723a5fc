"""Reading payment QR codes of GOST R 56042-2014 (domain.md §9) at the cash desk and in the API.

Payload: a 7-character header ``ST0001`` + encoding flag (``1`` Windows-1251, ``2`` UTF-8,
``3`` KOI8-R), then ``key=value`` pairs, each preceded by the separator (conventionally ``|``).
``Sum`` is in kopecks, ``PaymPeriod`` names the month, ``PersAcc`` is the payer's ЛС.

Reading is not building.  A scanned code was printed by someone else, and real receipts bend
the standard: keys in any case (``persAcc``), periods as ``0926`` or ``Март, 2021 г.``, keys
the standard does not know, a trailing ``\\r\\n``, bank requisites that fail a control key.
Such a code still gives the cashier the account, period and sum; every defect becomes a
warning (:class:`~raschet.domain.errors.Problem`) and every unknown key is kept aside.  Where
money is at stake nothing is guessed: a ``Sum`` that is not whole kopecks, a key written twice
with different values or a look-alike key (Cyrillic «С» for Latin "C") gives no value, with a
warning that says what to enter by hand.  Only a payload that is not a GOST R 56042 code at
all is refused (:class:`QrError`).  Building our own codes is strict: see :mod:`.qr_build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from raschet.domain.errors import Problem
from raschet.domain.identifiers import IdentifierError, validate_bank_requisites, validate_bic
from raschet.domain.money import from_kopecks
from raschet.domain.periods import Period
from raschet.exchange.problems import exchange_problem
from raschet.exchange.qr_build import build_payment_qr, check_key, payment_qr_bytes
from raschet.exchange.qr_text import (
    ENCODINGS,
    REQUIRED_KEYS,
    QrError,
    canonical_key,
    decode_bytes,
    imitated_key,
    read_period,
    repair_text,
    strip_prefix,
    strip_text_prefix,
)

HEADER = "ST0001"
SEPARATOR = "|"
MAX_SUM_DIGITS = 18
# What a scanner appends after the last field: line ends, NULs, spaces.
_TRAILING = "\r\n\x00\t "


@dataclass(frozen=True)
class QrPayment:
    """A decoded payment code.

    ``fields`` keeps every standard ``(key, value)`` pair in payload order, keys in the standard's
    spelling; ``unknown`` the pairs whose key the standard does not know, as written;
    ``warnings`` every defect found, in payload order.
    """

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
    unknown: tuple[tuple[str, str], ...] = ()
    warnings: tuple[Problem, ...] = ()
    encoding: str = "utf-8"

    def get(self, key: str, default: str = "") -> str:
        wanted = canonical_key(key) or key
        return next((value for k, value in self.fields if k == wanted), default)


def parse_payment_qr(payload: str | bytes) -> QrPayment:
    """Decode a scanned payload (text, or raw bytes decoded by the header's encoding flag)."""
    text, encoding, warnings = _decode(payload)
    text = text.rstrip(_TRAILING)
    if len(text) < 8 or text[:6].upper() != HEADER or text[6] not in ENCODINGS:
        raise QrError(
            f"Это не платёжный QR-код ГОСТ Р 56042-2014: строка должна начинаться с ST0001 и "
            f"признака кодировки 1, 2 или 3 (например, ST00012|), получено «{text[:8]}»."
        )
    if text[7].isalnum():
        raise QrError(
            f"После заголовка {text[:7]} должен стоять разделитель реквизитов (обычно «|»), получено "
            f"«{text[7]}»: строка QR-кода повреждена, отсканируйте код ещё раз."
        )
    fields, unknown = _pairs(text[8:], text[7], warnings)
    return _payment(dict(fields), tuple(fields), tuple(unknown), warnings, encoding)


def _decode(payload: str | bytes) -> tuple[str, str, list[Problem]]:
    """The payload as text, the encoding its bytes were in, and a warning if it had to be repaired."""
    if isinstance(payload, bytes):
        text, encoding, note = decode_bytes(strip_prefix(payload))
    else:
        text = strip_text_prefix(payload)
        declared = ENCODINGS.get(text[6:7], "utf-8")
        text, encoding, note = repair_text(text)
        encoding = encoding or declared
    warnings = [exchange_problem("qr_encoding", "payload", note=note)] if note else []
    return text, encoding, warnings


def _pairs(
    body: str, separator: str, warnings: list[Problem]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Standard pairs (a key written twice with different values is dropped) and the unknown ones."""
    values: dict[str, list[str]] = {}
    unknown: list[tuple[str, str]] = []
    for part in body.split(separator):
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals:
            if key:  # an empty fragment is a doubled or trailing separator
                warnings.append(exchange_problem("qr_fragment", "payload", fragment=part.strip()[:60]))
            continue
        standard = canonical_key(key)
        if standard is not None:
            values.setdefault(standard, []).append(value)
            continue
        unknown.append((key, value))
        imitated = imitated_key(key)
        code = "qr_lookalike_key" if imitated else "qr_unknown_key"
        warnings.append(exchange_problem(code, key, key=key, known=imitated, value=value[:60]))
    fields = []
    for key, written in values.items():
        if len(set(written)) > 1:
            listed = ", ".join(f"«{v}»" for v in dict.fromkeys(written))
            warnings.append(exchange_problem("qr_duplicate_key", key, key=key, values=listed))
            continue
        fields.append((key, written[0]))
    return fields, unknown


def _payment(
    found: dict[str, str],
    fields: tuple[tuple[str, str], ...],
    unknown: tuple[tuple[str, str], ...],
    warnings: list[Problem],
    encoding: str,
) -> QrPayment:
    missing = [key for key in REQUIRED_KEYS if not found.get(key)]
    if missing:
        warnings.append(exchange_problem("qr_missing_keys", "payload", keys=", ".join(missing)))
    else:
        warnings.extend(bank_warnings(found["BIC"], found["PersonalAcc"], found["CorrespAcc"]))
    period_text = found.get("PaymPeriod", "")
    period = read_period(period_text) if period_text else None
    if period_text and period is None:
        warnings.append(exchange_problem("qr_invalid_period", "PaymPeriod", value=period_text))
    return QrPayment(
        name=found.get("Name", ""),
        personal_acc=found.get("PersonalAcc", ""),
        bank_name=found.get("BankName", ""),
        bic=found.get("BIC", ""),
        corresp_acc=found.get("CorrespAcc", ""),
        amount=_sum(found["Sum"], warnings) if found.get("Sum") else None,
        account=found.get("PersAcc", ""),
        period=period,
        purpose=found.get("Purpose", ""),
        payee_inn=found.get("PayeeINN", ""),
        kpp=found.get("KPP", ""),
        fields=fields,
        unknown=unknown,
        warnings=tuple(warnings),
        encoding=encoding,
    )


def bank_warnings(bic: str, account: str, corresp: str) -> list[Problem]:
    """The payee's bank requisites checked together; a failure is a warning when reading."""
    try:
        validate_bic(bic)
        validate_bank_requisites(bic, account, corresp)
    except IdentifierError as error:
        return [exchange_problem("qr_bank_requisites", error.kind, reason=str(error))]
    return []


def _sum(text: str, warnings: list[Problem]) -> Decimal | None:
    if text.isascii() and text.isdigit() and len(text) <= MAX_SUM_DIGITS:
        return from_kopecks(int(text))
    warnings.append(exchange_problem("qr_invalid_sum", "Sum", value=text[:40]))
    return None


__all__ = [
    "HEADER",
    "SEPARATOR",
    "QrError",
    "QrPayment",
    "bank_warnings",
    "build_payment_qr",
    "check_key",
    "parse_payment_qr",
    "payment_qr_bytes",
]
