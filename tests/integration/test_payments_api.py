"""The payments API and the cash desk page."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.exchange import build_payment_qr
from raschet.payments.models import Payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
KEY = {"HTTP_X_API_KEY": "test-key"}


@pytest.fixture
def charged(scenario_path, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "test-key")
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


def post_payment(client, **overrides):
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "400.00", "operation_id": "acq-1", **overrides}
    return client.post("/api/v1/payments", body, content_type="application/json", **KEY)


def test_payment_is_allocated_and_a_repeat_returns_the_first(client, charged):
    created = post_payment(client)
    assert created.status_code == 201
    assert {(a["service"], a["amount"]) for a in created.json()["allocations"]} == {("cold_water", "383.52"),
                                                                                   (None, "16.48")}
    again = post_payment(client)
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, created.json(), "true")
    assert Payment.objects.count() == 1
    balance = client.get("/api/v1/accounts/1000000001/balance", **KEY).json()
    assert balance == {"account": "1000000001", "debt": "0.00", "advance": "16.48"}


def test_errors_have_codes_and_statuses(client, charged):
    missing = post_payment(client, account="404", operation_id="acq-2")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "unknown_reference"
    assert client.post("/api/v1/payments", {}, content_type="application/json").status_code == 401
    assert client.get("/api/v1/openapi.json", **KEY).json()["info"]["title"] == "Расчёт API"
    assert client.get("/api/v1/openapi.json").status_code == 302  # the schema too needs sign-in or a key


def test_cash_desk_fills_from_the_qr_and_takes_the_payment(client, charged):
    user = get_user_model().objects.create_superuser("cashier", "c@example.invalid", "pw")
    client.force_login(user)
    qr = build_payment_qr({"Name": "АО Водоканал", "PersonalAcc": "40702810938000000001", "BankName": "ПАО Сбербанк",
                           "BIC": "044525225", "CorrespAcc": "30101810400000000225", "Sum": Decimal("383.52"),
                           "PersAcc": "1000000001", "PaymPeriod": "032026"})
    filled = client.post("/cash/", {"qr": qr, "action": "fill"}).content.decode()
    assert 'value="1000000001"' in filled and 'value="2026-03"' in filled and 'value="383.52"' in filled
    done = client.post("/cash/", {"account": "1000000001", "period": "2026-03", "amount": "383.52", "action": "pay",
                                  "operation_id": issued_key(filled)}, follow=True).content.decode()
    assert "Принято 383.52 ₽ по ЛС 1000000001" in done
    assert Payment.objects.get().channel == "cash:cashier"


def issued_key(page: str) -> str:
    return re.search(r'name="operation_id" value="([^"]+)"', page).group(1)
