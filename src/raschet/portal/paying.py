"""Paying from the personal account: a payment is started for a linked account, the gateway takes
the money, and its callback records the payment through the idempotent payment service
(``payments.services.record_payment``, source ``portal``) under the gateway's operation id, so a
callback repeated by the gateway records it once.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from raschet import access
from raschet.billing.locks import retry_on_conflict
from raschet.domain import bounds
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.money import round_money
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment
from raschet.portal.gateway import GATEWAYS, PaymentGateway, configured
from raschet.portal.models import GatewayPayment, GatewayPaymentState
from raschet.portal.services import linked_account


def _refused(subject: str, value: str, field: str, reason: str) -> ProblemsError:
    return ProblemsError([problem("invalid_value", subject, value=value, field=field, reason=reason)])


def start_payment(*, user, account_number: str, amount: Decimal | str) -> tuple[GatewayPayment, str]:
    """A started payment of a linked account and the gateway URL to send the payer to."""
    account = linked_account(user, account_number)
    gateway = configured()
    if gateway is None:
        raise _refused("оплата", "", "шлюз", "оплата онлайн не подключена: оплатите по QR-коду документа.")
    number, reason = bounds.PAYMENT_AMOUNT.read(str(amount).strip().replace(",", ".").replace(" ", ""))
    if number is None or number <= 0:
        raise _refused("сумма", str(amount), "сумма", reason or "укажите сумму больше нуля, например 1500.00")
    order = GatewayPayment.objects.create(account=account, user=user, gateway=gateway.code,
                                          operation_id=uuid.uuid4().hex, amount=round_money(number))
    return order, gateway.start(order)


def gateway_of(code: str) -> PaymentGateway:
    gateway = GATEWAYS.get(code)
    if gateway is None or gateway is not configured():
        raise _refused("шлюз", code, "шлюз", "такой шлюз оплаты не подключён.")
    return gateway


@retry_on_conflict
@transaction.atomic
def gateway_callback(*, gateway_code: str, notification: dict[str, str], today: date | None = None) -> GatewayPayment:
    """The gateway's word on a payment: a paid one is recorded (once), a declined one is marked so."""
    gateway = gateway_of(gateway_code)
    if not gateway.verify(notification):
        raise _refused("уведомление шлюза", notification.get("operation_id", ""), "signature",
                       "подпись уведомления не сходится.")
    order = (GatewayPayment.objects.select_for_update().select_related("account")
             .filter(gateway=gateway.code, operation_id=notification.get("operation_id", "")).first())
    if order is None:
        raise _refused("уведомление шлюза", notification.get("operation_id", ""), "operation_id",
                       "такой оплаты не начиналось.")
    if order.state != GatewayPaymentState.STARTED:
        return order
    if notification.get("status") != "paid":
        order.state, order.finished_at = GatewayPaymentState.FAILED, timezone.now()
        order.save(update_fields=["state", "finished_at"])
        return order
    if Decimal(notification.get("amount", "0")) != order.amount:
        raise _refused("уведомление шлюза", order.operation_id, "amount",
                       f"шлюз сообщил сумму {notification.get('amount')}, а начата оплата на {order.amount}.")
    agent = access.ApiClient(f"шлюз оплаты {gateway.code}", frozenset({access.TAKE_PAYMENT}))
    order.payment = record_payment(account_number=order.account.number, paid_on=today or timezone.localdate(),
                                   amount=order.amount, source=PaymentSource.PORTAL,
                                   operation_id=f"{gateway.code}:{order.operation_id}", channel=f"lk:{gateway.code}",
                                   payer=str(order.user), actor=agent, today=today)
    order.state, order.finished_at = GatewayPaymentState.PAID, timezone.now()
    order.save(update_fields=["payment", "state", "finished_at"])
    return order


def order_of(*, user, operation_id: str) -> GatewayPayment:
    """A started payment of the user's (the gateway page and the return page show it)."""
    order = GatewayPayment.objects.select_related("account").filter(operation_id=operation_id, user=user).first()
    if order is None:
        raise _refused("оплата", operation_id, "operation_id", "такой оплаты нет.")
    linked_account(user, order.account.number)
    return order
