"""Django app configuration of the operator's workplace."""

from django.apps import AppConfig


class WorkplaceConfig(AppConfig):
    name = "raschet.workplace"
    label = "workplace"
    verbose_name = "Рабочее место оператора"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from raschet.workplace import indexing

        indexing.connect()
