"""The payments API (acquiring, mobile clients): record a payment, read an account's balance, parse a QR.

Authentication (``raschet.api.auth``): a user's bearer token or signed-in session (the user needs
the permission to take payments), or an ``X-Api-Key`` header with one of the keys in
``RASCHET_API_KEYS``: comma-separated ``NAME:KEY`` pairs (a bare ``KEY`` is named after its hash).
The key's name is the client's identity, and so the agent of its payments: a client cannot choose a
channel. A balance is shown to whoever may view the account or take payments.

Every payment carries an idempotency key — ``operation_id`` in the body and/or the
``Idempotency-Key`` header (equal if both are given). A repeat returns the first payment with the
same status and body (and ``Idempotent-Replayed: true``), never a second payment; the same key with
other content is refused (409). Problems answer with the status of ``web.errors``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import field_validator

from raschet.access import TAKE_PAYMENT
from raschet.api.auth import AUTH, ApiKey, actor_of, api_clients  # noqa: F401 (ApiKey, api_clients lived here)
from raschet.api.errors import answers
from raschet.api.scope import VIEW_ACCOUNT, account_for
from raschet.domain.bounds import DEFAULT_FUTURE_DAYS, PAYMENT_AMOUNT, TEXT_LENGTH, date_reason
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.exchange import parse_payment_qr
from raschet.payments import ledger
from raschet.payments.models import PaymentSource
from raschet.payments.services import Codes, record_payment

router = Router(tags=["Платежи"])




class PaymentIn(Schema):
    account: str
    date: date
    amount: Decimal
    period: str | None = None
    operation_id: str | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def plain_amount(cls, value):
        """Plain notation, at most 2 decimals, within bounds: refused, never rounded."""
        number, reason = PAYMENT_AMOUNT.read(value)
        if number is None:
            raise ValueError(reason)
        return number

    @field_validator("date")
    @classmethod
    def not_in_the_future(cls, value: date) -> date:
        """The service refuses it too; here the refusal names ``body.date``."""
        reason = date_reason(value, timezone.localdate(), getattr(settings, "RASCHET_FUTURE_DAYS", DEFAULT_FUTURE_DAYS))
        if reason:
            raise ValueError(reason)
        return value

    @field_validator("account")
    @classmethod
    def account_length(cls, value: str) -> str:
        if not value.strip() or len(value) > TEXT_LENGTH["account.number"]:
            raise ValueError(f"номер лицевого счёта: от 1 до {TEXT_LENGTH['account.number']} символов")
        return value.strip()


class AllocationOut(Schema):
    ref_period: str
    service: str | None
    supplier: str | None
    amount: Decimal


class PaymentOut(Schema):
    id: int
    account: str
    amount: Decimal
    allocations: list[AllocationOut]


class BalanceOut(Schema):
    account: str
    debt: Decimal
    advance: Decimal


def _operation_id(request, body: PaymentIn) -> str:
    header = request.headers.get("Idempotency-Key", "").strip()
    given = (body.operation_id or "").strip()
    if header and given and header != given:
        raise ProblemsError([problem("invalid_value", "body.operation_id", value=given, field="operation_id",
                                     reason=f"не совпадает с заголовком Idempotency-Key «{header}»")])
    key = given or header
    if not key:
        raise ProblemsError([problem("missing_field", "body.operation_id",
                                     field="operation_id (или заголовок Idempotency-Key)")])
    if len(key) > TEXT_LENGTH["payment.operation_id"]:
        raise ProblemsError([problem("invalid_value", "body.operation_id", value=key[:40] + "…", field="operation_id",
                                     reason=f"не длиннее {TEXT_LENGTH['payment.operation_id']} символов")])
    return key


def _period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as error:
        raise ProblemsError([problem("invalid_period", "body.period", value=text)]) from error


@router.post("/payments", response=answers(s201=PaymentOut), auth=AUTH, summary="Принять оплату и распределить её")
def create_payment(request, body: PaymentIn, response: HttpResponse):
    actor = actor_of(request)
    payment = record_payment(account_number=body.account, paid_on=body.date, amount=body.amount,
                             named_period=_period(body.period), source=PaymentSource.API,
                             operation_id=_operation_id(request, body), actor=actor)
    allocations = [AllocationOut(ref_period=e.ref_period, service=e.service.code if e.service else None,
                                 supplier=e.supplier.code if e.supplier else None, amount=-e.amount)
                   # as recorded: a replay shows what the first answer showed, not later advance spending
                   for e in payment.entries.filter(reason__in=("", "аванс")).select_related("service", "supplier")
                   .order_by("id")]
    if payment.repeated:
        response["Idempotent-Replayed"] = "true"
    return Status(201, PaymentOut(id=payment.pk, account=payment.account_text, amount=payment.amount,
                                  allocations=allocations))


@router.get("/accounts/{number}/balance", response=answers(s200=BalanceOut), auth=AUTH, summary="Долг и аванс лицевого счёта")
def account_balance(request, number: str):
    account = account_for(request, number, VIEW_ACCOUNT, TAKE_PAYMENT)  # who takes payments may see the debt
    # The cash desk's and the card's figures (the ledger's owed parts and advances, exact kopecks).
    codes = Codes.load()
    debt = sum((d.amount for d in ledger.debts([account.pk], codes.services, codes.suppliers).get(account.pk, [])),
               Decimal("0.00"))
    advance = sum((amount for _, amount, _ in ledger.advances([account.pk]).get(account.pk, [])), Decimal("0.00"))
    return BalanceOut(account=number, debt=debt, advance=advance)


class QrIn(Schema):
    payload: str


class QrWarningOut(Schema):
    code: str
    message: str
    subject: str


class QrUnknownOut(Schema):
    key: str
    value: str


class QrOut(Schema):
    account: str
    period: str | None
    amount: Decimal | None
    payee: str
    warnings: list[QrWarningOut]
    unknown: list[QrUnknownOut]


@router.post("/qr/parse", response=answers(s200=QrOut), auth=AUTH, summary="Разобрать QR-код квитанции (ГОСТ Р 56042)",
             description="Код читается терпимо: дефекты (неверный ключ счёта, неизвестные реквизиты, сумма не "
                         "в копейках) возвращаются в warnings, неизвестные реквизиты — в unknown.")
def parse_qr(request, body: QrIn):
    payment = parse_payment_qr(body.payload)
    return QrOut(account=payment.account, period=str(payment.period) if payment.period else None,
                 amount=payment.amount, payee=payment.name,
                 warnings=[QrWarningOut(**w.as_dict()) for w in payment.warnings],
                 unknown=[QrUnknownOut(key=k, value=v) for k, v in payment.unknown])
