"""Posting without a copy: a posted run's lines are the period's charge entries. ``billing_ledger``
is the ledger as it is read: the stored entries and the lines of the runs posted as themselves
(``CalcRun.ledger_mark`` set when the run is posted; runs posted by copy before keep it empty, and
their entries stay where they are). A posted run and its lines are already immutable (migrations
0010, 0014); the run's guard now also refuses to make a simulation or a run of a closed period
posted, since that alone would now put lines into the ledger.

SQLite re-checks every view when a table is renamed: a later migration that rebuilds
``billing_entry``, ``billing_chargeline`` or ``billing_calcrun`` there must drop this view first and
make it again after (``VIEW`` below)."""

from django.db import migrations, models

VIEW = """CREATE VIEW billing_ledger AS
SELECT e.id, e.account_id, e.service_id, e.supplier_id, e.period, e.ref_period, e.kind, e.amount, e.volume,
       e.line_id, e.payment_id, e.reason, e.created_at, e.id AS mark
  FROM billing_entry e
UNION ALL
SELECT -l.id, l.account_id, l.service_id, l.supplier_id, l.period, l.ref_period, l.kind, l.amount, l.volume,
       l.id, CAST(NULL AS BIGINT), l.reason, r.posted_at, r.ledger_mark
  FROM billing_chargeline l JOIN billing_calcrun r ON r.id = l.run_id
 WHERE r.ledger_mark IS NOT NULL AND r.status = 'posted' AND l.period = r.period"""


def guards(apps, schema_editor):
    from raschet.billing import guards

    guards.install(schema_editor.connection, replace=True)  # the run's guard is new; SQLite may have rebuilt the table


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0016_fewer_indexes'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='entry',
            options={'verbose_name': 'проводка', 'verbose_name_plural': 'проводки хранимые (оплаты, пени, корректировки)'},
        ),
        migrations.AddField(
            model_name='calcrun',
            name='posted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='проведён'),
        ),
        migrations.AddField(
            model_name='calcrun',
            name='ledger_mark',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='место в журнале проводок'),
        ),
        migrations.RunPython(guards, migrations.RunPython.noop),
        migrations.RunSQL(VIEW, "DROP VIEW billing_ledger"),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.CharField(max_length=7, verbose_name='период проведения')),
                ('ref_period', models.CharField(max_length=7, verbose_name='период начисления')),
                ('kind', models.CharField(choices=[('charge', 'начисление'), ('recalc', 'перерасчёт'), ('payment', 'оплата'), ('penalty', 'пени'), ('correction', 'корректировка')], max_length=12, verbose_name='вид')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='сумма')),
                ('volume', models.DecimalField(decimal_places=6, max_digits=20, null=True, verbose_name='объём')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='основание')),
                ('created_at', models.DateTimeField(verbose_name='проведено')),
                ('mark', models.BigIntegerField(verbose_name='место в журнале')),
                ('account', models.ForeignKey(on_delete=models.deletion.DO_NOTHING, related_name='+', to='housing.account', verbose_name='лицевой счёт')),
                ('line', models.ForeignKey(null=True, on_delete=models.deletion.DO_NOTHING, related_name='+', to='billing.chargeline', verbose_name='строка расчёта')),
                ('payment', models.ForeignKey(null=True, on_delete=models.deletion.DO_NOTHING, related_name='+', to='payments.payment', verbose_name='платёж')),
                ('service', models.ForeignKey(null=True, on_delete=models.deletion.DO_NOTHING, related_name='+', to='tariffs.service', verbose_name='услуга')),
                ('supplier', models.ForeignKey(null=True, on_delete=models.deletion.DO_NOTHING, related_name='+', to='tariffs.organization', verbose_name='поставщик')),
            ],
            options={
                'verbose_name': 'проводка журнала',
                'verbose_name_plural': 'журнал проводок',
                'db_table': 'billing_ledger',
                'ordering': ['mark', 'line_id'],
                'managed': False,
            },
        ),
    ]
