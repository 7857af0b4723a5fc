"""App config of billing."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "raschet.billing"
    verbose_name = "Начисления"
