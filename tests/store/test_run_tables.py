"""PostgreSQL: a full run's lines land in a bare table of its own (no index while its units write),
which is indexed as the month's partition is and attached as the run's partition when the run ends;
a run that replaces it drops it whole, a cancelled run's goes, a stopped run's is attached so the lines
of its units done stay seen and are resumed into; partial runs write into the month's default
partition. The history guards hold on the run's partition as on any other."""

import os

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from raschet.billing import services
from raschet.billing.lifecycle import FULL_SCOPE, cancel_run, plan_units, start_run
from raschet.billing.models import CalcRun, ChargeLine, RunStatus
from raschet.billing.partitions import (
    attach_run_table,
    drop_run_table,
    ensure_partitions,
    month_partition,
    open_run_table,
    run_table,
)
from raschet.billing.units import execute_unit
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region

pytestmark = pytest.mark.django_db(transaction=True)
PERIOD = Period(2026, 11)


@pytest.fixture
def region(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    load_region(RegionSpec(accounts=300, seed=11), show_progress=False)
    monkeypatch.setattr(services, "UNIT_ACCOUNTS", 100)  # several units


def one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def parent_of(table: str) -> str | None:
    found = one("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [table])
    return found[0] if found else None


def indexes_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = to_regclass(%s)", [table])
        return {definition.split(" USING ", 1)[1] for (definition,) in cursor.fetchall()}


def exists(table: str) -> bool:
    return one("SELECT to_regclass(%s) IS NOT NULL", [table])[0]


def test_a_full_run_writes_into_a_bare_table_and_attaches_it_indexed(region, monkeypatch):
    seen = {}
    real_finish = services._finish_run

    def finish(run, *args):  # the moment the units are done, before the run ends
        seen["parent"], seen["indexes"] = parent_of(run_table(run.pk)), indexes_of(run_table(run.pk))
        seen["in_table"] = one(f"SELECT COUNT(*) FROM {run_table(run.pk)}")[0]
        seen["through_parent"] = ChargeLine.objects.filter(run_id=run.pk).count()
        return real_finish(run, *args)

    monkeypatch.setattr(services, "_finish_run", finish)
    outcome = services.calculate_period(period=PERIOD, workers=1)
    run = outcome.run
    assert seen["parent"] is None and seen["indexes"] == set()  # bare while the units wrote
    assert seen["in_table"] == run.lines > 0 and seen["through_parent"] == 0
    assert parent_of(run_table(run.pk)) == month_partition(PERIOD)
    assert indexes_of(run_table(run.pk)) == indexes_of(month_partition(PERIOD)) == {
        "btree (id, period, run_id)", "btree (account_id, ref_period)", "btree (run_id)"}
    assert ChargeLine.objects.filter(run=run).count() == run.lines == one(f"SELECT COUNT(*) FROM {run_table(run.pk)}")[0]
    plan = "\n".join(row[0] for row in _explain("SELECT * FROM billing_chargeline WHERE account_id = %s AND "
                                                "ref_period = %s", [ChargeLine.objects.first().account_id, str(PERIOD)]))
    assert "Index" in plan  # an account's lines are found by the index built after the load


def _explain(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE billing_chargeline")
        cursor.execute(f"EXPLAIN {sql}", params)
        return cursor.fetchall()


def test_a_new_full_run_drops_the_table_of_the_one_it_replaces_and_partial_runs_use_the_default(region):
    first = services.calculate_period(period=PERIOD, workers=1).run
    number = ChargeLine.objects.filter(run=first).values_list("account__number", flat=True).first()
    partial = services.calculate_period(period=PERIOD, account_numbers=[number], workers=1).run
    assert not exists(run_table(partial.pk))
    assert one("SELECT COUNT(*) FROM " + month_partition(PERIOD) + "_other WHERE run_id = %s", [partial.pk])[0] \
        == partial.lines > 0
    second = services.calculate_period(period=PERIOD, workers=1).run
    assert not exists(run_table(first.pk)) and exists(run_table(second.pk))
    assert set(ChargeLine.objects.values_list("run_id", flat=True).distinct()) == {second.pk}
    assert CalcRun.objects.get(pk=first.pk).status == RunStatus.SUPERSEDED


def test_a_month_partitioned_before_keeps_its_one_partition(region):
    """A month whose partition was made before runs had tables (migration 0018) is written as before."""
    with connection.cursor() as cursor:  # a month no other test makes
        cursor.execute("CREATE TABLE billing_chargeline_p2039_07 PARTITION OF billing_chargeline FOR VALUES IN ('2039-07')")
    run = CalcRun.objects.create(period="2039-07", scope="все лицевые счета", status=RunStatus.RUNNING)
    assert open_run_table(run.pk, Period(2039, 7)) is False and not exists(run_table(run.pk))


def test_a_cancelled_run_loses_its_table(region):
    ensure_partitions(PERIOD)
    run = CalcRun.objects.create(period=str(PERIOD), scope="все лицевые счета", status=RunStatus.RUNNING)
    assert open_run_table(run.pk, PERIOD) is True
    plan_units(run, services._units(None))
    execute_unit(run.pk, 1)
    assert one(f"SELECT COUNT(*) FROM {run_table(run.pk)}")[0] > 0
    with transaction.atomic():
        cancel_run(run, (str(PERIOD), "posted"))
    assert not exists(run_table(run.pk)) and not ChargeLine.objects.filter(run=run).exists()


def test_the_posted_runs_partition_refuses_changes_by_sql(region):
    run = services.calculate_period(period=PERIOD, workers=1).run
    services.post_period(period=PERIOD)
    table = run_table(run.pk)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    forged = ", ".join("id + 1000000000" if c == "id" else c for c in columns)
    for sql in (f"UPDATE {table} SET amount = amount + 1", f"DELETE FROM {table}", f"TRUNCATE {table}",
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {forged} FROM {table} LIMIT 1"):
        with pytest.raises(DatabaseError) as refused:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        assert any(word in str(refused.value) for word in ("запрещ", "не изменя")), sql
    assert ChargeLine.objects.filter(run=run).count() == run.lines


def test_the_application_role_gets_a_run_table_it_cannot_drop(region):
    """The application's role of docs/period-lifecycle.md owns nothing and may not create tables: the
    run's table is made and attached by functions with the owner's rights, and the role can neither
    drop it itself nor have a posted run's dropped."""
    ensure_partitions(PERIOD)
    role = f"raschet_run_probe_{os.getpid()}"
    run = CalcRun.objects.create(period=str(PERIOD), scope="все лицевые счета", status=RunStatus.RUNNING)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        with pytest.raises(DatabaseError):  # the role may not make a table of its own
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("CREATE TABLE billing_chargeline_forged (id bigint)")
        assert open_run_table(run.pk, PERIOD) is True
        with pytest.raises(DatabaseError):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {run_table(run.pk)}")
        assert attach_run_table(run.pk) is True
        CalcRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
        CalcRun.objects.filter(pk=run.pk).update(status=RunStatus.POSTED)  # as posting leaves it
        with pytest.raises(DatabaseError) as refused:
            with transaction.atomic():
                drop_run_table(run.pk)
        assert "не изменяются" in str(refused.value)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
    assert parent_of(run_table(run.pk)) == month_partition(PERIOD)
    assert one("SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE oid = to_regclass(%s)",
               [run_table(run.pk)])[0]


def test_a_run_killed_after_a_unit_resumes_into_its_bare_table(region):
    """``kill -9`` after the first unit: the run is left «running» with its table bare; the resume
    writes the other units into it and attaches it, every unit's lines there once."""
    ensure_partitions(PERIOD)
    run = start_run(PERIOD, FULL_SCOPE, timezone.now(), services._units(None))
    assert open_run_table(run.pk, PERIOD) is True
    execute_unit(run.pk, 1)  # then the process dies
    first = one(f"SELECT COUNT(*) FROM {run_table(run.pk)}")[0]
    assert first > 0 and parent_of(run_table(run.pk)) is None
    resumed = services.resume_run(run.pk, workers=1).run
    assert resumed.status == RunStatus.DONE and parent_of(run_table(run.pk)) == month_partition(PERIOD)
    assert ChargeLine.objects.filter(run=run).count() == resumed.lines == sum(u.lines for u in run.units.all()) > first
