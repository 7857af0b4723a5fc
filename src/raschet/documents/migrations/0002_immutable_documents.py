"""The database refuses to change an issued payment document: its rows are never updated or deleted,
from the services or from plain SQL. A re-issue is a new row (the next version).

As for the ledger (billing.guards): on SQLite deletion asks ``raschet_history_unlocked()``, which only a
program defines (the application as 0, the test suite's flush as 1), so a plain ``sqlite3`` client fails
closed; on PostgreSQL TRUNCATE is refused by a statement trigger left ENABLE (not ALWAYS), so only a
superuser's replica mode — the test teardown — lifts it. A later migration altering
documents_paymentdocument on SQLite (which rebuilds the table) must drop these triggers first and create
them again after.
"""

from django.db import migrations

MESSAGE = "Выпущенный платёжный документ не изменяется и не удаляется: исправление выпускается новой версией"

POSTGRESQL = f"""
CREATE FUNCTION documents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$;
CREATE TRIGGER paymentdocument_immutable BEFORE UPDATE OR DELETE ON documents_paymentdocument
  FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
ALTER TABLE documents_paymentdocument ENABLE ALWAYS TRIGGER paymentdocument_immutable;
CREATE TRIGGER paymentdocument_no_truncate BEFORE TRUNCATE ON documents_paymentdocument
  FOR EACH STATEMENT EXECUTE FUNCTION documents_refuse_change();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER paymentdocument_no_truncate ON documents_paymentdocument;
DROP TRIGGER paymentdocument_immutable ON documents_paymentdocument;
DROP FUNCTION documents_refuse_change();
"""
SQLITE = [
    f"""CREATE TRIGGER paymentdocument_no_update BEFORE UPDATE ON documents_paymentdocument
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER paymentdocument_no_delete BEFORE DELETE ON documents_paymentdocument
        WHEN NOT raschet_history_unlocked()
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER paymentdocument_no_update", "DROP TRIGGER paymentdocument_no_delete"]


def forwards(apps, schema_editor):
    statements = [POSTGRESQL] if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    statements = [POSTGRESQL_REVERSE] if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("billing", "0014_history_guards")]
    operations = [migrations.RunPython(forwards, backwards)]
