"""Importing a bank registry: parse (refused whole on any bad line), skip what was imported before,
park unknown accounts in suspense, allocate the rest, record the readings — in one transaction.

The same file twice is recognised by its SHA-256 and adds nothing; a payment already imported from
another file is recognised by its content (``raschet.payments.identity``: the bank, operation
number, date, account and amount — never the ``channel`` label) and counted as a duplicate.
A registry dated beyond the future horizon, or whose total does not fit, is refused whole.
Readings go through the one check of ``raschet.metering.services``; a bad one is an error row of
its line (kept on the registry and reported in the summary) while the payment itself is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from raschet import access
from raschet.access import require, user_of
from raschet.billing.locks import ensure_periods, retry_on_conflict
from raschet.bulk import Tables, write_tables
from raschet.domain import bounds
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.exchange import ParsedRegistry
from raschet.housing.models import Account
from raschet.metering.models import Meter, Reading
from raschet.metering.services import ReadingIn, check_readings
from raschet.payments.identity import payment_identity, registry_agent
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
PAYMENT_COLUMNS = ("account_id", "registry_id", "source", "channel", "agent", "operation_id", "identity", "paid_on",
                   "amount", "fee", "named_period", "account_text", "payer", "address", "state", "moved_from_id",
                   "created_at")


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
    problems: list[Problem] = field(default_factory=list)  # refused readings; their payments are taken

    def text(self) -> str:
        if self.already_imported:
            return f"Реестр уже загружен ранее ({self.registry.source}, {self.registry.imported_at:%d.%m.%Y %H:%M}); " \
                   "ничего не добавлено."
        return (f"Загружено платежей: {self.imported} на {self.amount} ₽; повторов: {self.duplicates}; "
                f"невыясненных: {self.suspense}; показаний: {self.readings}"
                + (f" (не найдено приборов: {self.unknown_meters})" if self.unknown_meters else "")
                + f"; показаний отклонено: {len(self.problems)}" + (" (платежи по этим строкам приняты)"
                                                                   if self.problems else "") + ".")


def import_registry(parsed: ParsedRegistry, *, channel: str = "", actor=None,
                    progress: Callable[[str], None] | None = None, today: date | None = None) -> ImportSummary:
    """Import a parsed registry; the whole file or nothing. ``channel`` is only a label. No table is
    locked: the cash desk and the API go on writing while a registry of 200,000 lines is imported
    (``billing.locks``)."""
    actor = require(actor, access.IMPORT_REGISTRY)
    _refuse_out_of_bounds(parsed, today or timezone.localdate())
    user = user_of(actor)
    channel = channel or registry_agent(parsed)
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
    agent = registry_agent(parsed)
    identities = [payment_identity(agent, p.operation_id, p.paid_on, p.account, p.amount) for p in parsed.payments]
    lock_accounts(list(accounts.values()))
    seen = _known_identities(identities)  # read after the account locks: a concurrent import has committed by now
    progress("платежи")
    summary, tables, items, fresh = ImportSummary(registry), Tables(), [], []
    now = timezone.now()
    for line, identity in zip(parsed.payments, identities, strict=True):
        if identity in seen:
            summary.duplicates += 1
            continue
        seen.add(identity)
        account_id = accounts.get(line.account)
        state = PaymentState.ALLOCATED if account_id else PaymentState.SUSPENSE
        payment_id = tables.add(Payment, PAYMENT_COLUMNS, account_id, registry.id, PaymentSource.REGISTRY,
                                channel[:60], agent, line.operation_id, identity, line.paid_on, line.amount, line.fee,
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
    summary.readings, summary.unknown_meters, summary.problems = _record_readings(fresh, parsed.source)
    PaymentRegistry.objects.filter(pk=registry.pk).update(
        payments=summary.imported, total=summary.amount, duplicates=summary.duplicates, suspense=summary.suspense,
        readings=summary.readings, problems=[p.as_dict() for p in summary.problems])
    registry.refresh_from_db()
    return summary


def _known_identities(identities: list[str]) -> set[str]:
    """The identities among ``identities`` already taken (chunks: a 200,000-line registry is one file)."""
    known: set[str] = set()
    for start in range(0, len(identities), 5000):
        known.update(Payment.objects.filter(identity__in=identities[start:start + 5000])
                     .values_list("identity", flat=True))
    return known


def _refuse_out_of_bounds(parsed: ParsedRegistry, today: date) -> None:
    """Lines dated beyond the future horizon (or outside 1900–2200) and a total the ledger cannot hold
    refuse the file whole, like any other bad line."""
    days = getattr(settings, "RASCHET_FUTURE_DAYS", bounds.DEFAULT_FUTURE_DAYS)
    problems = [problem("invalid_value", f"{parsed.source}:{line.line}", value=f"{line.paid_on:%d.%m.%Y}",
                        field="дата платежа", reason=reason)
                for line in parsed.payments if (reason := bounds.date_reason(line.paid_on, today, days))]
    total_reason = bounds.REGISTRY_TOTAL.reason(parsed.totals.paid)
    if total_reason:
        problems.append(problem("invalid_value", parsed.source, value=str(parsed.totals.paid), field="итог реестра",
                                reason=total_reason))
    if problems:
        raise ProblemsError(problems[:1000])


def _record_readings(fresh: list[tuple[int, object]], source: str) -> tuple[int, int, list[Problem]]:
    """Readings in registry lines become readings with source "registry" dated on the payment day,
    each checked against its meter's history; a reading already entered for that day and meter is kept."""
    wanted = [(account_id, line) for account_id, line in fresh if line.readings]
    if not wanted:
        return 0, 0, []
    meters: dict[tuple[int, str], int] = {}
    for meter_id, account_id, code, serial in Meter.objects.filter(
            account_id__in={a for a, _ in wanted}, removed__isnull=True).values_list("id", "account_id", "code", "serial"):
        meters[(account_id, code)] = meter_id
        if serial:
            meters.setdefault((account_id, serial), meter_id)
    taken = set(Reading.objects.filter(meter_id__in=set(meters.values())).values_list("meter_id", "date"))
    candidates, unknown = [], 0
    for account_id, line in wanted:
        for code, value in line.readings:
            meter_id = meters.get((account_id, code))
            if meter_id is None:
                unknown += 1
                continue
            if (meter_id, line.paid_on) in taken:
                continue
            taken.add((meter_id, line.paid_on))
            candidates.append(ReadingIn(meter_id, line.paid_on, value, f"{source}:{line.line}"))
    accepted, problems = check_readings(candidates)
    tables, now = Tables(), timezone.now()
    for item in accepted:
        tables.add(Reading, ("meter_id", "date", "zone", "value", "source", "entered_by_id", "entered_at"),
                   item.meter_id, item.on, "total", item.number, "registry", None, now)
    write_tables(tables)
    return tables.count(Reading), unknown, problems


def refuse(source: str, reason: str) -> ProblemsError:
    return ProblemsError([problem("invalid_file", source, reason=reason)])
