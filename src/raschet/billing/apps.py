"""App config of billing: change tracking, and the history guards on every connection and after
every migration (``billing.guards``)."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "raschet.billing"
    verbose_name = "Начисления"

    def ready(self) -> None:
        from raschet.billing import guards, signals

        signals.connect()
        connection_created.connect(guards.register_sqlite_functions, dispatch_uid="raschet-history-unlocked")
        post_migrate.connect(ensure_guards, sender=self, dispatch_uid="raschet-history-guards")


def ensure_guards(sender, using: str = "default", plan=None, **kwargs) -> None:
    """Guards again after migrations: SQLite drops a table's triggers when a migration rebuilds it
    (any app's AlterField on payments_payment would), so each run of ``migrate`` makes the missing ones."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from raschet.billing import guards

    connection = connections[using]
    if MigrationRecorder(connection).migration_qs.filter(app="billing", name="0014_history_guards").exists():
        guards.install(connection)
