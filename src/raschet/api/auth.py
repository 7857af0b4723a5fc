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
from datetime import UTC, datetime
from functools import cache as once

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from raschet.access import ApiClient
from raschet.api.models import ApiToken, digest
from raschet.statements import fetch_one

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
        found = token_and_user(digest(token))
        if found is None:
            return None
        found.touch()
        request.api_token = found
        return with_permissions(found.user)


@once
def _token_query() -> tuple[str, list[str]]:
    """One statement for a token and its user (every request runs it: written out once, not compiled
    by the ORM each time — a third of an API request's own CPU was that)."""
    user_model = get_user_model()
    names = [field.attname for field in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{connection.ops.quote_name(field.column)}" for field in user_model._meta.concrete_fields)
    sql = (f"SELECT t.id, t.token_sha256, t.last_used_at, {columns} FROM {ApiToken._meta.db_table} t "
           f"JOIN {user_model._meta.db_table} u ON u.{user_model._meta.pk.column} = t.user_id "
           "WHERE t.token_sha256 = %s AND t.revoked_at IS NULL")
    return sql, names


def token_and_user(sha256: str) -> ApiToken | None:
    """The token with this digest and its user, if the token is not revoked and the user is active."""
    sql, names = _token_query()
    row = fetch_one(sql, [sha256])
    if row is None or not hmac.compare_digest(row[1], sha256):
        return None
    if connection.vendor == "sqlite":  # times come back naive there (stored in UTC); the ORM would say so
        row = [value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value
               for value in row]
    user = get_user_model().from_db(connection.alias, names, row[3:])
    if not user.is_active:
        return None
    found = ApiToken.from_db(connection.alias, ["id", "user_id", "token_sha256", "last_used_at"],
                             [row[0], user.pk, row[1], row[2]])
    found.user = user
    return found


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
