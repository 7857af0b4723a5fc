"""Use cases of payments: record one payment, import a bank registry, reverse, move, resolve suspense,
spend advances on new charges. Each owns its transaction.

Allocation is set-based: the debts of every account touched are read in one pass, each payment is
split by the domain's ``allocate`` in memory (debts shrink as they are paid, so two payments of one
account in one registry never pay the same kopeck twice), and the ledger entries are written in
bulk. Accounts are locked for the transaction, so two imports running at once never allocate the
same debt twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from raschet import access
from raschet.access import require, user_of
from raschet.billing.locks import retry_on_conflict, share_periods
from raschet.billing.models import BillingPeriod, Entry, PeriodState
from raschet.bulk import Tables, write_tables
from raschet.domain import bounds
from raschet.domain.allocation import Debt, allocate, is_charged
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.money import round_money
from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.payments import ledger
from raschet.payments.identity import KEYED_SOURCES, agent_of, payment_identity
from raschet.payments.models import Payment, PaymentEvent, PaymentSource, PaymentState
from raschet.tariffs.models import Organization, Service

ENTRY_COLUMNS = ("account_id", "service_id", "supplier_id", "period", "ref_period", "kind", "amount", "volume",
                 "line_id", "payment_id", "reason", "created_at")
LIMITATION_MONTHS = 36


@dataclass
class PaymentToAllocate:
    payment_id: int
    account_id: int
    paid_on: date
    amount: Decimal
    named_period: Period | None


@dataclass
class Codes:
    """Service and supplier ids ↔ codes, read once per use case."""

    services: dict[int, str] = field(default_factory=dict)
    suppliers: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Codes:
        return cls(dict(Service.objects.values_list("id", "code")), dict(Organization.objects.values_list("id", "code")))

    def ids(self) -> tuple[dict[str, int], dict[str, int]]:
        return {c: i for i, c in self.services.items()}, {c: i for i, c in self.suppliers.items()}


def last_closed_period() -> Period | None:
    code = BillingPeriod.objects.filter(state=PeriodState.CLOSED).order_by("-period").values_list(
        "period", flat=True).first()
    return Period.parse(code) if code else None


def last_charged_period() -> Period | None:
    """The last period whose charges are posted (posted or closed)."""
    code = BillingPeriod.objects.filter(state__in=[PeriodState.POSTED, PeriodState.CLOSED]).order_by(
        "-period").values_list("period", flat=True).first()
    return Period.parse(code) if code else None


def posting_period(paid_on: date, last_closed: Period | None) -> Period:
    """The period a payment is posted in: its own month, or the first open one after a closed month."""
    period = Period.of(paid_on)
    return last_closed.next() if last_closed is not None and period <= last_closed else period


def hold_posting_periods(days: Iterable[date]) -> None:
    """The first step of the lock order (``billing.locks``) for a writer of payments: ``FOR KEY SHARE`` on
    the rows of the periods that payments of ``days`` post into, so none of them is closed under this
    transaction. Those periods follow the last closed one, which a close may move while this waits:
    read again after the locks until it stands."""
    days = set(days)
    while True:
        closed = last_closed_period()
        share_periods({posting_period(day, closed) for day in days})
        if last_closed_period() == closed:
            return


def lock_accounts(account_ids: list[int]) -> None:
    """The second step of the lock order: account rows in ascending id (the ``ORDER BY`` makes the
    locks be taken in that order), after the periods. ``NO KEY UPDATE``: writers of payments exclude
    each other per account, while rows that merely point at the account (a unit's charge lines) go on.
    SQLite's write lock covers it there."""
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), 5000):
        list(Account.objects.select_for_update(no_key=True).filter(pk__in=ids[start:start + 5000])
             .order_by("pk").values_list("pk", flat=True))


def allocation_rows(items: list[PaymentToAllocate], codes: Codes, *, reason: str = "") -> list[tuple]:
    """Ledger rows allocating each payment to its account's debts; the rest goes to the advance."""
    account_ids = [item.account_id for item in items]
    owed = ledger.debts(account_ids, codes.services, codes.suppliers)
    service_ids, supplier_ids = codes.ids()
    now, rows, closed, charged = timezone.now(), [], last_closed_period(), last_charged_period()
    by_day: dict[date, tuple[str, Period]] = {}  # thousands of payments share a handful of days
    texts: dict[Period, str] = {}
    later = Counter(item.account_id for item in items)  # the account's payments still to allocate
    for item in sorted(items, key=lambda i: (i.paid_on, i.payment_id)):
        if item.paid_on not in by_day:
            by_day[item.paid_on] = (str(posting_period(item.paid_on, closed)), Period.of(item.paid_on) - LIMITATION_MONTHS)
        posting, limitation = by_day[item.paid_on]
        named = item.named_period
        waits = named is not None and not is_charged(named, charged)
        shares, advance = allocate(item.amount, owed.get(item.account_id, []), named=named,
                                   limitation_start=limitation, named_charged=not waits)
        for share in shares:
            rows.append((item.account_id, service_ids[share.service], supplier_ids[share.supplier], posting,
                         texts.get(share.period) or texts.setdefault(share.period, str(share.period)), "payment",
                         -share.amount, None, None, item.payment_id, reason, now))
        if advance:  # a payment waiting for its named period keeps that period on its advance row
            rows.append((item.account_id, None, None, posting, str(named) if waits else posting, "payment",
                         -advance, None, None, item.payment_id, reason or _advance_text(named if waits else None),
                         now))
        later[item.account_id] -= 1
        if later[item.account_id]:  # what is left is read again only by the account's next payment
            owed[item.account_id] = _reduce(owed.get(item.account_id, []), shares)
    return rows


def _advance_text(named: Period | None) -> str:
    return f"аванс на {named} (период назван плательщиком)" if named else "аванс"


def _reduce(debts: list[Debt], shares) -> list[Debt]:
    """The debts left after ``shares`` were paid; fully paid ones drop out."""
    if not shares:
        return debts
    paid = {(s.period, s.service, s.supplier): s.amount for s in shares}
    left = []
    for d in debts:
        amount = d.amount - paid.get((d.period, d.service, d.supplier), 0)
        if amount > 0:
            left.append(d if amount == d.amount else Debt(d.period, d.service, d.supplier, amount, d.penalty))
    return left


def write_entries(rows: list[tuple]) -> None:
    tables = Tables()
    tables.add_rows(Entry, ENTRY_COLUMNS, rows)
    write_tables(tables)


def _account(number: str, subject: str) -> Account:
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise ProblemsError([problem("unknown_reference", subject, kind="лицевой счёт", value=number)])
    return account


def _checked_money(value: Decimal | str, bound, field_name: str, subject: str) -> Decimal:
    """An amount within its bounds with at most two decimals: refused, never rounded."""
    number, reason = bound.read(value)
    if number is None:
        raise ProblemsError([problem("invalid_value", subject, value=str(value), field=field_name, reason=reason)])
    return round_money(number)


def _check_date(paid_on: date, source: str, today: date | None, subject: str) -> None:
    """Real-time sources (cash desk, API, portal) may not date a payment beyond the future horizon."""
    live = source in KEYED_SOURCES
    reason = bounds.date_reason(paid_on, (today or timezone.localdate()) if live else None,
                                getattr(settings, "RASCHET_FUTURE_DAYS", bounds.DEFAULT_FUTURE_DAYS))
    if reason:
        raise ProblemsError([problem("invalid_value", subject, value=paid_on.isoformat(), field="date",
                                     reason=reason)])


@retry_on_conflict
@transaction.atomic
def record_payment(*, account_number: str, paid_on: date, amount: Decimal | str, source: str, operation_id: str,
                   named_period: Period | None = None, payer: str = "", fee: Decimal | str = "0", channel: str = "",
                   actor=None, today: date | None = None, shift=None, method: str = "") -> Payment:
    """One payment (cash desk, API, scenario): recorded and allocated at once.

    Its identity is its content (``raschet.payments.identity``): a repeat of the same payment returns
    the first one, marked ``repeated = True``, and takes nothing; an idempotency key (cash desk, API)
    already used for another payment is refused. ``channel`` is only a label; a cash desk payment
    names its cashier's ``shift`` and ``method`` (cash, card)."""
    actor = require(actor, access.TAKE_PAYMENT)
    subject = operation_id or "платёж"
    amount = _checked_money(amount, bounds.PAYMENT_AMOUNT, "amount", subject)
    fee = _checked_money(fee, bounds.FEE, "fee", subject)
    _check_date(paid_on, source, today, subject)
    agent = agent_of(source, actor)
    identity = payment_identity(agent, operation_id, paid_on, account_number, amount)
    existing = _repeat_of(identity, agent, operation_id, source)
    if existing is not None:
        return existing
    account = _account(account_number, subject)
    hold_posting_periods([paid_on])
    lock_accounts([account.id])
    try:
        with transaction.atomic():  # a savepoint: the same payment recorded concurrently by another process
            payment = Payment.objects.create(
                account=account, source=source, channel=(channel or agent)[:60], agent=agent, identity=identity,
                operation_id=operation_id, paid_on=paid_on, amount=amount, fee=fee,
                named_period=str(named_period or ""), account_text=account_number, payer=payer,
                state=PaymentState.ALLOCATED, shift=shift, method=method or None)
    except IntegrityError:
        existing = _repeat_of(identity, agent, operation_id, source)
        if existing is None:
            raise
        return existing
    payment.repeated = False
    item = PaymentToAllocate(payment.id, account.id, paid_on, amount, named_period)
    write_entries(allocation_rows([item], Codes.load()))
    PaymentEvent.objects.create(payment=payment, action="recorded", user=user_of(actor), details={"source": source})
    return payment


def _repeat_of(identity: str, agent: str, operation_id: str, source: str) -> Payment | None:
    """The payment this one repeats, or ``None``; an idempotency key reused for other content is refused."""
    existing = Payment.objects.filter(identity=identity).first()
    if existing is not None:
        existing.repeated = True
        return existing
    if source in KEYED_SOURCES:
        other = Payment.objects.filter(agent=agent, operation_id=operation_id).first()
        if other is not None:
            raise ProblemsError([problem("idempotency_conflict", operation_id, key=operation_id, payment=other.pk,
                                         paid_on=f"{other.paid_on:%d.%m.%Y}", account=other.account_text,
                                         amount=str(other.amount))])
    return None


@retry_on_conflict
@transaction.atomic
def reverse_payment(*, payment: Payment, actor=None, reason: str = "Сторно", on: date | None = None) -> Payment:
    """Undo every allocation of a payment with opposite entries; the payment stays, marked reversed."""
    actor = require(actor, access.REVERSE_PAYMENT)
    return _reverse(payment, actor, reason, on)


def _reverse(payment: Payment, actor, reason: str, on: date | None) -> Payment:
    hold_posting_periods([on or timezone.localdate()])  # the lock order: periods, account, payment
    lock_accounts([a for a in Payment.objects.filter(pk=payment.pk).values_list("account_id", flat=True) if a])
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state == PaymentState.REVERSED:
        raise ProblemsError([problem("invalid_value", f"платёж {payment.pk}", value=payment.pk, field="state",
                                     reason="платёж уже сторнирован")])
    if payment.account_id:
        lock_accounts([payment.account_id])  # assigned meanwhile: already held, or taken now
        period = str(posting_period(on or timezone.localdate(), last_closed_period()))
        now = timezone.now()
        write_entries([(e.account_id, e.service_id, e.supplier_id, period, e.ref_period, "payment", -e.amount, None,
                        None, payment.pk, reason, now) for e in payment.entries.all()])
    payment.state = PaymentState.REVERSED
    payment.save(update_fields=["state"])
    PaymentEvent.objects.create(payment=payment, action="reversed", user=user_of(actor), details={"reason": reason})
    return payment


@retry_on_conflict
@transaction.atomic
def move_payment(*, payment: Payment, to_account_number: str, actor=None, reason: str = "") -> Payment:
    """A payment credited to the wrong account: reverse it there and record it anew on the right one."""
    actor = require(actor, access.MOVE_PAYMENT)
    target = _account(to_account_number, f"платёж {payment.pk}")
    hold_posting_periods([timezone.localdate(), payment.paid_on])  # the lock order: periods, both accounts
    lock_accounts([a for a in (payment.account_id, target.id) if a])
    _reverse(payment, actor, reason or f"Перенос на ЛС {target.number}", None)
    moved = Payment.objects.create(
        account=target, source=PaymentSource.MOVE, channel="move", agent="move", operation_id=f"{payment.pk}",
        identity=payment_identity("move", f"{payment.pk}", payment.paid_on, target.number, payment.amount),
        paid_on=payment.paid_on, amount=payment.amount, fee=payment.fee, named_period=payment.named_period,
        account_text=target.number, payer=payment.payer, state=PaymentState.ALLOCATED, moved_from=payment)
    lock_accounts([target.id])
    named = Period.parse(payment.named_period) if payment.named_period else None
    write_entries(allocation_rows([PaymentToAllocate(moved.id, target.id, payment.paid_on, payment.amount, named)],
                                  Codes.load()))
    PaymentEvent.objects.create(payment=moved, action="moved_in", user=user_of(actor),
                                details={"from_payment": payment.pk, "reason": reason})
    return moved


@retry_on_conflict
@transaction.atomic
def assign_suspense(*, payment: Payment, account_number: str, actor=None) -> Payment:
    """An operator found the account of a suspense payment: attach and allocate it, with an audit record."""
    actor = require(actor, access.ASSIGN_SUSPENSE)
    hold_posting_periods([payment.paid_on])  # the lock order: periods, account, payment
    lock_accounts([_account(account_number, f"платёж {payment.pk}").id])
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state != PaymentState.SUSPENSE:
        raise ProblemsError([problem("invalid_value", f"платёж {payment.pk}", value=payment.state, field="state",
                                     reason="разнести можно только невыясненный платёж")])
    account = _account(account_number, f"платёж {payment.pk}")
    lock_accounts([account.id])
    payment.account, payment.state = account, PaymentState.ALLOCATED
    payment.save(update_fields=["account", "state"])
    named = Period.parse(payment.named_period) if payment.named_period else None
    write_entries(allocation_rows([PaymentToAllocate(payment.pk, account.id, payment.paid_on, payment.amount, named)],
                                  Codes.load()))
    PaymentEvent.objects.create(payment=payment, action="assigned", user=user_of(actor),
                                details={"account": account.number, "written_as": payment.account_text})
    return payment


@transaction.atomic
def spend_advances(*, account_ids: list[int] | None = None, on: date | None = None,
                   period: Period | None = None) -> int:
    """Spend advances on debts (after new charges are posted), so every payment's entries still add up
    to it; returns the entries written. An advance designated to a period (its payer named it) waits
    until that period is charged, then pays that period first and only its excess the oldest debts;
    such advances go first, then the others, each oldest payment first."""
    if account_ids is None:
        account_ids = list(Entry.objects.filter(service__isnull=True, kind="payment").values_list(
            "account_id", flat=True).distinct())
    held = ledger.advances(account_ids)
    if not held:
        return 0
    closed = last_closed_period()
    if period is None:  # the first open period, or the month of ``on``
        period = closed.next() if closed else Period.of(on or timezone.localdate())
    share_periods([period])  # the lock order: the period, then the accounts (held already inside a post)
    lock_accounts(list(held))
    codes = Codes.load()
    owed = ledger.debts(list(held), codes.services, codes.suppliers)
    service_ids, supplier_ids = codes.ids()
    charged = last_charged_period()
    period = str(period)
    now, rows = timezone.now(), []
    for account_id, portions in held.items():
        for payment_id, advance, named in _spending_order(portions, charged):
            debts = owed.get(account_id, [])
            shares, left = allocate(advance, debts, named=named)
            if advance == left:
                continue
            rows.append((account_id, None, None, period, str(named) if named else period, "payment", advance - left,
                         None, None, payment_id, "зачёт аванса", now))
            rows += [(account_id, service_ids[s.service], supplier_ids[s.supplier], period, str(s.period), "payment",
                      -s.amount, None, None, payment_id, "зачёт аванса", now) for s in shares]
            owed[account_id] = _reduce(debts, shares)
    if rows:
        write_entries(rows)
    return len(rows)


def _spending_order(portions: list[tuple[int, Decimal, Period | None]], charged: Period | None
                    ) -> list[tuple[int, Decimal, Period | None]]:
    """Advances designated to a charged period first (their period is theirs to pay), then the rest;
    those whose named period is still not charged keep waiting. Oldest payment first within each."""
    ready = [p for p in portions if p[2] is not None and is_charged(p[2], charged)]
    free = [p for p in portions if p[2] is None]
    return ready + free
