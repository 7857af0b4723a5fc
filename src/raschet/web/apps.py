"""The web shell app."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "raschet.web"
    verbose_name = "Интерфейс оператора"
