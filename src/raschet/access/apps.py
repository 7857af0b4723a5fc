"""The app that holds the money permissions (see ``raschet.access``) and the role groups (``roles``)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "raschet.access"
    verbose_name = "Права на действия с деньгами"

    def ready(self) -> None:
        from raschet.access import roles

        post_migrate.connect(roles.after_migrate, dispatch_uid="raschet-access-roles")
