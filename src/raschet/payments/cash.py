"""The cash desk's use cases besides taking the money (``services.record_payment``): the cashier's
shift (open, close, its payments and totals by method) and what the cashier sees of an account before
taking money — payer, address, debt by accrual period and the amount due.

Every function checks the permission to take payments itself (``raschet.access``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from raschet import access
from raschet.access import require, user_of
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.money import round_money
from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.payments import ledger
from raschet.payments.models import CashShift, Payment, PaymentMethod, PaymentState
from raschet.tariffs.models import Organization, Service


@dataclass
class AccountDue:
    """What the cashier is shown of an account before the money is taken."""

    number: str
    payer: str
    address: str
    debts: list[tuple[Period, Decimal]] = field(default_factory=list)  # (accrual period, debt), oldest first
    advance: Decimal = Decimal("0.00")

    @property
    def debt(self) -> Decimal:
        return sum((amount for _, amount in self.debts), Decimal("0.00"))

    def due(self, named: Period | None = None) -> Decimal:
        """The amount due: the debt of the named period when the payer named one that is owed, else all."""
        if named is not None:
            for period, amount in self.debts:
                if period == named:
                    return amount
        return self.debt


def account_due(number: str, *, actor=None) -> AccountDue:
    """Payer, address and debt by period of the account ``number``; an unknown number is refused."""
    require(actor, access.TAKE_PAYMENT)
    account = Account.objects.select_related("premises__building").filter(number=number.strip()).first()
    if account is None:
        raise ProblemsError([problem("unknown_reference", number, kind="лицевой счёт", value=number)])
    owed = ledger.debts([account.id], dict(Service.objects.values_list("id", "code")),
                        dict(Organization.objects.values_list("id", "code")))
    by_period: dict[Period, Decimal] = defaultdict(Decimal)
    for debt in owed.get(account.id, []):
        by_period[debt.period] += debt.amount
    held = ledger.advances([account.id]).get(account.id, [])
    return AccountDue(account.number, account.payer, str(account.premises), sorted(by_period.items()),
                      sum((amount for _, amount, _ in held), Decimal("0.00")))


def open_shift(*, actor=None) -> CashShift:
    """The cashier's open shift, opened now if there is none (one open shift per cashier)."""
    actor = require(actor, access.TAKE_PAYMENT)
    cashier = user_of(actor)
    if cashier is None:
        raise ProblemsError([problem("forbidden", access.describe(actor), user=access.describe(actor),
                                     action="Открыть кассовую смену", permission="вход пользователя")])
    shift = current_shift(cashier)
    if shift is not None:
        return shift
    try:
        with transaction.atomic():
            return CashShift.objects.create(cashier=cashier)
    except IntegrityError:  # opened by a second tab at the same moment
        return current_shift(cashier)


def current_shift(cashier) -> CashShift | None:
    if not getattr(cashier, "pk", None):
        return None
    return CashShift.objects.filter(cashier=cashier, closed_at__isnull=True).first()


@transaction.atomic
def close_shift(*, shift: CashShift, actor=None) -> CashShift:
    """Close the cashier's own open shift (an administrator with the permission to reverse may close
    anyone's); a closed shift takes no more payments."""
    actor = require(actor, access.TAKE_PAYMENT)
    shift = CashShift.objects.select_for_update().get(pk=shift.pk)
    own = getattr(user_of(actor), "pk", None) == shift.cashier_id
    if not own and not access.allowed(actor, access.REVERSE_PAYMENT):
        raise ProblemsError([problem("forbidden", f"смена {shift.pk}", user=access.describe(actor),
                                     action="Закрыть чужую кассовую смену", permission="access.reverse_payment")])
    if shift.closed_at is not None:
        raise ProblemsError([problem("invalid_value", f"смена {shift.pk}", value=shift.pk, field="shift",
                                     reason=f"смена уже закрыта {timezone.localtime(shift.closed_at):%d.%m.%Y %H:%M}")])
    shift.closed_at = timezone.now()
    shift.save(update_fields=["closed_at"])
    return shift


@dataclass(frozen=True)
class ShiftTotals:
    count: int
    total: Decimal
    by_method: list[tuple[str, int, Decimal]]  # (method's name, payments, sum)
    reversed_count: int


def shift_totals(shift: CashShift) -> ShiftTotals:
    """Payments of the shift and their sums by method; reversed payments are counted aside, not summed."""
    taken = Payment.objects.filter(shift=shift).exclude(state=PaymentState.REVERSED)
    rows = taken.values("method").annotate(n=Count("id"), s=Sum("amount")).order_by("method")
    names = dict(PaymentMethod.choices)
    # SQLite's SUM of decimals drops trailing zeros (100.5): back to kopecks, exact
    by_method = [(names.get(r["method"], "не указан"), r["n"], round_money(Decimal(r["s"] or 0))) for r in rows]
    return ShiftTotals(sum(r[1] for r in by_method), sum((r[2] for r in by_method), Decimal("0.00")), by_method,
                       Payment.objects.filter(shift=shift, state=PaymentState.REVERSED).count())
