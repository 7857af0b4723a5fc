"""Bank payment registries: the data model and the Sberbank-style text registry (domain.md §10).

Every format (text, DBF, CSV/XLSX) is turned into the same immutable :class:`ParsedRegistry`
of :class:`RegistryPayment` records.  A registry is all or nothing: one malformed field, an
unreconciled footer or a line whose paid amount is not transferred + fee refuses the whole file
with a :class:`~raschet.domain.errors.ProblemsError` listing every problem, each pointing at
``"<source>:<line>"``, because the totals of a partially imported file would no longer match the
bank's payment order.

Text registry line (fields separated by ``;``)::

    DD-MM-YYYY;HH-MM-SS;branch;terminal;account;payer;address;MMYY;paid;transferred;fee[;meter;value...]
    =count;total_paid;total_transferred;total_fee;order_no;order_date(DD-MM-YYYY)

Operation ids: the text format has no bank operation id, so :class:`OperationIds` derives one from
date, time, branch, terminal, account and amount plus the ordinal of the line among identical
lines; the same bytes always give the same ids, and two identical payments on one day differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from raschet.domain import bounds
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.money import format_money
from raschet.domain.periods import Period
from raschet.exchange.encodings import ENCODINGS, Decoded, decode
from raschet.exchange.fields import FieldReader
from raschet.exchange.units import in_roubles

ZERO = Decimal("0.00")
SBER_MIN_FIELDS = 11
# Field labels as the bank's specification numbers them, so a message points at the column.
SBER_LABELS = {
    "paid_on": "дата платежа (поле 1)",
    "paid_at_time": "время платежа (поле 2)",
    "branch": "отделение (поле 3)",
    "terminal": "терминал (поле 4)",
    "account": "лицевой счёт (поле 5)",
    "payer": "плательщик (поле 6)",
    "address": "адрес (поле 7)",
    "period": "период (поле 8)",
    "amount": "оплачено (поле 9)",
    "transferred": "перечислено (поле 10)",
    "fee": "комиссия (поле 11)",
}
FOOTER_LABELS = ("количество платежей", "оплачено", "перечислено", "комиссия")


@dataclass(frozen=True, slots=True)
class RegistryPayment:
    """One accepted payment as the bank reported it; ``account`` is the ЛС exactly as written."""

    line: int
    paid_on: date
    paid_at_time: str
    branch: str
    terminal: str
    account: str
    payer: str
    address: str
    period: Period | None
    amount: Decimal
    transferred: Decimal
    fee: Decimal
    operation_id: str
    readings: tuple[tuple[str, Decimal], ...] = ()


class RegistryTotals(NamedTuple):
    count: int
    paid: Decimal
    transferred: Decimal
    fee: Decimal


class PaymentOrder(NamedTuple):
    """The bank's payment order (платёжное поручение) that credits the registry's total."""

    number: str
    date: date | None


@dataclass(frozen=True)
class ParsedRegistry:
    """A whole registry file that passed every check; ``format`` is "sber", "dbf" or "mapping:NAME"."""

    source: str
    sha256: str
    encoding: str
    format: str
    payments: tuple[RegistryPayment, ...]
    totals: RegistryTotals
    payment_order: PaymentOrder | None = None
    encoding_how: str = ""  # "указана", "определена автоматически", …: said in the import summary

    def encoding_text(self) -> str:
        """"кодировка koi8-r (определена автоматически)" for the import summary."""
        return f"кодировка {self.encoding}" + (f" ({self.encoding_how})" if self.encoding_how else "")


@dataclass(slots=True)
class RawPayment:
    """Field values before conversion; ``None`` means the format has no such field (a default applies)."""

    paid_on: object
    account: str
    amount: object
    paid_at_time: str = ""
    branch: str = ""
    terminal: str = ""
    payer: str = ""
    address: str = ""
    period: str = ""
    transferred: object = None
    fee: object = None
    operation_id: str = ""
    # (meter code, value, label for messages)
    readings: list[tuple[str, object, str]] = field(default_factory=list)


class OperationIds:
    """Stable operation ids for registries that carry none (scheme ``h1``).

    ``h1:<24 hex of blake2b-96(date, time, branch, terminal, account, amount)>:<n>`` where ``n`` is
    the ordinal (1, 2, …) of the payment among identical ones in the file.  The amount is
    normalised to two decimals, so "1500" and "1500,00" give the same id.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def make(
        self, paid_on: date, time: str, branch: str, terminal: str, account: str, amount: Decimal
    ) -> str:
        # str() of an amount with two decimals is plain notation ("1500.00"), never "1.5E+3".
        key = f"{paid_on}\x1f{time}\x1f{branch}\x1f{terminal}\x1f{account}\x1f{amount}"
        ordinal = self._seen[key] = self._seen.get(key, 0) + 1
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()
        return f"h1:{digest}:{ordinal}"


def decode_text(data: bytes, source: str, encoding: str | None = None) -> Decoded:
    """Decode a text registry: the declared ``encoding``, else the one the bytes show (see
    :mod:`raschet.exchange.encodings`).  The result says which encoding was used and how it was chosen."""
    try:
        return decode(data, encoding)
    except (UnicodeDecodeError, LookupError) as error:
        where = (
            f"байт 0x{data[error.start]:02x} в позиции {error.start} не читается в кодировке {error.encoding}"
            if isinstance(error, UnicodeDecodeError)
            else f"кодировка «{encoding}» неизвестна"
        )
    reason = (
        f"{where}; укажите кодировку файла: --encoding {', '.join(ENCODINGS)} (или «encoding» в шаблоне "
        f"реестра)"
    )
    raise ProblemsError([problem("invalid_file", source, reason=reason)])


def compute_totals(payments: Iterable[RegistryPayment]) -> RegistryTotals:
    count, paid, transferred, fee = 0, ZERO, ZERO, ZERO
    for p in payments:
        count, paid, transferred, fee = count + 1, paid + p.amount, transferred + p.transferred, fee + p.fee
    return RegistryTotals(count, paid, transferred, fee)


def build_payment(
    reader: FieldReader,
    ids: OperationIds,
    raw: RawPayment,
    line: int,
    subject: str,
    labels: dict[str, str],
    *,
    kopecks: bool = False,
) -> RegistryPayment | None:
    """Convert one record's fields; ``None`` (with problems recorded in ``reader``) if any is bad.

    ``kopecks``: the amounts are written in kopecks and are turned into roubles first.
    """
    before = len(reader.problems)
    if kopecks and not in_roubles(reader, raw, subject, labels):
        return None
    paid_on = reader.date(raw.paid_on, labels["paid_on"], subject)  # type: ignore[arg-type]
    time = reader.time(raw.paid_at_time, labels["paid_at_time"], subject)
    account = raw.account or reader.required(raw.account, labels["account"], subject)
    period = reader.period(raw.period, labels["period"], subject)
    amount = reader.amount(raw.amount, labels["amount"], subject, positive=True)  # type: ignore[arg-type]
    fee = ZERO if raw.fee is None else reader.amount(raw.fee, labels["fee"], subject)  # type: ignore[arg-type]
    transferred = _transferred(reader, raw, amount, fee, subject, labels)
    readings = _readings(reader, raw.readings, subject)
    if len(reader.problems) > before:
        return None
    assert paid_on and account and amount is not None and fee is not None and transferred is not None
    if amount != transferred + fee:
        reader.report(
            "registry_fee_mismatch",
            subject,
            paid=format_money(amount),
            fee=format_money(fee),
            transferred=format_money(transferred),
            total=format_money(transferred + fee),
        )
        return None
    operation_id = raw.operation_id or ids.make(paid_on, time, raw.branch, raw.terminal, account, amount)
    return RegistryPayment(
        line,
        paid_on,
        time,
        raw.branch,
        raw.terminal,
        account,
        raw.payer,
        raw.address,
        period,
        amount,
        transferred,
        fee,
        operation_id,
        readings,
    )


def _transferred(
    reader: FieldReader,
    raw: RawPayment,
    amount: Decimal | None,
    fee: Decimal | None,
    subject: str,
    labels: dict[str, str],
) -> Decimal | None:
    """The transferred amount as written, or paid − fee for formats that do not state it."""
    if raw.transferred is not None:
        return reader.amount(raw.transferred, labels["transferred"], subject)  # type: ignore[arg-type]
    if amount is None or fee is None:
        return None
    if fee > amount:
        reader.report(
            "invalid_value",
            subject,
            value=fee,
            field=labels["fee"],
            reason=f"комиссия больше суммы оплаты {format_money(amount)}.",
        )
        return None
    return amount - fee


def _readings(
    reader: FieldReader, pairs: list[tuple[str, object, str]], subject: str
) -> tuple[tuple[str, Decimal], ...]:
    """Meter readings; a meter code with no value means the payer submitted none and is skipped."""
    readings = []
    for meter, value, label in pairs:
        if value is None or value == "":
            continue
        if not meter:
            reader.report("registry_reading_pair", subject, position=label)
            continue
        readings.append((meter, reader.reading(value, f"показание {meter} ({label})", subject)))  # type: ignore
    return tuple(readings)


def parse_sber(data: bytes, source: str, encoding: str | None = None) -> ParsedRegistry:
    """Parse a Sberbank-style text registry; raise ``ProblemsError`` listing every problem."""
    decoded = decode_text(data, source, encoding)
    text = decoded.text
    reader, ids = FieldReader(), OperationIds()
    payments: list[RegistryPayment] = []
    footer: tuple[int, str] | None = None
    payment_lines = last_line = 0
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        last_line, subject = number, f"{source}:{number}"
        if line[0] == "=" or footer is not None:
            if footer is not None:
                reader.report("registry_extra_footer", subject)
            if line[0] == "=":
                footer = footer or (number, line)
                continue
        payment_lines += 1
        payment = _sber_payment(reader, ids, line, number, subject)
        if payment is not None:
            payments.append(payment)
    order = _check_footer(reader, footer, payment_lines, payments, f"{source}:{last_line + 1}", source)
    if reader.problems:
        raise ProblemsError(reader.problems)
    digest = hashlib.sha256(data).hexdigest()
    return ParsedRegistry(
        source, digest, decoded.encoding, "sber", tuple(payments), compute_totals(payments), order, decoded.how
    )


def _sber_payment(
    reader: FieldReader, ids: OperationIds, line: str, number: int, subject: str
) -> RegistryPayment | None:
    fields = line.split(";")
    if "; " in line or " ;" in line:  # padded fields are rare; stripping every field costs 15 %
        fields = [f.strip() for f in fields]
    if len(fields) < SBER_MIN_FIELDS:
        reader.report("registry_field_count", subject, found=len(fields), expected=SBER_MIN_FIELDS)
        return None
    extra = fields[SBER_MIN_FIELDS:]
    readings = (
        [
            (extra[i], extra[i + 1] if i + 1 < len(extra) else "", f"поля {12 + i}–{13 + i}")
            for i in range(0, len(extra), 2)
        ]
        if extra
        else []
    )
    raw = RawPayment(
        paid_on=fields[0],
        paid_at_time=fields[1],
        branch=fields[2],
        terminal=fields[3],
        account=fields[4],
        payer=fields[5],
        address=fields[6],
        period=fields[7],
        amount=fields[8],
        transferred=fields[9],
        fee=fields[10],
        readings=readings,
    )
    return build_payment(reader, ids, raw, number, subject, SBER_LABELS)


def _check_footer(
    reader: FieldReader,
    footer: tuple[int, str] | None,
    payment_lines: int,
    payments: list[RegistryPayment],
    missing_subject: str,
    source: str,
) -> PaymentOrder | None:
    """Reconcile the footer with the lines; totals are compared only when every line was read."""
    if footer is None:
        reader.report("registry_no_footer", missing_subject)
        return None
    number, line = footer
    subject = f"{source}:{number}"
    fields = [f.strip() for f in line[1:].split(";")] + [""] * 6
    line_problems = bool(reader.problems)
    if not fields[0].isdigit():
        reader.report(
            "invalid_value",
            subject,
            value=fields[0],
            field=FOOTER_LABELS[0],
            reason="ожидается целое число платежей в итоговой строке.",
        )
    elif int(fields[0]) != payment_lines:
        reader.report("registry_count_mismatch", subject, expected=int(fields[0]), found=payment_lines)
    totals = compute_totals(payments)
    for label, text, found in zip(FOOTER_LABELS[1:], fields[1:4], totals[1:], strict=True):
        expected = reader.amount(text, f"итог «{label}»", subject, limit=bounds.REGISTRY_TOTAL)
        if expected is not None and not line_problems and expected != found:
            reader.report(
                "registry_total_mismatch",
                subject,
                total=label,
                expected=format_money(expected),
                found=format_money(found),
            )
    order_date = reader.date(fields[5], "дата платёжного поручения", subject) if fields[5] else None
    return PaymentOrder(fields[4], order_date) if fields[4] or order_date else None
