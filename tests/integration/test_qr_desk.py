"""The QR reader behind the API and the cash desk form: tolerant reading, warnings shown, nothing guessed."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db
KEY = {"HTTP_X_API_KEY": "test-key"}
BANK = (
    "Name=АО Водоканал|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|BIC=044525225|"
    "CorrespAcc=30101810400000000225"
)
RECEIPT = "ST00012|" + BANK + "|persAcc=1000000001|paymPeriod=0326|sum=38352|lastName=Иванов|Категория=ЖКУ\r\n"


@pytest.fixture
def api_key(monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "test-key")


def parse(client, payload):
    return client.post("/api/v1/qr/parse", {"payload": payload}, content_type="application/json", **KEY)


def test_api_reads_a_lower_camel_receipt_with_a_trailing_line_end(client, api_key):
    body = parse(client, RECEIPT).json()
    assert (body["account"], body["period"], body["amount"]) == ("1000000001", "2026-03", "383.52")
    assert body["unknown"] == [{"key": "Категория", "value": "ЖКУ"}]
    assert [w["code"] for w in body["warnings"]] == ["qr_unknown_key"]
    assert body["warnings"][0]["subject"] == "Категория"


def test_api_reports_a_failed_control_key_but_still_reads(client, api_key):
    body = parse(client, RECEIPT.replace("40702810938000000001", "40702810938000000002")).json()
    assert body["account"] == "1000000001" and body["amount"] == "383.52"
    assert "qr_bank_requisites" in [w["code"] for w in body["warnings"]]


def test_api_refuses_what_is_no_payment_code(client, api_key):
    answer = parse(client, "https://example.invalid/pay")
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "invalid_qr"


def test_cash_desk_shows_the_readers_warnings(client):
    client.force_login(get_user_model().objects.create_superuser("cashier", "c@example.invalid", "pw"))
    page = client.post("/cash/", {"qr": RECEIPT.replace("sum=38352", "sum=383.52"), "action": "fill"}).content.decode()
    assert 'value="1000000001"' in page and 'value="2026-03"' in page
    assert 'name="amount"' in page and 'value="383.52"' not in page  # a sum not in kopecks is not guessed
    assert "Сумма Sum=«383.52» не прочитана" in page and "Категория" in page
