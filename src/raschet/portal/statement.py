"""What the subscriber reads about an account: balance, debt and advance; the charges of a month
with why each amount is what it is, and why the month's bill differs from the one before — by the
same causes as the operator's card (``workplace.why`` over ``workplace.card.bill_change``); the
payment documents; the payments. Every function starts from
:func:`raschet.portal.services.linked_account`.

Sums are exact: the ledger is summed in integer kopecks (``billing.exact``), on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from raschet.billing.exact import units
from raschet.billing.models import Entry, LineKind
from raschet.documents.models import PaymentDocument
from raschet.domain.errors import problem
from raschet.domain.periods import Period
from raschet.payments import ledger
from raschet.payments.models import Payment
from raschet.portal.services import NotLinked, linked_account
from raschet.tariffs.models import Service
from raschet.workplace.card import bill_change, sentence
from raschet.workplace.why import Change

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Summary:
    """``balance`` > 0 is owed, < 0 paid ahead; ``debt`` is what is owed for services (with
    penalties), ``advance`` the money paid ahead and not yet spent on charges."""

    number: str
    address: str
    payer: str
    balance: Decimal
    debt: Decimal
    advance: Decimal

    @property
    def due(self) -> Decimal:
        return max(self.balance, ZERO)


def _owed(account_id: int) -> list[Decimal]:
    """What the account owes per (accrual period, service, supplier), in exact kopecks."""
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT SUM({units("amount")}) FROM billing_entry WHERE account_id = %s
                           AND service_id IS NOT NULL GROUP BY ref_period, service_id, supplier_id""", [account_id])
        return [Decimal(kopecks).scaleb(-2) for (kopecks,) in cursor.fetchall()]


def summary(*, user, account_number: str) -> Summary:
    account = linked_account(user, account_number)
    owed = _owed(account.pk)
    debt = sum((amount for amount in owed if amount > 0), ZERO)
    advance = sum((amount for _, amount, _ in ledger.advances([account.pk]).get(account.pk, [])), ZERO)
    return Summary(account.number, f"{account.premises.building.address}, кв. {account.premises.number}",
                   account.payer, sum(owed, ZERO) - advance, debt, advance)


def charged_periods(*, user, account_number: str) -> list[Period]:
    """The posting periods in which the account was charged, newest first."""
    account = linked_account(user, account_number)
    codes = (Entry.objects.filter(account=account, kind__in=[LineKind.CHARGE, LineKind.RECALC])
             .values_list("period", flat=True).distinct())
    return sorted((Period.parse(code) for code in set(codes)), reverse=True)


@dataclass(frozen=True)
class ChargeRow:
    service: str
    supplier: str
    kind: str
    ref_period: str
    volume: Decimal | None
    amount: Decimal
    why: str
    unit: str = ""


def _rows(account_id: int, period: Period) -> list[ChargeRow]:
    entries = (Entry.objects.filter(account_id=account_id, period=str(period),
                                    kind__in=[LineKind.CHARGE, LineKind.RECALC, LineKind.PENALTY,
                                              LineKind.CORRECTION])
               .select_related("service", "supplier", "line").order_by("service__name", "ref_period", "id"))
    names = dict(Service.objects.values_list("code", "name"))
    # the same Russian sentence as the operator's card: decimal commas, service names, not codes
    return [ChargeRow(e.service.name if e.service else "—", e.supplier.name if e.supplier else "",
                      e.get_kind_display(), e.ref_period, e.volume, e.amount,
                      sentence(e.line, names) if e.line else e.reason,
                      e.service.get_unit_display() if e.service else "") for e in entries]


def charges(*, user, account_number: str, period: Period) -> list[ChargeRow]:
    """The charges, recalculations and penalties posted in ``period``, each with "why this amount"."""
    return _rows(linked_account(user, account_number).pk, period)


def change(*, user, account_number: str, period: Period) -> Change:
    """Why the bill of ``period`` differs from the month before, by the causes the operator's card shows
    (tariff, volume, residents, area, method, recalculation, penalties, other): the card's own
    ``bill_change``, so the subscriber and the operator read the same parts, which add up exactly to
    the difference."""
    return bill_change(linked_account(user, account_number), period)


def documents(*, user, account_number: str) -> list[PaymentDocument]:
    """The latest version of each period's payment document, newest period first (without the PDF)."""
    account = linked_account(user, account_number)
    rows = (PaymentDocument.objects.filter(account=account).defer("pdf_tail", "figures")
            .order_by("-period", "-version"))
    latest: dict[str, PaymentDocument] = {}
    for document in rows:
        latest.setdefault(document.period, document)
    return list(latest.values())


def document_pdf(*, user, account_number: str, document_id: int) -> tuple[str, bytes]:
    """The file name and bytes of one of the account's documents (any version it was issued in)."""
    account = linked_account(user, account_number)
    document = PaymentDocument.objects.filter(pk=document_id, account=account).first()
    if document is None:
        raise NotLinked([problem("unknown_reference", str(document_id), kind="платёжный документ",
                                 value=document_id)])
    return f"epd-{document.number}-v{document.version}.pdf", bytes(document.pdf)


def payments(*, user, account_number: str, last: int = 12) -> list[Payment]:
    account = linked_account(user, account_number)
    return list(Payment.objects.filter(account=account).order_by("-paid_on", "-id")[:last])
