"""App config of tariffs and rules."""

from django.apps import AppConfig


class TariffsConfig(AppConfig):
    name = "raschet.tariffs"
    verbose_name = "Услуги, тарифы и правила расчёта"
