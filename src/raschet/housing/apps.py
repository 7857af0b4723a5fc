"""App config of the address fund."""

from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "raschet.housing"
    verbose_name = "Жилищный фонд и лицевые счета"
