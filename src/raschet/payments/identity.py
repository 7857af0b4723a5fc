"""A payment's identity is its content, not a label the caller picks.

Who collected the money (the *agent*: the bank whose registry format or saved mapping it came in,
the cash desk, the API client), the agent's operation number, the date, the account as written and
the amount together make :func:`payment_identity`, kept unique in ``Payment.identity``. The same
payment re-imported under any ``--channel`` label, or re-sent by an API client, has the same
identity and is recognised, never taken twice.

For the cash desk and the API the operation number is an idempotency key (issued by the server with
the form; sent by the client): a repeat with the same content returns the first payment, and the
same key with other content is refused (:func:`key_conflict`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from raschet.access import ApiClient, describe
from raschet.payments.models import PaymentSource

# Sources whose operation number is an idempotency key: one key, one payment.
KEYED_SOURCES = (PaymentSource.CASH, PaymentSource.API, PaymentSource.PORTAL)


def payment_identity(agent: str, operation_id: str, paid_on: date, account: str, amount: Decimal) -> str:
    """SHA-256 of the content (scheme ``v1``); the amount in kopecks so 100 and 100.00 are one."""
    kopecks = int((amount * 100).to_integral_value())
    text = "\x1f".join(("v1", agent, operation_id, paid_on.isoformat(), account.strip(), str(kopecks)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def agent_of(source: str, actor: object) -> str:
    """The agent of a payment recorded one by one: the API client's identity for the API (its key's
    name, or the signed-in user), the source itself otherwise (the cash desk, a scenario, a move)."""
    if source == PaymentSource.API:
        kind = "client" if isinstance(actor, ApiClient) else "user"
        return f"api:{kind}:{describe(actor)}"
    return str(source)


def registry_agent(parsed) -> str:
    """The bank of a registry: named by the parser when it knows it, else by the registry's format
    ("sber", "dbf") or saved mapping ("mapping:NAME") — never by the ``--channel`` label."""
    return getattr(parsed, "agent", "") or parsed.format
