"""The app of the public REST API (its tokens; see ``raschet.api``)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "raschet.api"
    label = "api"
    verbose_name = "REST API"
