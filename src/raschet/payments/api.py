"""The payments API (acquiring, mobile clients): record a payment, read an account's balance, parse a QR.

Authentication: a logged-in session, or an ``X-Api-Key`` header with one of the keys in
``RASCHET_API_KEYS`` (comma-separated). Problems answer with the status of ``web.errors``.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader, django_auth

from raschet.billing.models import Entry
from raschet.domain.periods import Period
from raschet.exchange import parse_payment_qr
from raschet.housing.models import Account
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment

router = Router(tags=["Платежи"])


class ApiKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        keys = {k.strip() for k in os.environ.get("RASCHET_API_KEYS", "").split(",") if k.strip()}
        return key if key and key in keys else None


AUTH = [ApiKey(), django_auth]


class PaymentIn(Schema):
    account: str
    date: date
    amount: Decimal
    period: str | None = None
    operation_id: str
    channel: str = "api"


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


@router.post("/payments", response={201: PaymentOut}, auth=AUTH, summary="Принять оплату и распределить её")
def create_payment(request, body: PaymentIn):
    payment = record_payment(account_number=body.account, paid_on=body.date, amount=body.amount,
                             named_period=Period.parse(body.period) if body.period else None,
                             source=PaymentSource.API, channel=body.channel, operation_id=body.operation_id)
    allocations = [AllocationOut(ref_period=e.ref_period, service=e.service.code if e.service else None,
                                 supplier=e.supplier.code if e.supplier else None, amount=-e.amount)
                   for e in payment.entries.select_related("service", "supplier")]
    return Status(201, PaymentOut(id=payment.pk, account=body.account, amount=payment.amount, allocations=allocations))


@router.get("/accounts/{number}/balance", response=BalanceOut, auth=AUTH, summary="Долг и аванс лицевого счёта")
def account_balance(request, number: str):
    account = Account.objects.filter(number=number).first()
    if account is None:
        from raschet.domain.errors import ProblemsError, problem

        raise ProblemsError([problem("unknown_reference", number, kind="лицевой счёт", value=number)])
    entries = Entry.objects.filter(account=account)
    debt = entries.filter(service__isnull=False).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    advance = -(entries.filter(service__isnull=True).aggregate(s=Sum("amount"))["s"] or Decimal(0))
    return BalanceOut(account=number, debt=round(debt, 2), advance=round(advance, 2))


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


@router.post("/qr/parse", response=QrOut, auth=AUTH, summary="Разобрать QR-код квитанции (ГОСТ Р 56042)",
             description="Код читается терпимо: дефекты (неверный ключ счёта, неизвестные реквизиты, сумма не "
                         "в копейках) возвращаются в warnings, неизвестные реквизиты — в unknown.")
def parse_qr(request, body: QrIn):
    payment = parse_payment_qr(body.payload)
    return QrOut(account=payment.account, period=str(payment.period) if payment.period else None,
                 amount=payment.amount, payee=payment.name,
                 warnings=[QrWarningOut(**w.as_dict()) for w in payment.warnings],
                 unknown=[QrUnknownOut(key=k, value=v) for k, v in payment.unknown])
