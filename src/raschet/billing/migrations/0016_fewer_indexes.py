"""Fewer indexes on the two big tables: every line and every entry written pays for each of them,
and no reader looks a line or an entry up by its service, its supplier or (an entry) its line; the
posting period's ``LIKE`` index on PostgreSQL served no query either. Kept: the primary keys, the
account with the accrual period, the run (lines), the posting period and the payment (entries).

The indexes are dropped in place (``DROP INDEX``; on PostgreSQL a partitioned table's index takes its
partitions' with it): altering the fields would rebuild both tables on SQLite and the period's index
on PostgreSQL, for nothing. Going back builds them again."""

from django.db import migrations, models

DROPPED = {  # index: (table, column, PostgreSQL operator class or "")
    "billing_chargeline_service_id_86ea022e": ("billing_chargeline", "service_id", ""),
    "billing_chargeline_supplier_id_3e716f5a": ("billing_chargeline", "supplier_id", ""),
    "billing_entry_service_id_e4a83565": ("billing_entry", "service_id", ""),
    "billing_entry_supplier_id_35f155af": ("billing_entry", "supplier_id", ""),
    "billing_entry_line_id_25a9e152": ("billing_entry", "line_id", ""),
    "billing_entry_period_9fb0b654_like": ("billing_entry", "period", "varchar_pattern_ops"),
}


def drop(apps, schema_editor):
    for name in DROPPED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def build(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (table, column, opclass) in DROPPED.items():
        if opclass and not postgresql:
            continue
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" {opclass})')


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0015_line_blocks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, build)],
            state_operations=[
                migrations.AlterField(
                    model_name='chargeline',
                    name='service',
                    field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name='+',
                                            to='tariffs.service', verbose_name='услуга'),
                ),
                migrations.AlterField(
                    model_name='chargeline',
                    name='supplier',
                    field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name='+',
                                            to='tariffs.organization', verbose_name='поставщик'),
                ),
                migrations.AlterField(
                    model_name='entry',
                    name='line',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                            related_name='entries', to='billing.chargeline',
                                            verbose_name='строка расчёта'),
                ),
                migrations.AlterField(
                    model_name='entry',
                    name='period',
                    field=models.CharField(max_length=7, verbose_name='период проведения'),
                ),
                migrations.AlterField(
                    model_name='entry',
                    name='service',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                            related_name='+', to='tariffs.service', verbose_name='услуга'),
                ),
                migrations.AlterField(
                    model_name='entry',
                    name='supplier',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                            related_name='+', to='tariffs.organization', verbose_name='поставщик'),
                ),
                migrations.AddIndex(
                    model_name='entry',
                    index=models.Index(fields=['period'], name='billing_entry_period_9fb0b654'),
                ),
            ],
        ),
        # the posting period keeps its index, under a name of its own (no ``_like`` twin)
        migrations.RenameIndex(model_name='entry', new_name='entry_posting_period',
                               old_name='billing_entry_period_9fb0b654'),
    ]
