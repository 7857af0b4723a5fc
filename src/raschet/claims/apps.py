"""App config of debtor work."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "raschet.claims"
    verbose_name = "Пени и работа с должниками"
    default_auto_field = "django.db.models.BigAutoField"
