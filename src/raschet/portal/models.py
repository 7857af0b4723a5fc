"""Models of the personal account: the link of a site user to the accounts they may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from raschet.housing.models import Account


class AccountLink(models.Model):
    """A user may see an account only through a confirmed link (``confirmed_at`` set).

    The link is made at sign-up (or when adding another account) with the account's code from the
    payment document; it is confirmed when the user confirms the e-mail address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_links",
                             verbose_name="пользователь")
    account = models.ForeignKey(Account, models.CASCADE, related_name="portal_links",
                                verbose_name="лицевой счёт")
    confirmed_at = models.DateTimeField("подтверждена", null=True, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)

    class Meta:
        verbose_name = "привязка лицевого счёта"
        verbose_name_plural = "привязки лицевых счетов"
        ordering = ["account__number"]
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="portal_link_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.account}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
