"""No page or endpoint without signing in: every URL pattern of the project, walked anonymously."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
PUBLIC = {"/login/", "/health/"}
# the subscriber's own sign-in, sign-up and password pages (the personal account signs its users in)
PORTAL_OPEN = ("/lk/login/", "/lk/signup/", "/lk/confirm/", "/lk/password/reset/")


def _regex_sample(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match: re.Match) -> str:
        body = match.group(2)
        words = [part for part in body.split("|") if re.fullmatch(r"[\w-]+", part)]
        return words[0] if words else "1"

    text = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, text)
    return text.replace("\\", "").replace("?", "")


def _sample(pattern) -> str:
    route = getattr(pattern.pattern, "_route", None)
    if route is not None:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    return _regex_sample(pattern.pattern.regex.pattern)


def walk(patterns, prefix: str = "") -> list[str]:
    paths = []
    for pattern in patterns:
        here = prefix + _sample(pattern)
        if isinstance(pattern, URLResolver):
            paths += walk(pattern.url_patterns, here)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + here)
    return sorted(set(paths))


def test_the_walk_sees_the_whole_project():
    paths = walk(get_resolver().url_patterns)
    assert len(paths) > 50, paths
    for expected in ("/", "/search/", "/cash/", "/admin/", "/api/v1/docs", "/api/v1/openapi.json"):
        assert expected in paths


@pytest.mark.parametrize("path", walk(get_resolver().url_patterns))
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    answer = client.get(path)
    if path in PUBLIC:
        assert answer.status_code == 200
    elif path.startswith(PORTAL_OPEN):
        assert answer.status_code in (200, 302, 400, 404), (path, answer.status_code)
        assert answer.status_code != 302 or answer["Location"].startswith("/lk/"), answer["Location"]
    elif path.startswith(("/lk/pay/callback/", "/lk/logout/")):
        assert answer.status_code == 405, (path, answer.status_code)  # POST only: a gateway's signed notification, signing out
    elif path.startswith("/lk/"):
        assert answer.status_code == 302, (path, answer.status_code)
        assert answer["Location"].startswith("/lk/login/?next="), answer["Location"]
    elif path.startswith("/api/v1/") and not path.rstrip("/").endswith(("docs", "openapi.json")):
        # the API authenticates each call itself: never an answer with data to a stranger
        assert answer.status_code in (401, 403, 404, 405), (path, answer.status_code)
    else:
        assert answer.status_code == 302, (path, answer.status_code)
        assert answer["Location"].startswith("/login/?next="), answer["Location"]


def test_an_htmx_fragment_asks_for_a_full_reload_to_sign_in(client):
    answer = client.get("/search/", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer["HX-Redirect"] == "/login/"


def test_api_docs_open_with_a_valid_key_and_not_with_a_wrong_one(client, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "bank:secret-key-1")
    assert client.get("/api/v1/openapi.json", headers={"X-Api-Key": "secret-key-1"}).status_code == 200
    assert client.get("/api/v1/openapi.json", headers={"X-Api-Key": "wrong"}).status_code == 302


def test_signed_in_operator_sees_the_layout_with_navigation(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="pw-operator-1")
    client.force_login(user)
    page = client.get("/search/").content.decode()
    assert 'id="top-search"' in page and "Поиск / Лицевые счета" in page
    assert "Касса" not in page  # no permission to take payments: the entry is not shown
    assert "Выйти" in page


def test_sign_in_page_signs_in_and_returns_to_the_page_asked(client, django_user_model):
    django_user_model.objects.create_user("operator", password="pw-operator-1")
    refused = client.post("/login/", {"username": "operator", "password": "wrong"})
    assert "правильные имя пользователя и пароль" in refused.content.decode()
    answer = client.post("/login/?next=/search/", {"username": "operator", "password": "pw-operator-1",
                                                    "next": "/search/"})
    assert answer.status_code == 302 and answer["Location"] == "/search/"
