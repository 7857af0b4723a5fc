"""PostgreSQL: the guard on the lines of posted runs checks a whole UPDATE or DELETE at once.

Replacing the drafts of an open month deletes every line of the superseded run; a row trigger
looked up the run once per line (180,000 lookups for a 20,000-account month). A statement
trigger over the transition table does one join.
"""

from django.db import migrations

MESSAGE = "Строки проведённого расчёта не изменяются"
FORWARD = f"""
DROP TRIGGER chargeline_posted ON billing_chargeline;
DROP FUNCTION raschet_refuse_posted_line();
CREATE FUNCTION raschet_refuse_posted_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_lines o JOIN billing_calcrun r ON r.id = o.run_id WHERE r.status = 'posted') THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER chargeline_posted_update AFTER UPDATE ON billing_chargeline
  REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION raschet_refuse_posted_lines();
CREATE TRIGGER chargeline_posted_delete AFTER DELETE ON billing_chargeline
  REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION raschet_refuse_posted_lines();
ALTER TABLE billing_chargeline ENABLE ALWAYS TRIGGER chargeline_posted_update;
ALTER TABLE billing_chargeline ENABLE ALWAYS TRIGGER chargeline_posted_delete;
"""
BACKWARD = f"""
DROP TRIGGER chargeline_posted_update ON billing_chargeline;
DROP TRIGGER chargeline_posted_delete ON billing_chargeline;
DROP FUNCTION raschet_refuse_posted_lines();
CREATE FUNCTION raschet_refuse_posted_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_calcrun WHERE id = OLD.run_id AND status = 'posted') THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER chargeline_posted BEFORE UPDATE OR DELETE ON billing_chargeline
  FOR EACH ROW EXECUTE FUNCTION raschet_refuse_posted_line();
ALTER TABLE billing_chargeline ENABLE ALWAYS TRIGGER chargeline_posted;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_alter_billingperiod_state")]
    operations = [migrations.RunPython(forwards, backwards)]
