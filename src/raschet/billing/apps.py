"""App config of billing."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "raschet.billing"
    verbose_name = "Начисления"

    def ready(self) -> None:
        from raschet.billing import signals

        signals.connect()
