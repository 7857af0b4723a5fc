"""App config of payments."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "raschet.payments"
    verbose_name = "Платежи"
