"""The search index; on PostgreSQL a pg_trgm GIN index over its text."""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM = "CREATE INDEX IF NOT EXISTS workplace_search_text_trgm ON workplace_searchentry USING gin (text gin_trgm_ops)"


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAM)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS workplace_search_text_trgm")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("housing", "0002_premises_entrance"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("account", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                 related_name="+", serialize=False, to="housing.account",
                                                 verbose_name="лицевой счёт")),
                ("text", models.TextField(verbose_name="нормализованный текст для поиска")),
            ],
            options={"verbose_name": "запись поискового индекса", "verbose_name_plural": "поисковый индекс"},
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
