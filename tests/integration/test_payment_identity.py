"""A payment is identified by its content and taken once, whatever the label or the number of submits
(issue 10, items 3 and 4): registries re-imported under another channel, API clients choosing a
channel, a double-submitted cash-desk form, rows recorded before the migration."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from raschet.billing.models import LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
LINE = "25-04-2026;10-15-00;8626;1001;1000000001;Иванов И. И.;г. Энск;0326;100,00;100,00;0,00"


def registry(order: str, *lines: str) -> bytes:
    total = sum((Decimal(line.split(";")[8].replace(",", ".")) for line in lines), Decimal(0))
    return ("\n".join([*lines, f"={len(lines)};{total};{total};0.00;{order};25-04-2026"]) + "\n").encode("cp1251")


@pytest.fixture
def charged(scenario_path, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "acquirer:test-key")
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


def paid_total() -> Decimal:
    return -(LedgerEntry.objects.filter(kind="payment").aggregate(s=Sum("amount"))["s"] or 0)


def test_the_same_payments_under_another_channel_label_are_duplicates(charged):
    first = import_registry(parse_sber(registry("1", LINE), "a.txt"), channel="sber")
    # the bank sends the day again in a file of other bytes (another payment order number), and the
    # operator types another --channel: the payments are the same and are not taken again
    again = import_registry(parse_sber(registry("2", LINE), "b.txt"), channel="sberbank-online")
    assert (first.imported, again.imported, again.duplicates) == (1, 0, 1)
    assert Payment.objects.count() == 1 and paid_total() == Decimal("100.00")


def test_api_client_cannot_choose_the_channel_to_pay_twice(client, charged):
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "50.00", "operation_id": "acq-9"}
    for channel in ("a", "b"):
        answer = client.post("/api/v1/payments", {**body, "channel": channel}, content_type="application/json",
                             HTTP_X_API_KEY="test-key")
        assert answer.status_code == 201
    assert Payment.objects.count() == 1 and Payment.objects.get().agent == "api:client:acquirer"


def test_the_idempotency_key_header_and_a_reused_key(client, charged):
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "50.00"}
    headers = {"HTTP_X_API_KEY": "test-key", "HTTP_IDEMPOTENCY_KEY": "k-77"}
    first = client.post("/api/v1/payments", body, content_type="application/json", **headers)
    again = client.post("/api/v1/payments", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = client.post("/api/v1/payments", {**body, "amount": "51.00"}, content_type="application/json", **headers)
    assert other.status_code == 409 and other.json()["errors"][0]["code"] == "idempotency_conflict"
    missing = client.post("/api/v1/payments", body, content_type="application/json", HTTP_X_API_KEY="test-key")
    assert missing.status_code == 400 and missing.json()["errors"][0]["code"] == "missing_field"
    assert Payment.objects.count() == 1 and paid_total() == Decimal("50.00")


def test_cash_desk_form_repeated_submit_takes_the_money_once(client, charged):
    client.force_login(get_user_model().objects.create_superuser("cashier", "c@example.invalid", "pw-test-1234"))
    form = client.get("/cash/").content.decode()
    key = re.search(r'name="operation_id" value="([^"]+)"', form).group(1)
    submit = {"account": "1000000001", "amount": "383.52", "period": "2026-03", "action": "pay", "operation_id": key}
    first = client.post("/cash/", submit, follow=True).content.decode()
    second = client.post("/cash/", submit, follow=True).content.decode()  # a double click, a reload
    assert "Принято 383.52" in first and "уже принята" in second
    assert Payment.objects.count() == 1 and paid_total() == Decimal("383.52")
    assert key not in first  # the next form has a key of its own


def test_cash_desk_refuses_a_key_it_did_not_issue(client, charged):
    client.force_login(get_user_model().objects.create_superuser("cashier", "c@example.invalid", "pw-test-1234"))
    for key in ("", "made-up-by-the-browser"):
        page = client.post("/cash/", {"account": "1000000001", "amount": "10.00", "action": "pay",
                                      "operation_id": key}).content.decode()
        assert "деньги не приняты" in page
    assert not Payment.objects.exists()


def test_rows_recorded_before_the_migration_keep_their_identity(charged):
    """A registry imported under the old (channel, operation) key, then migrated, is still recognised."""
    executor = MigrationExecutor(connection)
    executor.migrate([("payments", "0001_initial")])
    old = executor.loader.project_state([("payments", "0001_initial")]).apps
    registry_row = old.get_model("payments", "PaymentRegistry").objects.create(
        source="a.txt", format="sber", sha256="0" * 64, channel="мой банк")
    old.get_model("payments", "Payment").objects.create(
        registry_id=registry_row.pk, source="registry", channel="мой банк", operation_id=parse_sber(
            registry("1", LINE), "a.txt").payments[0].operation_id, paid_on=date(2026, 4, 25),
        amount=Decimal("100.00"), account_text="1000000001", state="suspense")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    again = import_registry(parse_sber(registry("2", LINE), "b.txt"))
    assert (again.imported, again.duplicates) == (0, 1)
    assert Payment.objects.get().agent == "sber"


def test_the_same_payment_sent_twice_at_once_is_taken_once(charged):
    """Two requests racing with one idempotency key: one payment; the loser gets the first one back."""
    import threading

    from django.db import connections

    from raschet.payments.services import record_payment

    results, start = [], threading.Barrier(2)

    def send():
        try:
            start.wait()
            results.append(record_payment(account_number="1000000001", paid_on=date(2026, 4, 20),
                                          amount=Decimal("70.00"), source="api", operation_id="race-1").pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and results[0] == results[1]
    assert Payment.objects.count() == 1 and paid_total() == Decimal("70.00")
