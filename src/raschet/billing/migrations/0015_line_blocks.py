"""A line's explanation moves out of its row into the run's line blocks (``billing.lines``): lines
written before keep their JSON; the blocks are guarded like the lines of a posted run."""

import django.db.models.deletion
from django.db import migrations, models


def guards(apps, schema_editor):
    from raschet.billing import guards

    guards.install(schema_editor.connection)


class AllowNull(migrations.AlterField):
    """Going back leaves the column nullable: restoring NOT NULL would have to write ``{}`` into the
    lines of posted runs, which the guards of migration 0010 rightly refuse."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0014_history_guards'),
    ]

    operations = [
        AllowNull(
            model_name='chargeline',
            name='explanation',
            field=models.JSONField(blank=True, null=True, verbose_name='как рассчитано'),
        ),
        migrations.CreateModel(
            name='LineBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_account', models.BigIntegerField(verbose_name='первый лицевой счёт (id)')),
                ('last_account', models.BigIntegerField(verbose_name='последний лицевой счёт (id)')),
                ('lines', models.PositiveIntegerField(verbose_name='строк')),
                ('codes', models.JSONField(verbose_name='коды расчёта')),
                ('data', models.BinaryField(verbose_name='строки (Arrow IPC, zstd)')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='line_blocks', to='billing.calcrun', verbose_name='расчёт')),
            ],
            options={
                'verbose_name': 'блок объяснений строк',
                'verbose_name_plural': 'блоки объяснений строк',
                'indexes': [models.Index(fields=['run', 'last_account'], name='billing_lin_run_id_4bbae0_idx')],
            },
        ),
        migrations.RunPython(guards, migrations.RunPython.noop),
    ]
