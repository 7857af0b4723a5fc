"""Per-user tokens: only a hash is kept, a revoked or unknown token is refused like a missing one,
the command prints a working token, and the rate limit answers 429 with the usual error body."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from raschet.api.models import ApiToken, digest

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored_and_the_token_works(client, world):
    token = ApiToken.objects.get(user__username="operator")
    secret = world.tokens["operator"]
    assert token.token_sha256 == digest(secret) and secret not in {token.prefix, token.name}
    answer = client.get(f"/api/v1/accounts/{world.mine}", **world.auth("operator"))
    assert answer.status_code == 200 and answer.json()["number"] == world.mine
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", [None, "Bearer rsh_not-a-token", "Bearer ", "Token abc"])
def test_missing_or_unknown_token_is_401(client, world, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    answer = client.get(f"/api/v1/accounts/{world.mine}", **extra)
    assert answer.status_code == 401 and answer.json()["errors"][0]["code"] == "unauthenticated"


def test_revoked_token_is_401(client, world):
    answer = client.get(f"/api/v1/accounts/{world.mine}", **world.auth("revoked"))
    assert answer.status_code == 401


def test_command_creates_lists_and_revokes(client, world):
    out = StringIO()
    call_command("api", "token", "create", "--user", "cashier", "--name", "касса 2", stdout=out)
    secret = next(line for line in out.getvalue().splitlines() if line.startswith("rsh_"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(f"/api/v1/accounts/{world.mine}/balance", **headers).status_code == 200
    listed = StringIO()
    call_command("api", "token", "list", "--user", "cashier", stdout=listed)
    assert secret[:12] in listed.getvalue() and "касса 2" in listed.getvalue()
    call_command("api", "token", "revoke", secret[:12], stdout=StringIO())
    assert client.get(f"/api/v1/accounts/{world.mine}/balance", **headers).status_code == 401


def test_rate_limit_answers_429_per_token(client, world, settings):
    settings.RASCHET_API_RATE = "3/m"
    cache.clear()
    codes = [client.get(f"/api/v1/accounts/{world.mine}", **world.auth("subscriber")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get(f"/api/v1/accounts/{world.mine}", **world.auth("subscriber"))
    assert refused.json()["errors"][0]["code"] == "rate_limited" and int(refused["Retry-After"]) >= 1
    # another token has its own count
    assert client.get(f"/api/v1/accounts/{world.mine}", **world.auth("operator")).status_code == 200
