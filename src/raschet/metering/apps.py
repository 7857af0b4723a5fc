"""App config of metering."""

from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "raschet.metering"
    verbose_name = "Приборы учёта и показания"
