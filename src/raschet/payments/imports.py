"""Importing a bank registry: parse (refused whole on any bad line), skip what was imported before,
park unknown accounts in suspense, allocate the rest, record the readings — in one transaction.

The same file twice is recognised by its SHA-256 and adds nothing; a payment already imported from
another file is recognised by its channel and operation id and counted as a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from raschet.billing.locks import ensure_periods, retry_on_conflict
from raschet.bulk import Tables, write_tables
from raschet.domain.errors import ProblemsError, problem
from raschet.exchange import ParsedRegistry
from raschet.housing.models import Account
from raschet.metering.models import Meter, Reading
from raschet.payments.models import Payment, PaymentRegistry, PaymentSource, PaymentState
from raschet.payments.services import (
    Codes,
    PaymentToAllocate,
    allocation_rows,
    hold_posting_periods,
    last_closed_period,
    lock_accounts,
    posting_period,
    write_entries,
)

IMPORT_ATTEMPTS = 3
PAYMENT_COLUMNS = ("account_id", "registry_id", "source", "channel", "operation_id", "paid_on", "amount", "fee",
                   "named_period", "account_text", "payer", "address", "state", "moved_from_id", "created_at")


@dataclass
class ImportSummary:
    registry: PaymentRegistry | None
    already_imported: bool = False
    imported: int = 0
    amount: Decimal = Decimal(0)
    duplicates: int = 0
    suspense: int = 0
    readings: int = 0
    unknown_meters: int = 0

    def text(self) -> str:
        if self.already_imported:
            return f"Реестр уже загружен ранее ({self.registry.source}, {self.registry.imported_at:%d.%m.%Y %H:%M}); " \
                   "ничего не добавлено."
        return (f"Загружено платежей: {self.imported} на {self.amount} ₽; повторов: {self.duplicates}; "
                f"невыясненных: {self.suspense}; показаний: {self.readings}"
                + (f" (не найдено приборов: {self.unknown_meters})" if self.unknown_meters else "") + ".")


def import_registry(parsed: ParsedRegistry, *, channel: str, user=None,
                    progress: Callable[[str], None] | None = None) -> ImportSummary:
    """Import a parsed registry; the whole file or nothing. No table is locked: the cash desk and the
    API go on writing while a registry of 200,000 lines is imported (``billing.locks``)."""
    with transaction.atomic():  # a short transaction: rows of the posting periods to lock
        ensure_periods(posting_period(day, last_closed_period()) for day in {p.paid_on for p in parsed.payments})
    for attempt in range(IMPORT_ATTEMPTS):
        try:
            return _import_once(parsed, channel, user, progress or (lambda _stage: None))
        except IntegrityError as error:
            # Another import committed the same payments (or the same file) while this one waited:
            # once more, and they are seen as duplicates.
            if getattr(error.__cause__, "sqlstate", None) != "23505" or attempt == IMPORT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@retry_on_conflict
@transaction.atomic
def _import_once(parsed: ParsedRegistry, channel: str, user, progress: Callable[[str], None]) -> ImportSummary:
    earlier = PaymentRegistry.objects.filter(sha256=parsed.sha256).first()
    if earlier is not None:
        return ImportSummary(earlier, already_imported=True)
    hold_posting_periods({p.paid_on for p in parsed.payments})  # the lock order: periods, then accounts
    return _import(parsed, channel, user, progress)


def _import(parsed: ParsedRegistry, channel: str, user, progress: Callable[[str], None]) -> ImportSummary:
    registry = PaymentRegistry.objects.create(
        source=parsed.source, format=parsed.format, sha256=parsed.sha256, channel=channel, imported_by=user,
        payment_order=(parsed.payment_order or ("", None))[0] or "",
        payment_order_date=(parsed.payment_order or ("", None))[1])
    numbers = {p.account for p in parsed.payments}
    accounts = dict(Account.objects.filter(number__in=numbers).values_list("number", "id")) if len(numbers) < 30000 \
        else {n: i for n, i in Account.objects.values_list("number", "id") if n in numbers}
    lock_accounts(list(accounts.values()))
    # Read after the account locks: a concurrent import of the same payments has committed by now.
    seen = set(Payment.objects.filter(channel=channel, operation_id__in=[p.operation_id for p in parsed.payments])
               .values_list("operation_id", flat=True)) if len(parsed.payments) < 30000 else \
        _known_operations(channel, {p.operation_id for p in parsed.payments})
    progress("платежи")
    summary, tables, items, fresh = ImportSummary(registry), Tables(), [], []
    now = timezone.now()
    for line in parsed.payments:
        if line.operation_id in seen:
            summary.duplicates += 1
            continue
        seen.add(line.operation_id)
        account_id = accounts.get(line.account)
        state = PaymentState.ALLOCATED if account_id else PaymentState.SUSPENSE
        payment_id = tables.add(Payment, PAYMENT_COLUMNS, account_id, registry.id, PaymentSource.REGISTRY, channel,
                                line.operation_id, line.paid_on, line.amount, line.fee,
                                str(line.period or ""), line.account, line.payer, line.address, state, None, now)
        summary.imported += 1
        summary.amount += line.amount
        if account_id:
            items.append(PaymentToAllocate(payment_id, account_id, line.paid_on, line.amount, line.period))
            fresh.append((account_id, line))
        else:
            summary.suspense += 1
    write_tables(tables)
    progress("распределение")
    write_entries(allocation_rows(items, Codes.load()))
    progress("показания")
    summary.readings, summary.unknown_meters = _record_readings(fresh)
    PaymentRegistry.objects.filter(pk=registry.pk).update(
        payments=summary.imported, total=summary.amount, duplicates=summary.duplicates, suspense=summary.suspense,
        readings=summary.readings)
    registry.refresh_from_db()
    return summary


def _known_operations(channel: str, operations: set[str]) -> set[str]:
    known = Payment.objects.filter(channel=channel).values_list("operation_id", flat=True).iterator(chunk_size=20000)
    return {op for op in known if op in operations}


def _record_readings(fresh: list[tuple[int, object]]) -> tuple[int, int]:
    """Readings in registry lines become readings with source "registry" dated on the payment day;
    a reading already entered for that day and meter is kept."""
    wanted = [(account_id, line) for account_id, line in fresh if line.readings]
    if not wanted:
        return 0, 0
    meters: dict[tuple[int, str], int] = {}
    for meter_id, account_id, code, serial in Meter.objects.filter(
            account_id__in={a for a, _ in wanted}, removed__isnull=True).values_list("id", "account_id", "code", "serial"):
        meters[(account_id, code)] = meter_id
        if serial:
            meters.setdefault((account_id, serial), meter_id)
    tables = Tables()
    taken = set(Reading.objects.filter(meter_id__in=set(meters.values())).values_list("meter_id", "date"))
    now, unknown = timezone.now(), 0
    for account_id, line in wanted:
        for code, value in line.readings:
            meter_id = meters.get((account_id, code))
            if meter_id is None:
                unknown += 1
                continue
            if (meter_id, line.paid_on) in taken:
                continue
            taken.add((meter_id, line.paid_on))
            tables.add(Reading, ("meter_id", "date", "zone", "value", "source", "entered_by_id", "entered_at"),
                       meter_id, line.paid_on, "total", value, "registry", None, now)
    write_tables(tables)
    return tables.count(Reading), unknown


def refuse(source: str, reason: str) -> ProblemsError:
    return ProblemsError([problem("invalid_file", source, reason=reason)])
