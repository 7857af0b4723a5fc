"""Seed the penalty rules and the key-rate history (see raschet.claims.seed)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from raschet.claims.seed import seed

    seed(apps)


def backwards(apps, schema_editor):
    from raschet.claims.seed import unseed

    unseed(apps)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial"), ("tariffs", "0003_keyrate_legal_basis")]
    operations = [migrations.RunPython(forwards, backwards)]
