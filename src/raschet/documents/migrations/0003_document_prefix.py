"""Documents keep the beginning every file shares once (``DocumentPrefix``) and only their own bytes
(``pdf_tail``): a month's versions become six times smaller to write and to keep.

The column is renamed, not rewritten: a version stored before holds its whole file in ``pdf_tail`` and
no prefix. Prefixes are as immutable as the documents (the same refusal, from plain SQL too). On
PostgreSQL the tail is stored without compression: its streams are deflated already, and trying to
compress 8 KB of them costs the server more than it saves.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

MESSAGE = "Общее начало файлов выпущенных документов не изменяется и не удаляется"

POSTGRESQL = """
ALTER TABLE documents_paymentdocument ALTER COLUMN pdf_tail SET STORAGE EXTERNAL;
ALTER TABLE documents_documentprefix ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE TRIGGER documentprefix_immutable BEFORE UPDATE OR DELETE ON documents_documentprefix
  FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
ALTER TABLE documents_documentprefix ENABLE ALWAYS TRIGGER documentprefix_immutable;
CREATE TRIGGER documentprefix_no_truncate BEFORE TRUNCATE ON documents_documentprefix
  FOR EACH STATEMENT EXECUTE FUNCTION documents_refuse_change();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER documentprefix_no_truncate ON documents_documentprefix;
DROP TRIGGER documentprefix_immutable ON documents_documentprefix;
"""
SQLITE = [
    f"""CREATE TRIGGER documentprefix_no_update BEFORE UPDATE ON documents_documentprefix
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER documentprefix_no_delete BEFORE DELETE ON documents_documentprefix
        WHEN NOT raschet_history_unlocked()
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER documentprefix_no_update", "DROP TRIGGER documentprefix_no_delete"]


# SQLite rebuilds documents_paymentdocument when the prefix column is removed again (a foreign key
# cannot be dropped in place), and a rebuilt table has lost its triggers: the documents' own triggers
# (0002) are dropped before this migration's changes either way and made again after them.
DOCUMENT_TRIGGERS = import_module("raschet.documents.migrations.0002_immutable_documents")


def _sqlite(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            schema_editor.execute(statement, params=None)


def _document_triggers_dropped(apps, schema_editor):
    _sqlite(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name in ("paymentdocument_no_update",
                                                                          "paymentdocument_no_delete")])


def _document_triggers_made(apps, schema_editor):
    _document_triggers_dropped(apps, schema_editor)
    _sqlite(schema_editor, DOCUMENT_TRIGGERS.SQLITE)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    else:
        _sqlite(schema_editor, SQLITE)
        _document_triggers_made(apps, schema_editor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    else:
        _sqlite(schema_editor, SQLITE_REVERSE)
        _document_triggers_dropped(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_immutable_documents")]
    operations = [
        migrations.RunPython(_document_triggers_dropped, _document_triggers_made),
        migrations.CreateModel(
            name="DocumentPrefix",
            fields=[
                ("sha256", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="SHA-256")),
                ("data", models.BinaryField(verbose_name="начало файла PDF")),
            ],
            options={"verbose_name": "общее начало файлов документов",
                     "verbose_name_plural": "общие начала файлов документов", "default_permissions": ()},
        ),
        migrations.RenameField(model_name="paymentdocument", old_name="pdf", new_name="pdf_tail"),
        migrations.AlterField(model_name="paymentdocument", name="pdf_tail",
                              field=models.BinaryField(verbose_name="PDF (без общего начала)")),
        migrations.AddField(
            model_name="paymentdocument", name="prefix",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="documents.documentprefix", verbose_name="общее начало файла"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
