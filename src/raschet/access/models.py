"""The holder of the money permissions: an unmanaged model without a table, so the permissions are
ordinary Django permissions (``access.take_payment``…) that groups and users are given in the admin."""

from django.db import models

from raschet.access import PERMISSIONS


class MoneyPermissions(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(PERMISSIONS.items())
        verbose_name = "права на действия с деньгами"
        verbose_name_plural = "права на действия с деньгами"

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
