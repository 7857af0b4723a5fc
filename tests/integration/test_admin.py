"""The admin shows a generated region in Russian, with the searches an operator uses."""

import pytest
from django.contrib.auth import get_user_model

from raschet.generators.region import RegionSpec, load_region
from raschet.housing.models import Account, Building

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    user = get_user_model().objects.create_superuser("admin", "a@example.invalid", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def region():
    return load_region(RegionSpec(accounts=60, seed=7), show_progress=False)


def test_generated_region_has_the_requested_accounts(region):
    assert region["accounts"] == 60
    assert Account.objects.count() == 60
    assert Building.objects.count() >= 1
    assert all(2 <= len(b.premises.all()) for b in Building.objects.all())


def test_admin_lists_and_searches_accounts_in_russian(operator_client, region):
    account = Account.objects.select_related("premises__building").first()
    page = operator_client.get("/admin/housing/account/", {"q": account.number}).content.decode()
    assert "Лицевые счета" in page or "лицевые счета" in page
    assert account.number in page and account.payer in page
    by_address = operator_client.get("/admin/housing/account/",
                                     {"q": account.premises.building.address.split(",")[1].strip()})
    assert by_address.status_code == 200 and account.premises.building.address in by_address.content.decode()


def test_account_page_shows_dated_rows_inline(operator_client, region):
    account = Account.objects.filter(registrations__isnull=False).first()
    page = operator_client.get(f"/admin/housing/account/{account.pk}/change/").content.decode()
    for heading in ("Регистрации", "Услуги лицевого счёта", "Приборы учёта"):
        assert heading in page


@pytest.mark.parametrize("url", [
    "/admin/", "/admin/housing/building/", "/admin/housing/premises/", "/admin/housing/person/",
    "/admin/tariffs/tariff/", "/admin/tariffs/norm/", "/admin/tariffs/calcrule/", "/admin/tariffs/organization/",
    "/admin/tariffs/accountservice/", "/admin/metering/meter/", "/admin/metering/reading/", "/",
])
def test_every_admin_page_opens(operator_client, region, url):
    response = operator_client.get(url)
    assert response.status_code == 200
    assert "Расчёт" in response.content.decode()


def test_interface_is_russian_even_for_an_english_browser(operator_client, region):
    page = operator_client.get("/admin/housing/account/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Выберите лицевой счёт для изменения" in page
    assert "Select" not in page


def test_english_is_available_on_request(operator_client, region):
    operator_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = operator_client.get("/admin/housing/account/").content.decode()
    assert "Select" in page


def test_account_page_explains_its_lines_from_the_blocks_at_once(operator_client, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils.html import escape

    from raschet.billing.models import ChargeLine
    from raschet.billing.services import calculate_period
    from raschet.domain.periods import Period

    calculate_period(period=Period.parse("2026-11"))
    account = Account.objects.filter(charge_lines__isnull=False).first()
    lines = list(ChargeLine.objects.filter(account=account))
    assert len(lines) >= 3 and all(line.explanation is None for line in lines)
    with CaptureQueriesContext(connection) as queries:
        page = operator_client.get(f"/admin/housing/account/{account.pk}/change/").content.decode()
    blocks = [query for query in queries.captured_queries if "billing_lineblock" in query["sql"]]
    assert len(blocks) == 1  # the account's run's blocks once, not a query per line
    for line in lines:
        assert escape(line.explained()) in page
