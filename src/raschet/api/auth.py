"""Who is calling: a user's bearer token, an ``X-Api-Key`` integration client, or a browser session.

- ``Authorization: Bearer <token>``: a token of :class:`raschet.api.models.ApiToken`; the caller acts
  as the token's user, with that user's groups and permissions. A revoked token, a token of an
  inactive user or an unknown one is refused (401) exactly like a missing one.
- ``X-Api-Key``: one of ``RASCHET_API_KEYS`` (comma-separated ``NAME:KEY``; a bare ``KEY`` is named
  after its hash): an :class:`raschet.access.ApiClient` whose name is its identity, as before tokens.
- the session cookie of a signed-in user, for the same-origin pages (the portal); a request that
  changes something must carry the CSRF token, as any Django form.

:func:`actor_of` is what services receive as the actor; :func:`caller_key` names the caller for
rate limits. A token's user's permissions (its own and its groups') are kept in the cache for
:data:`PERMISSIONS_SECONDS`, so a request does not read them twice from the database; a role changed
in the admin applies to the API within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.core.cache import cache
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from raschet.access import ApiClient
from raschet.api.models import ApiToken, digest

PERMISSIONS_SECONDS = 30


def with_permissions(user):
    """``user`` with its permissions read from the cache (or once from the database into it)."""
    key = f"raschet:api:permissions:{user.pk}"
    permissions = cache.get(key)
    if permissions is None:
        cache.set(key, user.get_all_permissions(), PERMISSIONS_SECONDS)  # fills the user's own cache too
    else:
        user._perm_cache = permissions  # what ModelBackend reads before it queries
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        found = ApiToken.objects.select_related("user").filter(token_sha256=digest(token)).first()
        if found is None or found.revoked_at is not None or not found.user.is_active:
            return None
        if not hmac.compare_digest(found.token_sha256, digest(token)):
            return None
        found.touch()
        request.api_token = found
        return with_permissions(found.user)


class ApiKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        if not key:
            return None
        # compared in constant time, so the answer's timing does not tell how much of a key was right
        given = key.encode("utf-8", "replace")
        found = [client for known, client in api_clients().items() if hmac.compare_digest(known.encode(), given)]
        return found[0] if found else None


def api_clients() -> dict[str, ApiClient]:
    """``RASCHET_API_KEYS`` as key → client; a bare key is named ``key-`` + 8 hex of its SHA-256."""
    clients = {}
    for item in (part.strip() for part in os.environ.get("RASCHET_API_KEYS", "").split(",")):
        if not item:
            continue
        name, _, key = item.rpartition(":")
        clients[key] = ApiClient(name.strip() or f"key-{hashlib.sha256(key.encode()).hexdigest()[:8]}")
    return clients


class Session(SessionAuth):
    """A signed-in user's session; ninja checks CSRF on every request that is not a safe method."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


AUTH = [BearerToken(), ApiKey(), Session()]


def actor_of(request) -> object:
    """The actor services check: the API client of a key, else the authenticated user."""
    return request.auth


def caller_key(request) -> str:
    """One name per caller for rate limits: the token, the key's client, or the session's user."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    if isinstance(request.auth, ApiClient):
        return f"key:{request.auth.name}"
    return f"user:{getattr(request.auth, 'pk', '')}"
