"""Sign-in with rate-limited attempts: after :data:`LIMIT` failed passwords for one user name from one
address, that pair waits :data:`LOCKOUT` before it may try again, with a Russian message saying how long.

It is an authentication backend (Django's own, with the check around it), so every sign-in form —
the workplace's and the admin's — is limited alike. The counters live in Django's cache (the local
memory of the process by default: one server process, as ``raschet serve`` runs; several processes
need a shared cache in ``CACHES``). A successful sign-in clears the pair's counter.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError

LIMIT = 5
LOCKOUT = timedelta(minutes=15)


def client_address(request) -> str:
    """The caller's address (behind a proxy only what ``SECURE_PROXY_SSL_HEADER`` trusts: REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\x1f{address}".encode()).hexdigest()
    return f"raschet:signin:{digest}"


def failures(username: str, address: str) -> int:
    return int(cache.get(_key(username, address), 0))


def locked_message() -> str:
    minutes = int(LOCKOUT.total_seconds() // 60)
    return (f"Слишком много неудачных попыток входа: {LIMIT} подряд. Вход для этого имени пользователя "
            f"с вашего компьютера временно закрыт — подождите {minutes} минут и попробуйте снова, "
            f"или попросите администратора сменить пароль.")


def record_failure(username: str, address: str) -> int:
    key = _key(username, address)
    count = failures(username, address) + 1
    cache.set(key, count, int(LOCKOUT.total_seconds()))  # the wait restarts with each failure
    return count


class RateLimitedBackend(ModelBackend):
    """Django's user-and-password backend, refusing a pair that failed :data:`LIMIT` times."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:  # a test client's login, a management command
            return super().authenticate(request, username=username, password=password, **kwargs)
        address = client_address(request)
        if failures(username, address) >= LIMIT:
            # raised, not returned: the sign-in form shows this message instead of "wrong password"
            raise ValidationError(locked_message(), code="signin_locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, address)
        else:
            cache.delete(_key(username, address))
        return user
