"""The app of the subscriber's personal account (see ``raschet.portal``)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "raschet.portal"
    verbose_name = "Личный кабинет абонента"
