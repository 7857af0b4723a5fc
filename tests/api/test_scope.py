"""Every operation of the schema refuses a missing or an unknown token, and a subscriber can never
read (or write) another account: each account-scoped operation is tried with the other account."""

from __future__ import annotations

import re

import pytest

from raschet.documents.models import PaymentDocument
from raschet.metering.models import Meter
from raschet.web.api import api

pytestmark = pytest.mark.django_db
QUERY = {"as_of": "2026-12-15", "period": "2026-11"}


def operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def _meter(number: str) -> str:
    return Meter.objects.filter(account__number=number).values_list("code", flat=True).first() or \
        Meter.objects.filter(premises__accounts__number=number).values_list("code", flat=True).first()


def request_of(method: str, path: str, number: str) -> tuple[str, dict, dict | None]:
    """A well-formed request of the operation for account ``number``."""
    document = PaymentDocument.objects.filter(account__number=number).values_list("pk", flat=True).first()
    url = path.replace("{number}", number).replace("{document_id}", str(document))
    body = None
    if url.endswith("/readings") and method == "POST":
        body = {"meter": _meter(number), "date": "2026-11-25", "value": "999999", "source": "portal"}
    elif url.endswith("/payments") and method == "POST":
        body = {"account": number, "date": "2026-11-20", "amount": "10.00", "operation_id": f"scope-{number}"}
    elif url.endswith("/qr/parse"):
        body = {"payload": "ST00012|Name=x|PersonalAcc=1|BankName=x|BIC=1|CorrespAcc=0"}
    return url, (QUERY if method == "GET" else {}), body


def send(client, method: str, url: str, query: dict, body, **headers):
    if method == "GET":
        return client.get(url, query, **headers)
    return client.post(url, body, content_type="application/json", **headers)


def account_scoped(path: str) -> bool:
    return "{number}" in path or path.endswith("/payments")


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer rsh_forged-token"},
                                     {"HTTP_X_API_KEY": "forged"}], ids=["missing", "forged-bearer", "forged-key"])
def test_every_operation_refuses_a_missing_or_forged_token(client, world, headers):
    assert len(operations()) >= 15
    for method, path in operations():
        answer = send(client, method, *request_of(method, path, world.mine), **headers)
        assert answer.status_code == 401, (method, path, answer.content[:200])
        assert answer.json()["errors"][0]["code"] == "unauthenticated"


@pytest.mark.parametrize("who", ["subscriber", "unconfirmed"])
def test_a_subscriber_never_reaches_another_account(client, world, who):
    tried = 0
    for method, path in operations():
        if not account_scoped(path):
            continue
        answer = send(client, method, *request_of(method, path, world.theirs), **world.auth(who))
        assert answer.status_code == 403, (method, path, answer.content[:300])
        assert answer.json()["errors"][0]["code"] == "forbidden"
        assert world.theirs not in answer.content.decode().replace(f"/accounts/{world.theirs}", "")
        tried += 1
    assert tried >= 12


def test_a_subscriber_reads_its_own_account_everywhere(client, world):
    for method, path in operations():
        if method != "GET" or "{number}" not in path:
            continue
        answer = send(client, method, *request_of(method, path, world.mine), **world.auth("subscriber"))
        assert answer.status_code == 200, (path, answer.content[:300])


def test_search_shows_a_subscriber_only_its_accounts(client, world):
    mine = client.get("/api/v1/accounts", {"limit": 100}, **world.auth("subscriber")).json()["items"]
    assert [a["number"] for a in mine] == [world.mine]
    assert client.get("/api/v1/accounts", {"q": world.theirs}, **world.auth("subscriber")).json()["items"] == []
    everyone = client.get("/api/v1/accounts", {"limit": 100}, **world.auth("operator")).json()["items"]
    assert len(everyone) == 12


def test_unknown_account_is_404_and_a_role_decides(client, world):
    answer = client.get("/api/v1/accounts/0000/charges", **world.auth("operator"))
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == "unknown_reference"
    # the cashier takes payments and sees a balance, but not the account's card
    assert client.get(f"/api/v1/accounts/{world.theirs}/balance", **world.auth("cashier")).status_code == 200
    refused = client.get(f"/api/v1/accounts/{world.theirs}", **world.auth("cashier"))
    assert refused.status_code == 403 and "housing.view_account" in refused.json()["errors"][0]["message"]


def test_session_needs_csrf_to_change_anything(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.login(username="subscriber", password="x-password-1")
    assert browser.get(f"/api/v1/accounts/{world.mine}/balances").status_code == 200
    meter = _meter(world.mine)
    body = {"meter": meter, "date": "2026-11-26", "value": "1", "source": "portal"}
    refused = browser.post(f"/api/v1/accounts/{world.mine}/readings", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["errors"][0]["subject"] == "header.X-CSRFToken"
    page = browser.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    again = browser.post(f"/api/v1/accounts/{world.mine}/readings", body, content_type="application/json",
                         HTTP_X_CSRFTOKEN=token)
    assert again.status_code != 403, again.content[:300]
