"""Plain SQL cannot falsify history, on SQLite and PostgreSQL (issue 10, item 6): every forgery of the
issue and its neighbours is tried with a cursor, as a hostile ``psql``/``sqlite3`` user would, and
refused by the database, leaving history exactly as it was.

The SQL of each forgery is built by the helpers below from what history *is* (the posted run, the
closed period, a payment), so a later change of storage (issue 12: narrow lines, per-run partitions)
adapts the helpers, not the tests."""

import os
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from raschet.billing.models import (
    Balance,
    BillingPeriod,
    CalcRun,
    ChargeLine,
    LedgerEntry,
    LineBlock,
    RunStatus,
)
from raschet.billing.partitions import ensure_partitions
from raschet.billing.services import calculate_period, close_period, post_period
from raschet.billing.turnover import totals, turnover
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.models import Payment
from raschet.payments.services import record_payment
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)
MARCH, APRIL, MAY = Period(2026, 3), Period(2026, 4), Period(2026, 5)
REFUSED = ("не изменя", "закрыт", "Закрыт", "запрещ", "не удаля", "проведён", "Проведён", "Сальдо", "создаётся",
           "no such function", "no such table")


@pytest.fixture
def history(scenario_path):
    """March closed (with balances), April posted (still open to payments), May calculated (a draft),
    a payment in April."""
    data = read_scenario(scenario_path("cold_water_meter.json"))
    meter = data["buildings"][0]["premises"][0]["accounts"][0]["meters"][0]
    meter["readings"] += [{"date": "2026-04-24", "value": "138.000"}, {"date": "2026-05-25", "value": "145.000"}]
    load_scenario(data)
    calculate_period(period=MARCH)
    close_period(period=MARCH)
    record_payment(account_number="1000000001", paid_on=date(2026, 4, 10), amount="500.00", source="cash",
                   channel="desk", operation_id="p-1")
    calculate_period(period=APRIL)
    post_period(period=APRIL)
    calculate_period(period=MAY)
    calculate_period(period=MAY)  # the first May run superseded, the second the draft


# ---------------------------------------------------------------- what history is, in one place


def posted_run() -> CalcRun:
    return CalcRun.objects.filter(status=RunStatus.POSTED).order_by("-period").first()


def draft_run() -> CalcRun:
    return CalcRun.objects.get(status=RunStatus.DONE)


def superseded_run() -> CalcRun:
    return CalcRun.objects.get(status=RunStatus.SUPERSEDED)


def fingerprint() -> tuple:
    """Everything a forgery could change, compared before and after."""
    lines = sorted(ChargeLine.objects.filter(run__status=RunStatus.POSTED).values_list(
        "run_id", "account_id", "ref_period", "kind", "amount", "volume"))
    blocks = sorted((run, first, last, count, bytes(data)) for run, first, last, count, data in LineBlock.objects.filter(
        run__status=RunStatus.POSTED).values_list("run_id", "first_account", "last_account", "lines", "data"))
    return (sorted(LedgerEntry.objects.values_list("id", "account_id", "period", "kind", "amount")), lines, blocks,
            sorted(CalcRun.objects.values_list("id", "status")), sorted(BillingPeriod.objects.values_list("period", "state")),
            sorted(Balance.objects.values_list("account_id", "period", "closing")),
            sorted(Payment.objects.values_list("id", "amount", "paid_on", "account_text", "channel", "operation_id")),
            totals(turnover(APRIL)))


def partitions() -> list[str]:
    """The partitions of the ledger and the lines (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT child.relname FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent
                          JOIN pg_class child ON child.oid = i.inhrelid
                          WHERE parent.relname IN ('billing_entry', 'billing_chargeline') ORDER BY 1""")
        return [name for (name,) in cursor.fetchall()]


def truncate(table: str) -> str:
    """Emptying a table: TRUNCATE on PostgreSQL, a DELETE without WHERE on SQLite (its TRUNCATE)."""
    return f"TRUNCATE {table} CASCADE" if connection.vendor == "postgresql" else f"DELETE FROM {table}"


LINE_COLUMNS = ("run_id, account_id, service_id, supplier_id, period, ref_period, kind, zone, band, date_from, "
                "date_to, days, method, volume_source, volume, tariff, factor, amount, excess_amount, reason")


def forged_line_into(run_id: int, source_run_id: int) -> str:
    """A copy of a line of ``source_run_id`` inserted into ``run_id`` with another amount."""
    columns = LINE_COLUMNS.replace("amount, excess", "amount + 1000, excess").replace("run_id,", f"{run_id},", 1)
    return f"INSERT INTO billing_chargeline ({LINE_COLUMNS}) SELECT {columns} FROM billing_chargeline WHERE run_id = {source_run_id}"


def forgeries() -> dict[str, str]:
    posted, draft = posted_run().pk, draft_run().pk
    return {
        "run back to draft": f"UPDATE billing_calcrun SET status = 'done' WHERE id = {posted}",
        "posted lines edited": f"UPDATE billing_chargeline SET amount = amount + 1 WHERE run_id = {posted}",
        "posted lines deleted": f"DELETE FROM billing_chargeline WHERE run_id = {posted}",
        "line forged into a posted run": forged_line_into(posted, posted),
        "draft line moved into a posted run": f"UPDATE billing_chargeline SET run_id = {posted} WHERE run_id = {draft}",
        "posted blocks edited": f"UPDATE billing_lineblock SET lines = lines + 1 WHERE run_id = {posted}",
        "posted blocks deleted": f"DELETE FROM billing_lineblock WHERE run_id = {posted}",
        "block forged into a posted run": f"INSERT INTO billing_lineblock (run_id, first_account, last_account, lines, "
                                          f"codes, data) SELECT {posted}, first_account, last_account, lines, codes, "
                                          f"data FROM billing_lineblock WHERE run_id = {draft}",
        "draft block moved into a posted run": f"UPDATE billing_lineblock SET run_id = {posted} WHERE run_id = {draft}",
        "superseded run made posted": f"UPDATE billing_calcrun SET status = 'posted' WHERE id = {superseded_run().pk}",
        "run born posted": "INSERT INTO billing_calcrun (period, scope, simulate, status, started_at, accounts, lines, "
                           "problems, timings) VALUES ('2026-04', 'x', false, 'posted', '2026-04-30', 0, 0, 0, '{}')",
        "posted run deleted": f"DELETE FROM billing_calcrun WHERE id = {posted}",
        "balance moved": "UPDATE billing_balance SET closing = closing + 1000",
        "balance deleted": "DELETE FROM billing_balance",
        "balance forged into a closed period": "INSERT INTO billing_balance (account_id, service_id, supplier_id, "
                                               "period, closing) SELECT account_id, service_id, supplier_id, "
                                               "'2026-03', 1000 FROM billing_balance",
        "balance forged into an open period": "INSERT INTO billing_balance (account_id, service_id, supplier_id, "
                                              "period, closing) SELECT account_id, service_id, supplier_id, "
                                              "'2026-05', 1000 FROM billing_balance",
        "posted period back to calculated": "UPDATE billing_billingperiod SET state = 'calculated' WHERE period = '2026-04'",
        "posted period reopened": "UPDATE billing_billingperiod SET state = 'open' WHERE period = '2026-04'",
        "closed period reopened": "UPDATE billing_billingperiod SET state = 'posted' WHERE period = '2026-03'",
        "closed period touched": "UPDATE billing_billingperiod SET closed_at = NULL WHERE period = '2026-03'",
        "posted period deleted": "DELETE FROM billing_billingperiod WHERE period = '2026-04'",
        "closed period deleted": "DELETE FROM billing_billingperiod WHERE period = '2026-03'",
        "period born closed": "INSERT INTO billing_billingperiod (period, state) VALUES ('2026-09', 'closed')",
        "entry edited": "UPDATE billing_entry SET amount = amount + 1",
        "entry deleted": "DELETE FROM billing_entry",
        "entry into a closed period": "INSERT INTO billing_entry (account_id, service_id, supplier_id, period, "
                                      "ref_period, kind, amount, reason, created_at) SELECT account_id, service_id, "
                                      "supplier_id, '2026-03', '2026-03', 'correction', 1, '', created_at FROM billing_entry",
        **{f"payment {column} changed": f"UPDATE payments_payment SET {column} = {value}" for column, value in (
            ("amount", "1"), ("paid_on", "'2026-04-11'"), ("account_text", "'1000000002'"), ("channel", "'other'"),
            ("operation_id", "'p-2'"))},
        "payment deleted": "DELETE FROM payments_payment",
        **{f"{table} truncated": truncate(table) for table in TRUNCATED},
    }


TRUNCATED = ("billing_entry", "billing_chargeline", "billing_lineblock", "billing_calcrun", "billing_billingperiod",
             "billing_balance", "payments_payment")
TRUNCATED_ON_POSTGRESQL = ("billing_recalcmark", "payments_paymentregistry", "payments_paymentevent")  # SQLite:
# emptied by DELETE, which the services use on marks, and registries are kept by their payments' keys


def refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as error:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    return str(error.value)


# ---------------------------------------------------------------- the forgeries


NAMES = ["run back to draft", "posted lines edited", "posted lines deleted", "line forged into a posted run",
         "draft line moved into a posted run", "posted blocks edited", "posted blocks deleted",
         "block forged into a posted run", "draft block moved into a posted run", "superseded run made posted",
         "run born posted", "posted run deleted", "balance moved", "balance deleted",
         "balance forged into a closed period", "balance forged into an open period",
         "posted period back to calculated", "posted period reopened", "closed period reopened",
         "closed period touched", "posted period deleted", "closed period deleted", "period born closed",
         "entry edited", "entry deleted", "entry into a closed period", "payment amount changed",
         "payment paid_on changed", "payment account_text changed", "payment channel changed",
         "payment operation_id changed", "payment deleted", *(f"{table} truncated" for table in TRUNCATED)]


@pytest.mark.parametrize("name", NAMES)
def test_plain_sql_cannot_forge_history(history, name):
    sql = forgeries()[name]
    before = fingerprint()
    message = refused(sql)
    assert any(word in message for word in REFUSED), message
    assert fingerprint() == before


def test_the_list_of_forgeries_is_tried_whole(history):
    assert sorted(forgeries()) == sorted(NAMES)


@pytest.mark.parametrize("table", TRUNCATED_ON_POSTGRESQL)
def test_the_other_state_tables_refuse_truncate(history, table):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    before = fingerprint()
    assert "запрещ" in refused(f"TRUNCATE {table} CASCADE")
    assert fingerprint() == before


def test_the_issue_sequence_run_back_to_done_then_edit_its_lines(history):
    """The issue: ``UPDATE billing_calcrun SET status='done'`` was accepted, then the 'draft' lines edited."""
    before = fingerprint()
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(forgeries()["run back to draft"])
            cursor.execute(forgeries()["posted lines edited"])
    assert fingerprint() == before


def test_what_the_services_change_stays_allowed(history):
    """The guards keep to history: a payment's state and account, drafts, open rows still change."""
    payment = Payment.objects.get()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_payment SET state = 'suspense', account_id = NULL WHERE id = %s", [payment.pk])
        cursor.execute("UPDATE payments_payment SET state = 'allocated', account_id = %s WHERE id = %s",
                       [payment.account_id, payment.pk])
        cursor.execute(f"UPDATE billing_chargeline SET reason = 'x' WHERE run_id = {draft_run().pk}")
        cursor.execute(f"UPDATE billing_lineblock SET lines = lines WHERE run_id = {draft_run().pk}")
        cursor.execute("INSERT INTO billing_billingperiod (period, state) VALUES ('2026-09', 'open')")
        cursor.execute("DELETE FROM billing_billingperiod WHERE period = '2026-09'")
    calculate_period(period=MAY)  # drafts replaced: the previous draft's lines deleted
    assert ChargeLine.objects.filter(run__status=RunStatus.DONE).count() == 1


def test_a_balance_forged_into_the_posted_period_is_refused_at_close(history):
    """The one door the database leaves open (a balance written while the period is posted, as the
    close does): the close refuses to take such rows into the snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO billing_balance (account_id, service_id, supplier_id, period, closing) "
                       "SELECT account_id, service_id, supplier_id, '2026-04', 1000 FROM billing_balance")
    with pytest.raises(ProblemsError) as problem:
        close_period(period=APRIL)
    assert problem.value.problems[0].code == "foreign_balances"
    assert BillingPeriod.objects.get(period="2026-04").state == "posted"


def test_the_old_unlock_table_is_gone(history):
    """On SQLite ``INSERT INTO billing_ledger_unlock`` unlocked deleting closed entries and the closed
    period itself; nothing of the kind is reachable by SQL now."""
    before = fingerprint()
    assert "no such table" in refused("INSERT INTO billing_ledger_unlock (id) VALUES (1)") or \
        connection.vendor == "postgresql"
    for sql in ("DELETE FROM billing_entry", "DELETE FROM billing_billingperiod WHERE period = '2026-03'"):
        refused(sql)
    assert fingerprint() == before


def test_a_plain_sqlite_client_fails_closed(history):
    """A connection that is not the application's (no ``raschet_history_unlocked``) cannot delete history."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own client")
    before = fingerprint()
    plain = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        for table in ("billing_entry", "billing_balance", "payments_payment", "billing_chargeline", "billing_lineblock"):
            with pytest.raises(sqlite3.OperationalError, match="raschet_history_unlocked|запрещ|не "):
                plain.execute(f"DELETE FROM {table}")
        plain.rollback()
    finally:
        plain.close()
    assert fingerprint() == before


def test_every_partition_refuses_truncate_and_changes_including_later_ones(history):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    ensure_partitions(Period(2033, 1))  # made after the guards: they must carry them too
    names = partitions()
    assert "billing_entry_y2033" in names and "billing_chargeline_p2033_01" in names
    before = fingerprint()
    for name in names:
        assert "запрещ" in refused(f"TRUNCATE {name}"), name
    for name in ("billing_chargeline_p2026_03", "billing_chargeline_p2026_04"):  # the posted runs' lines
        refused(f"UPDATE {name} SET amount = amount + 1")
        refused(f"DELETE FROM {name}")
    refused("UPDATE billing_entry_y2026 SET amount = amount + 1")
    refused(forged_line_into(posted_run().pk, posted_run().pk).replace("INTO billing_chargeline ",
                                                                          "INTO billing_chargeline_p2026_04 "))
    assert fingerprint() == before


def test_an_application_role_cannot_lift_the_guards(history):
    """PostgreSQL: what the guards stand on. A role that owns nothing and is no superuser (how the
    application should connect: docs/history-guards.md) can neither forge history nor switch a guard
    off; a superuser can (replica mode lifts the TRUNCATE guards — the tests' teardown — and DISABLE
    TRIGGER any), which is why the application must not be one."""
    if connection.vendor != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"raschet_guard_probe_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    before = fingerprint()
    try:
        for sql in ("SET session_replication_role = replica", "ALTER TABLE billing_entry DISABLE TRIGGER ALL",
                    "DROP TRIGGER entry_no_update ON billing_entry", "TRUNCATE billing_entry",
                    forgeries()["run back to draft"], forgeries()["balance moved"]):
            with pytest.raises(DatabaseError):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL ROLE {role}")
                    cursor.execute(sql)
        with transaction.atomic(), connection.cursor() as cursor:  # the superuser can: shown, then undone
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("TRUNCATE billing_balance")
            cursor.execute("SELECT COUNT(*) FROM billing_balance")
            assert cursor.fetchone()[0] == 0
            transaction.set_rollback(True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
    assert fingerprint() == before


def test_the_turnover_sheet_still_adds_up(history):
    sums = totals(turnover(MARCH, APRIL))
    assert sums["opening"] + sums["charged"] + sums["recalculated"] + sums["penalty"] - sums["paid"] == sums["closing"]
    assert sums["paid"] == Decimal("500.00")


def test_guards_come_back_after_a_migration_rebuilds_a_table(history):
    """SQLite drops a table's triggers when a migration rebuilds the table (any app's AlterField on
    payments_payment would): ``migrate`` makes the missing guards again (post_migrate)."""
    from django.core.management import call_command

    from raschet.payments.models import Payment

    if connection.vendor == "sqlite":
        old = Payment._meta.get_field("payer")
        new = old.clone()
        new.max_length = 201
        new.set_attributes_from_name("payer")
        new.model = Payment
        with connection.schema_editor() as editor:
            editor.alter_field(Payment, old, new)  # a rebuild: the table anew, without its triggers
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER payment_identity_fixed ON payments_payment")
    with transaction.atomic(), connection.cursor() as cursor:  # unguarded now: shown, then undone
        cursor.execute("UPDATE payments_payment SET amount = 1")
        transaction.set_rollback(True)
    call_command("migrate", verbosity=0)
    before = fingerprint()
    refused("UPDATE payments_payment SET amount = 1")
    assert fingerprint() == before
