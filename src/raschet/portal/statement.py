"""What the subscriber reads about an account: balance, debt and advance; the charges of a month
with why each amount is what it is, and why the month's bill differs from the one before — by the
same causes as the operator's card (``workplace.why`` over ``workplace.card.bill_change``); the
payment documents; the payments. Every function starts from
:func:`raschet.portal.services.linked_account`.

The ledger is read through the store's one reader (:mod:`raschet.store.ledger`), summed in integer
kopecks: exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from raschet.billing.lines import explain_lines
from raschet.billing.models import ChargeLine, LineKind
from raschet.documents.models import PaymentDocument
from raschet.domain.errors import problem
from raschet.domain.periods import Period
from raschet.payments.models import Payment
from raschet.portal.services import NotLinked, linked_account
from raschet.store import ledger
from raschet.tariffs.models import Organization, Service
from raschet.workplace.card import bill_change, sentence
from raschet.workplace.why import Change

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Summary:
    """``balance`` > 0 is owed, < 0 paid ahead: the whole ledger, penalties included, as the payment
    document's total; ``debt`` is what is owed for services, principal only (penalties apart);
    ``penalties`` the penalties charged; ``advance`` the money paid ahead and not yet spent on charges."""

    number: str
    address: str
    payer: str
    balance: Decimal
    debt: Decimal
    advance: Decimal
    penalties: Decimal = ZERO

    @property
    def due(self) -> Decimal:
        return max(self.balance, ZERO)


def summary(*, user, account_number: str) -> Summary:
    account = linked_account(user, account_number)
    parts = ledger.owed([account.pk], penalties=True).get(account.pk, [])
    debt = sum((part.amount for part in parts if not part.penalty and part.amount > 0), ZERO)
    penalties = sum((part.amount for part in parts if part.penalty), ZERO)
    advance = sum((amount for _, amount, _ in ledger.advances([account.pk]).get(account.pk, [])), ZERO)
    return Summary(account.number, f"{account.premises.building.address}, кв. {account.premises.number}",
                   account.payer, sum((part.amount for part in parts), ZERO) - advance, debt, advance, penalties)


def charged_periods(*, user, account_number: str) -> list[Period]:
    """The posting periods in which the account was charged, newest first."""
    account = linked_account(user, account_number)
    sums = ledger.sums_by_period(account.pk)
    return sorted((period for period, kinds in sums.items() if LineKind.CHARGE in kinds or LineKind.RECALC in kinds),
                  reverse=True)


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


SHOWN = (LineKind.CHARGE, LineKind.RECALC, LineKind.PENALTY, LineKind.CORRECTION)


def _rows(account_id: int, period: Period) -> list[ChargeRow]:
    entries = ledger.posted(account_id, period, [str(kind) for kind in SHOWN])
    services = {service.pk: service for service in Service.objects.all()}
    suppliers = dict(Organization.objects.filter(pk__in={e.supplier_id for e in entries}).values_list("pk", "name"))
    lines = ChargeLine.objects.in_bulk({e.line_id for e in entries if e.line_id is not None})
    explain_lines(lines.values())
    names = {service.code: service.name for service in services.values()}
    kinds = dict(LineKind.choices)
    # the same Russian sentence as the operator's card: decimal commas, service names, not codes
    return [ChargeRow(services[e.service_id].name if e.service_id else "—", suppliers.get(e.supplier_id, ""),
                      kinds.get(e.kind, e.kind), e.ref_period, e.volume, e.amount,
                      sentence(lines[e.line_id], names) if e.line_id else e.reason,
                      services[e.service_id].get_unit_display() if e.service_id else "") for e in entries]


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
