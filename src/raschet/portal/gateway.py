"""Payment gateways of the personal account: the :class:`PaymentGateway` protocol and the test
gateway used in development.

A gateway is given a started :class:`GatewayPayment` and answers where to send the payer; when the
payer has paid, the gateway calls back (``/lk/pay/callback/<gateway>/``) with a notification that
:meth:`PaymentGateway.verify` proves genuine. The real acquiring protocol is a later class with the
same three members. ``RASCHET_PAYMENT_GATEWAY`` names the gateway; empty (the default outside
debug) turns online payment off, so the test gateway never takes "money" in production.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from django.conf import settings
from django.urls import reverse

from raschet.portal.models import GatewayPayment


class PaymentGateway(Protocol):
    code: str
    title: str

    def start(self, order: GatewayPayment) -> str:
        """The URL to send the payer to, to pay ``order``."""

    def verify(self, notification: dict[str, str]) -> bool:
        """Whether a callback's notification really comes from this gateway."""


class TestGateway:
    """Pays without money: its page shows the order with "Оплатить" and "Отказаться", and "Оплатить"
    sends the signed notification a real gateway would send."""

    code = "test"
    title = "Тестовый платёжный шлюз (без списания денег)"

    def _signature(self, operation_id: str, amount: str, status: str) -> str:
        key = hmac.new(settings.SECRET_KEY.encode(), b"raschet-test-gateway", hashlib.sha256).digest()
        return hmac.new(key, f"{operation_id}|{amount}|{status}".encode(), hashlib.sha256).hexdigest()

    def start(self, order: GatewayPayment) -> str:
        return reverse("portal:test_gateway", args=[order.operation_id])

    def notification(self, order: GatewayPayment, status: str = "paid") -> dict[str, str]:
        amount = f"{order.amount:.2f}"
        return {"operation_id": order.operation_id, "amount": amount, "status": status,
                "signature": self._signature(order.operation_id, amount, status)}

    def verify(self, notification: dict[str, str]) -> bool:
        expected = self._signature(notification.get("operation_id", ""), notification.get("amount", ""),
                                   notification.get("status", ""))
        return hmac.compare_digest(expected, notification.get("signature", ""))


GATEWAYS: dict[str, PaymentGateway] = {TestGateway.code: TestGateway()}


def configured() -> PaymentGateway | None:
    """The installation's gateway, or ``None`` when online payment is off."""
    default = "test" if settings.DEBUG else ""
    code = getattr(settings, "RASCHET_PAYMENT_GATEWAY", None)
    return GATEWAYS.get(default if code is None else code)
