"""History cannot be changed: not through the services, not through the admin, not through SQL."""

from datetime import UTC

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from raschet.billing.models import BillingPeriod, ChargeLine, Entry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = Period(2026, 3)


@pytest.fixture
def closed_march(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=MARCH)
    close_period(period=MARCH)


@pytest.mark.parametrize("sql", [
    "UPDATE billing_entry SET amount = 1",
    "DELETE FROM billing_entry",
    "UPDATE billing_chargeline SET amount = 1",
    "DELETE FROM billing_chargeline",
    "UPDATE billing_billingperiod SET state = 'open'",
    "DELETE FROM billing_billingperiod",
    "INSERT INTO billing_entry (account_id, service_id, supplier_id, period, ref_period, kind, amount, reason, "
    "created_at) SELECT account_id, service_id, supplier_id, '2026-03', '2026-03', 'correction', 1, '', created_at "
    "FROM billing_entry",
])
def test_sql_cannot_change_a_closed_period(closed_march, sql):
    with pytest.raises(DatabaseError) as refused:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert any(word in str(refused.value) for word in ("не изменяются", "закрыт", "Закрытый"))
    assert [str(e.amount) for e in Entry.objects.all()] == ["383.52"]
    assert BillingPeriod.objects.get(period="2026-03").state == "closed"


def test_services_refuse_to_recalculate_or_close_again(closed_march):
    for action in (calculate_period, close_period):
        with pytest.raises(ProblemsError) as refused:
            action(period=MARCH)
        assert refused.value.problems[0].code == "period_closed"


def test_admin_offers_no_way_to_edit(client, closed_march):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.invalid", "pw"))
    entry, line = Entry.objects.get(), ChargeLine.objects.get()
    period = BillingPeriod.objects.get()
    assert client.post(f"/admin/billing/entry/{entry.pk}/change/", {"amount": "1"}).status_code == 403
    assert client.post(f"/admin/billing/chargeline/{line.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/billing/billingperiod/{period.pk}/change/", {"state": "open"}).status_code == 403
    assert Entry.objects.get().amount == entry.amount


def test_the_bulk_path_cannot_post_into_a_closed_period_either(closed_march):
    from datetime import datetime

    from raschet.bulk import Tables, first_free_ids, write_tables
    from raschet.payments.services import ENTRY_COLUMNS

    entry = Entry.objects.get()
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            tables = Tables(first_free_ids([Entry]))
            tables.add(Entry, ENTRY_COLUMNS, entry.account_id, entry.service_id, entry.supplier_id, "2026-03",
                       "2026-03", "correction", "1.00", None, None, None, "", datetime.now(UTC))
            write_tables(tables)
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("sql", [
    "UPDATE billing_entry_y2026 SET amount = 1",
    "DELETE FROM billing_entry_y2026",
    "UPDATE billing_chargeline_p2026_03 SET amount = 1",
    "DELETE FROM billing_chargeline_p2026_03",
])
def test_the_partitions_of_a_closed_period_refuse_changes_too(closed_march, sql):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    with connection.cursor() as cursor:  # the month's lines and entries are in their own partitions
        cursor.execute("SELECT (SELECT COUNT(*) FROM billing_chargeline_p2026_03), "
                       "(SELECT COUNT(*) FROM billing_entry_y2026), (SELECT COUNT(*) FROM billing_entry_default)")
        assert cursor.fetchone() == (1, 1, 0)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Entry.objects.get().amount == ChargeLine.objects.get().amount
