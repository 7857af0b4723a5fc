"""The app that holds the money permissions (see ``raschet.access``)."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "raschet.access"
    verbose_name = "Права на действия с деньгами"
