"""API tokens: one per user and purpose, only the SHA-256 of the secret is kept.

The token is shown once when it is created (``raschet api token create --user LOGIN``); the database
holds its digest, so a copy of the database does not give access. A revoked token stays as a record
of who had access until when; ``last_used_at`` is refreshed at most once a minute, so reading the
API does not write a row on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "rsh_"
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name="пользователь")
    name = models.CharField("назначение", max_length=100, blank=True)
    prefix = models.CharField("начало токена", max_length=12, help_text="Чтобы узнать токен, не храня его.")
    token_sha256 = models.CharField("SHA-256 токена", max_length=64, unique=True)
    created_at = models.DateTimeField("создан", default=timezone.now)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        """A new token of ``user``: the record and the secret, which is never shown again."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:12], token_sha256=digest(secret))
        return token, secret

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
