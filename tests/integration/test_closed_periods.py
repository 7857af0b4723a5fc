"""History cannot be changed: not through the services, not through the admin, not through SQL. The
closed March holds its charge as the line of its posted run (no copy) and a payment's entries."""

from datetime import UTC, date

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from raschet.billing.models import BillingPeriod, CalcRun, ChargeLine, Entry, LedgerEntry
from raschet.billing.services import calculate_period, close_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.services import record_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = Period(2026, 3)


@pytest.fixture
def closed_march(scenario_path):
    """March closed: its charge (383.52, a line of the posted run) and a payment of 100.00 made in March
    (stored entries); returns the ledger as it was closed."""
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=MARCH)
    record_payment(account_number="1000000001", paid_on=date(2026, 3, 20), amount="100.00", source="cash",
                   channel="desk-1", operation_id="march-1")
    close_period(period=MARCH)
    assert Entry.objects.filter(period="2026-03").exists() and not Entry.objects.filter(kind="charge").exists()
    return _ledger()


def _ledger() -> list[tuple]:
    return sorted(LedgerEntry.objects.values_list("id", "kind", "period", "amount"))


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
    "INSERT INTO billing_entry (account_id, service_id, supplier_id, period, ref_period, kind, amount, reason, "
    "created_at) SELECT account_id, service_id, supplier_id, '2026-03', '2026-03', 'charge', amount, '', created_at "
    "FROM billing_ledger WHERE kind = 'charge'",
])
def test_sql_cannot_change_a_closed_period(closed_march, sql):
    with pytest.raises(DatabaseError) as refused:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert any(word in str(refused.value) for word in ("не изменяются", "закрыт", "Закрытый"))
    assert _ledger() == closed_march
    assert [str(e.amount) for e in LedgerEntry.objects.filter(kind="charge")] == ["383.52"]
    assert BillingPeriod.objects.get(period="2026-03").state == "closed"


def test_services_refuse_to_recalculate_or_close_again(closed_march):
    for action in (calculate_period, close_period):
        with pytest.raises(ProblemsError) as refused:
            action(period=MARCH)
        assert refused.value.problems[0].code == "period_closed"


def test_admin_offers_no_way_to_edit(client, closed_march):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.invalid", "pw"))
    charge, line = LedgerEntry.objects.get(kind="charge"), ChargeLine.objects.get()
    entry = Entry.objects.filter(kind="payment").first()
    period = BillingPeriod.objects.get()
    assert client.post(f"/admin/billing/entry/{entry.pk}/change/", {"amount": "1"}).status_code == 403
    assert client.post(f"/admin/billing/ledgerentry/{charge.pk}/change/", {"amount": "1"}).status_code == 403
    unsearched = client.get("/admin/billing/ledgerentry/").content.decode()
    assert "по одному лицевому счёту" in unsearched and "383,52" not in unsearched and "383.52" not in unsearched
    searched = client.get("/admin/billing/ledgerentry/", {"q": "1000000001"}).content.decode()
    assert "383,52" in searched or "383.52" in searched
    assert client.post(f"/admin/billing/chargeline/{line.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/billing/billingperiod/{period.pk}/change/", {"state": "open"}).status_code == 403
    assert _ledger() == closed_march


def test_the_bulk_path_cannot_post_into_a_closed_period_either(closed_march):
    from datetime import datetime

    from raschet.bulk import Tables, first_free_ids, write_tables
    from raschet.payments.services import ENTRY_COLUMNS

    entry = LedgerEntry.objects.get(kind="charge")
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            tables = Tables(first_free_ids([Entry]))
            tables.add(Entry, ENTRY_COLUMNS, entry.account_id, entry.service_id, entry.supplier_id, "2026-03",
                       "2026-03", "correction", "1.00", None, None, None, "", datetime.now(UTC))
            write_tables(tables)
    assert _ledger() == closed_march


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
        lines, entries, default = cursor.fetchone()
        assert (lines, default) == (1, 0) and entries == Entry.objects.count() > 0
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert _ledger() == closed_march
    assert LedgerEntry.objects.get(kind="charge").amount == ChargeLine.objects.get().amount


def test_a_run_smuggled_into_a_closed_period_cannot_be_made_posted(closed_march):
    """Posting puts a run's lines into the ledger without a copy, so making a run «posted» by SQL would
    add entries to the closed March: a run written there afterwards (a draft, or a simulation) is
    refused that state, and the posted run cannot lose or change its place in the ledger."""
    posted = CalcRun.objects.get(status="posted")
    line = ChargeLine.objects.get()
    for simulate in (False, True):
        smuggled = CalcRun.objects.create(period="2026-03", status="done", simulate=simulate)
        ChargeLine.objects.create(**{f.attname: getattr(line, f.attname) for f in ChargeLine._meta.concrete_fields
                                     if f.attname not in ("id", "run_id")}, run=smuggled)
        with pytest.raises(DatabaseError) as refused:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE billing_calcrun SET status = 'posted', ledger_mark = %s, posted_at = %s "
                               "WHERE id = %s", [posted.ledger_mark + 1000, posted.posted_at, smuggled.pk])
        assert "только при проведении периода" in str(refused.value)
        assert _ledger() == closed_march
    for sql in ("UPDATE billing_calcrun SET ledger_mark = NULL", "UPDATE billing_calcrun SET ledger_mark = 1",
                "UPDATE billing_calcrun SET status = 'done'"):
        with pytest.raises(DatabaseError):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql + " WHERE id = %s", [posted.pk])
    assert _ledger() == closed_march and CalcRun.objects.get(pk=posted.pk).ledger_mark == posted.ledger_mark
