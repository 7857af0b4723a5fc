"""The project's WSGI application: token reads of the API take the short middleware chain, everything
else the whole one — and the short chain opens nothing the whole one would refuse."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from raschet.web import handlers

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def application():
    return handlers.Application()


def call(application, path, method="GET", **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
               "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1", **headers}
    seen = []
    for signal in (request_started, request_finished):  # as Django's test client: the test's transaction stays
        signal.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, lambda status, answer_headers, *_: seen.append((status, answer_headers))))
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    status, answer_headers = seen[0]
    return int(status.split()[0]), dict(answer_headers), body, handlers.is_token_read(environ)


def test_a_token_read_takes_the_short_chain_and_answers_as_the_whole_one(application, world, client):
    path = f"/api/v1/accounts/{world.mine}/balances"
    status, headers, body, short = call(application, path, **world.auth("subscriber"))
    assert short and status == 200 and "Set-Cookie" not in headers
    assert json.loads(body) == client.get(path, **world.auth("subscriber")).json()  # the test client: whole chain
    assert headers["Content-Language"] == "ru" and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["revoked", None])
def test_no_valid_token_no_answer_on_either_chain(application, world, who):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[who] if who else 'rsh_forged'}"}
    status, _, body, short = call(application, f"/api/v1/accounts/{world.mine}/balances", **headers)
    assert short and status == 401 and json.loads(body)["errors"]
    status, _, _, short = call(application, f"/api/v1/accounts/{world.mine}/balances")
    assert not short and status == 401


def test_the_schema_and_docs_stay_behind_the_sign_in_check(application, world):
    for rest in ("docs", "openapi.json"):
        status, _, _, short = call(application, f"/api/v1/{rest}", HTTP_AUTHORIZATION="Bearer rsh_forged",
                                   HTTP_ACCEPT="application/json")
        assert not short and status == 401
        status, _, _, short = call(application, f"/api/v1/{rest}", **world.auth("subscriber"))
        assert not short and status == 200


def test_writes_and_sessions_take_the_whole_chain(world):
    bearer = world.auth("subscriber")
    path = f"/api/v1/accounts/{world.mine}/readings"
    assert not handlers.is_token_read({"REQUEST_METHOD": "POST", "PATH_INFO": path, **bearer})
    assert not handlers.is_token_read({"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_COOKIE": "sessionid=x",
                                       **bearer})
    assert not handlers.is_token_read({"REQUEST_METHOD": "GET", "PATH_INFO": "/accounts/", **bearer})
    assert handlers.is_token_read({"REQUEST_METHOD": "HEAD", "PATH_INFO": path, "HTTP_X_API_KEY": "k"})
