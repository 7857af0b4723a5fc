"""PostgreSQL: the closed-period guard of the ledger checks a whole INSERT (or COPY) at once, and the
guards fire even when a bulk load switches row triggers off.

A row trigger ran one query per entry — 170,000 queries for a day's registry. A statement trigger
over the transition table checks all new entries with one join. ``ENABLE ALWAYS`` keeps the guards
firing under ``session_replication_role = replica``, which the bulk path uses (superuser only) to
replace the per-row foreign-key triggers with one anti-join per key; so the ledger can now take
that fast path too without losing its guards.
"""

from django.db import migrations

FORWARD = """
DROP TRIGGER entry_not_into_closed ON billing_entry;
DROP FUNCTION raschet_refuse_closed_entry();
CREATE FUNCTION raschet_refuse_closed_entries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE closed text;
BEGIN
  SELECT n.period INTO closed FROM new_entries n
    JOIN billing_billingperiod p ON p.period = n.period AND p.state = 'closed' LIMIT 1;
  IF closed IS NOT NULL THEN
    RAISE EXCEPTION 'Период закрыт: проводки в закрытый период не вносятся (%)', closed
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER entry_not_into_closed AFTER INSERT ON billing_entry
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION raschet_refuse_closed_entries();
ALTER TABLE billing_entry ENABLE ALWAYS TRIGGER entry_not_into_closed;
ALTER TABLE billing_entry ENABLE ALWAYS TRIGGER entry_no_update;
ALTER TABLE billing_chargeline ENABLE ALWAYS TRIGGER chargeline_posted;
ALTER TABLE billing_billingperiod ENABLE ALWAYS TRIGGER period_stays_closed;
"""

BACKWARD = """
DROP TRIGGER entry_not_into_closed ON billing_entry;
DROP FUNCTION raschet_refuse_closed_entries();
CREATE FUNCTION raschet_refuse_closed_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_billingperiod WHERE period = NEW.period AND state = 'closed') THEN
    RAISE EXCEPTION 'Период закрыт: проводки в закрытый период не вносятся (%)', NEW.period
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER entry_not_into_closed BEFORE INSERT ON billing_entry
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse_closed_entry();
ALTER TABLE billing_entry ENABLE TRIGGER entry_no_update;
ALTER TABLE billing_chargeline ENABLE TRIGGER chargeline_posted;
ALTER TABLE billing_billingperiod ENABLE TRIGGER period_stays_closed;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_serviceinterruption")]
    operations = [migrations.RunPython(forwards, backwards)]
