"""App config of the meter controller's routes."""

from django.apps import AppConfig


class ControllerConfig(AppConfig):
    name = "raschet.controller"
    verbose_name = "Контролёры: маршруты и обходы"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from raschet.controller import permissions  # noqa: F401  (registers the app's permissions)
