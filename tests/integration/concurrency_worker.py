"""A worker process of the concurrency property test (test_concurrency_property.py): it reads one JSON
line per example — a list of operations — runs them against the database of RASCHET_DATABASE_URL
through the services, as a separate operator would, and answers with one JSON line of outcomes:
``["ok", detail]``, ``["refused", [codes]]`` (a refusal with a message: expected) or ``["error",
traceback]`` (anything else: the property fails)."""

import json
import os
import sys
import traceback
from datetime import date
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from raschet.billing.services import calculate_period, close_period, post_period  # noqa: E402
from raschet.domain.errors import ProblemsError  # noqa: E402
from raschet.domain.periods import Period  # noqa: E402
from raschet.exchange import parse_sber  # noqa: E402
from raschet.generators.registries import sber_registry  # noqa: E402
from raschet.housing.models import Account  # noqa: E402
from raschet.payments.imports import import_registry  # noqa: E402
from raschet.payments.services import record_payment  # noqa: E402


def cash_operation(number: int, accounts: list[str]) -> dict:
    """Cash operation ``number``: its content follows from the number, so submitting the number twice
    is submitting the same operation twice."""
    month = 1 + number % 3
    return {"account_number": accounts[number * 7 % len(accounts)], "paid_on": date(2026, month, 10 + number % 15),
            "amount": Decimal(100 + number * 37 % 900) + Decimal("0.25"), "operation_id": f"desk-{number}"}


def run(operation: list, accounts: list[str]) -> list:
    kind, *args = operation
    if kind in ("calc", "post", "close"):
        action = {"calc": lambda p: calculate_period(period=p, workers=1).run.pk, "post": lambda p: post_period(period=p),
                  "close": lambda p: close_period(period=p)}[kind]
        return ["ok", action(Period.parse(args[0]))]
    if kind == "import":
        day, size, seed = date.fromisoformat(args[0]), args[1], args[2]
        data = sber_registry(accounts, size, day, seed=seed, with_readings=0)
        return ["ok", import_registry(parse_sber(data, f"registry-{day}-{seed}.txt"), channel="sber").text()]
    if kind == "cash":
        payment = record_payment(source="cash", channel="desk", **cash_operation(args[0], accounts))
        return ["ok", payment.pk, bool(payment.repeated)]  # a repeat returns the first payment
    raise ValueError(f"unknown operation {operation}")


def outcome(operation: list, accounts: list[str]) -> list:
    try:
        return run(operation, accounts)
    except ProblemsError as refused:
        return ["refused", [problem.code for problem in refused.problems]]
    except Exception:  # the property: no other failure, whatever the interleaving
        return ["error", traceback.format_exc()]


def main() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        operations = json.loads(line)
        accounts = sorted(Account.objects.values_list("number", flat=True))
        print(json.dumps([outcome(op, accounts) for op in operations], default=str), flush=True)
        connection.close()  # the test empties the database between examples


if __name__ == "__main__":
    main()
