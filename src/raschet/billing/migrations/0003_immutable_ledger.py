"""The database itself refuses to change history: ledger entries are never updated or deleted, nothing is
posted into a closed period, posted lines stay as they are, and a closed period cannot be reopened.

The services already refuse all of this; the triggers make SQL from any other tool refuse it too.
SQLite rebuilds a table to alter it, which breaks triggers that name it: a later migration altering
billing_entry, billing_chargeline, billing_calcrun or billing_billingperiod must drop these triggers
first and create them again after.
``billing_ledger_unlock`` exists for one purpose: a test database being emptied between tests on
SQLite (PostgreSQL empties with TRUNCATE, which row triggers do not see).
"""

from django.db import migrations

MESSAGE_ENTRY = "Проводки не изменяются и не удаляются: исправление оформляется новой проводкой"
MESSAGE_CLOSED = "Период закрыт: проводки в закрытый период не вносятся"
MESSAGE_LINE = "Строки проведённого расчёта не изменяются"
MESSAGE_PERIOD = "Закрытый период нельзя открыть или удалить"

POSTGRESQL = f"""
CREATE TABLE billing_ledger_unlock (id integer);
CREATE FUNCTION raschet_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$;
CREATE FUNCTION raschet_refuse_closed_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_billingperiod WHERE period = NEW.period AND state = 'closed') THEN
    RAISE EXCEPTION '{MESSAGE_CLOSED} (%)', NEW.period USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION raschet_refuse_posted_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_calcrun WHERE id = OLD.run_id AND status = 'posted') THEN
    RAISE EXCEPTION '{MESSAGE_LINE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE FUNCTION raschet_refuse_reopen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'closed' THEN
    RAISE EXCEPTION '{MESSAGE_PERIOD} (%)', OLD.period USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER entry_no_update BEFORE UPDATE OR DELETE ON billing_entry
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse('{MESSAGE_ENTRY}');
CREATE TRIGGER entry_not_into_closed BEFORE INSERT ON billing_entry
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse_closed_entry();
CREATE TRIGGER chargeline_posted BEFORE UPDATE OR DELETE ON billing_chargeline
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse_posted_line();
CREATE TRIGGER period_stays_closed BEFORE UPDATE OR DELETE ON billing_billingperiod
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse_reopen();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER period_stays_closed ON billing_billingperiod; DROP FUNCTION raschet_refuse_reopen();
DROP TRIGGER chargeline_posted ON billing_chargeline; DROP FUNCTION raschet_refuse_posted_line();
DROP TRIGGER entry_not_into_closed ON billing_entry; DROP FUNCTION raschet_refuse_closed_entry();
DROP TRIGGER entry_no_update ON billing_entry; DROP FUNCTION raschet_refuse();
DROP TABLE billing_ledger_unlock;
"""

UNLOCKED = "NOT EXISTS (SELECT 1 FROM billing_ledger_unlock)"
SQLITE = [
    "CREATE TABLE billing_ledger_unlock (id integer)",
    f"""CREATE TRIGGER entry_no_update BEFORE UPDATE ON billing_entry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_ENTRY}'); END""",
    f"""CREATE TRIGGER entry_no_delete BEFORE DELETE ON billing_entry WHEN {UNLOCKED}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_ENTRY}'); END""",
    f"""CREATE TRIGGER entry_not_into_closed BEFORE INSERT ON billing_entry
        WHEN EXISTS (SELECT 1 FROM billing_billingperiod WHERE period = NEW.period AND state = 'closed')
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_CLOSED}'); END""",
    f"""CREATE TRIGGER chargeline_no_update BEFORE UPDATE ON billing_chargeline
        WHEN EXISTS (SELECT 1 FROM billing_calcrun WHERE id = OLD.run_id AND status = 'posted')
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_LINE}'); END""",
    f"""CREATE TRIGGER chargeline_no_delete BEFORE DELETE ON billing_chargeline
        WHEN {UNLOCKED} AND EXISTS (SELECT 1 FROM billing_calcrun WHERE id = OLD.run_id AND status = 'posted')
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_LINE}'); END""",
    f"""CREATE TRIGGER period_no_reopen BEFORE UPDATE ON billing_billingperiod WHEN OLD.state = 'closed'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_PERIOD}'); END""",
    f"""CREATE TRIGGER period_no_delete BEFORE DELETE ON billing_billingperiod
        WHEN {UNLOCKED} AND OLD.state = 'closed'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE_PERIOD}'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER entry_no_update", "DROP TRIGGER entry_no_delete", "DROP TRIGGER entry_not_into_closed",
                  "DROP TRIGGER chargeline_no_update", "DROP TRIGGER chargeline_no_delete",
                  "DROP TRIGGER period_no_reopen", "DROP TRIGGER period_no_delete", "DROP TABLE billing_ledger_unlock"]


def forwards(apps, schema_editor):
    statements = [POSTGRESQL] if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    statements = [POSTGRESQL_REVERSE] if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_entry_payment_alter_entry_service_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
