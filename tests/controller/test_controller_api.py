"""The controller's pages and API over HTTP: who may see what, the CSRF guard of the session, the API's
bearer tokens and keys, the sync's answers and the error bodies."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from raschet.api.models import ApiToken
from raschet.controller.demo import demo_walk, grant_walk
from raschet.metering.models import Meter, Reading, ReadingSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_walk(controller):
    return demo_walk(controller, today=timezone.localdate())


@pytest.fixture
def signed(controller):
    client = Client(enforce_csrf_checks=True)
    client.force_login(controller)
    client.get("/controller/")  # sets the csrftoken cookie, as the page does
    return client


def _post(client, body, token=True):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if token else {}
    return client.post("/api/v1/controller/sync", json.dumps(body), content_type="application/json", **headers)


def _reading(route, code="W-CW-1", value="130.5", client_id="a1b2c3d4-0001"):
    return {"client_id": client_id, "kind": "reading", "route": route.pk, "meter": Meter.objects.get(code=code).pk,
            "date": timezone.localdate().isoformat(), "value": value, "sheet_taken_at": timezone.now().isoformat()}


def test_the_route_list_and_page_are_the_controllers_own(signed, today_walk, django_user_model):
    page = signed.get("/controller/")
    assert page.status_code == 200 and "M-01" in page.content.decode() and "подъезд 1" in page.content.decode()
    assert signed.get(f"/controller/route/{today_walk.pk}/").status_code == 200
    other = demo_walk(django_user_model.objects.create_user("drugoi"), today=timezone.localdate(), code="M-02",
                      prefix="Z")
    foreign = signed.get(f"/controller/route/{other.pk}/")
    assert foreign.status_code == 403 and "назначен другому контролёру" in foreign.content.decode()
    assert "M-02" not in signed.get("/controller/").content.decode()
    assert signed.get("/controller/route/999999/").status_code == 404


def test_a_user_without_the_role_is_told_why(today_walk, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("clerk"))
    page = client.get("/controller/")
    assert page.status_code == 403 and "роль «контролёр»" in page.content.decode()
    answer = client.get(f"/api/v1/controller/routes/{today_walk.pk}/sheet")
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "forbidden"
    assert Client().get("/controller/").status_code == 302  # to the login page


def test_the_api_refuses_anonymous_and_foreign_callers(signed, today_walk, django_user_model):
    assert Client().get("/api/v1/controller/routes").status_code == 401
    other = django_user_model.objects.create_user("drugoi")
    grant_walk(other)
    client = Client()
    client.force_login(other)
    answer = client.get(f"/api/v1/controller/routes/{today_walk.pk}/sheet")
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "foreign_route"
    assert client.get("/api/v1/controller/routes").json() == {"routes": []}


def test_the_sheet_and_a_sync_sent_twice(signed, today_walk):
    sheet = signed.get(f"/api/v1/controller/routes/{today_walk.pk}/sheet").json()
    assert sheet["route"]["code"] == "M-01" and len(sheet["places"]) == 4
    body = {"entries": [_reading(today_walk)]}
    first, second = _post(signed, body), _post(signed, body)
    assert first.status_code == second.status_code == 200
    assert first.json()["results"][0]["status"] == "accepted"
    assert second.json()["results"][0] == {**first.json()["results"][0], "replayed": True}
    assert Reading.objects.filter(source=ReadingSource.CONTROLLER).count() == 1


def test_the_sync_needs_the_csrf_token_of_the_session(signed, today_walk):
    assert _post(signed, {"entries": [_reading(today_walk)]}, token=False).status_code == 403
    assert not Reading.objects.filter(source=ReadingSource.CONTROLLER).exists()


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_controllers_token_reads_his_routes_and_syncs_once(controller, today_walk):
    _, secret = ApiToken.issue(controller, "телефон")
    client = Client(enforce_csrf_checks=True)  # no session, no CSRF token: the token is the credential
    routes = client.get("/api/v1/controller/routes", **_bearer(secret)).json()["routes"]
    assert [route["code"] for route in routes] == ["M-01"]
    sheet = client.get(f"/api/v1/controller/routes/{today_walk.pk}/sheet", **_bearer(secret))
    assert sheet.status_code == 200 and sheet.json()["route"]["id"] == today_walk.pk
    body = json.dumps({"entries": [_reading(today_walk)]})
    first, second = (client.post("/api/v1/controller/sync", body, content_type="application/json", **_bearer(secret))
                     for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.json()["results"][0]["status"] == "accepted" and second.json()["results"][0]["replayed"] is True
    stored = Reading.objects.get(source=ReadingSource.CONTROLLER)  # the same entry twice is stored once
    assert stored.entered_by == controller and str(stored.value.normalize()) == "130.5"


def test_a_revoked_or_unknown_token_is_refused_with_401(controller, today_walk):
    token, secret = ApiToken.issue(controller, "старый телефон")
    token.revoke()
    body = json.dumps({"entries": [_reading(today_walk)]})
    for header in (_bearer(secret), _bearer("rsh_" + "x" * 43)):
        assert Client().get("/api/v1/controller/routes", **header).status_code == 401
        answer = Client().post("/api/v1/controller/sync", body, content_type="application/json", **header)
        assert answer.status_code == 401 and answer.json()["errors"][0]["code"]
    assert not Reading.objects.filter(source=ReadingSource.CONTROLLER).exists()


def test_another_controllers_token_is_refused_this_route(today_walk, django_user_model):
    other = django_user_model.objects.create_user("drugoi")
    grant_walk(other)
    _, secret = ApiToken.issue(other, "телефон")
    client = Client()
    assert client.get("/api/v1/controller/routes", **_bearer(secret)).json() == {"routes": []}
    sheet = client.get(f"/api/v1/controller/routes/{today_walk.pk}/sheet", **_bearer(secret))
    assert sheet.status_code == 403 and sheet.json()["errors"][0]["code"] == "foreign_route"
    body = json.dumps({"entries": [_reading(today_walk)]})
    result = client.post("/api/v1/controller/sync", body, content_type="application/json",
                         **_bearer(secret)).json()["results"][0]
    assert result["status"] == "refused" and result["problems"][0]["code"] == "foreign_route"
    assert not Reading.objects.filter(source=ReadingSource.CONTROLLER).exists()


def test_an_integration_key_is_no_controller(today_walk, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "bank:secret-key-1234567890")
    answer = Client().get("/api/v1/controller/routes", HTTP_X_API_KEY="secret-key-1234567890")
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "forbidden"


def test_a_malformed_entry_is_answered_with_the_field_in_russian(signed, today_walk):
    bad = {**_reading(today_walk), "client_id": "x", "date": "20.03.2026"}
    answer = _post(signed, {"entries": [bad]})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert {e["subject"] for e in errors} == {"body.entries.0.client_id", "body.entries.0.date"}
    assert any("ГГГГ-ММ-ДД" in e["message"] for e in errors)


def test_a_reading_sent_as_a_json_number_is_checked_as_its_text(signed, today_walk):
    entry = {**_reading(today_walk), "value": 130.25}
    answer = _post(signed, {"entries": [entry]}).json()["results"][0]
    assert answer["status"] == "accepted" and answer["reading"]["value"] == "130.25"


def test_the_operations_document_their_answers_and_errors(signed):
    schema = signed.get("/api/v1/openapi.json").json()
    sync = schema["paths"]["/api/v1/controller/sync"]["post"]
    assert {"200", "401", "403", "422"} <= set(sync["responses"])
    sheet = schema["paths"]["/api/v1/controller/routes/{route_id}/sheet"]["get"]
    assert "taken_at" in str(schema["components"]["schemas"]["SheetOut"]) and "404" in sheet["responses"]
