"""A subscriber can never see another account: every page and file of an account not linked (or
linked but unconfirmed) is a 404, whatever is put in the URL or the form."""

import portal_fixtures
import pytest
from django.utils import timezone

from raschet.documents.models import DeliveryPreference, PaymentDocument
from raschet.documents.services import issue_account
from raschet.metering.models import Meter, Reading
from raschet.portal.models import AccountLink, GatewayPayment

# the shared fixtures come from a plain module: a conftest.py here would shadow
# tests/documents/conftest.py for its `from conftest import make_region`
region = portal_fixtures.region
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_subscribers(region, django_user_model, client, settings):
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    me = django_user_model.objects.create_user("me@example.ru", "me@example.ru", "Сложный-пароль-2026")
    neighbour = django_user_model.objects.create_user("n@example.ru", "n@example.ru", "Сложный-пароль-2026")
    AccountLink.objects.create(user=me, account=region.mine, confirmed_at=timezone.now())
    AccountLink.objects.create(user=neighbour, account=region.other, confirmed_at=timezone.now())
    issue_account(account_number=region.other.number, period=region.period)
    client.force_login(me)
    return me, neighbour


def pages(number: str) -> list[str]:
    return [f"/lk/{number}/", f"/lk/{number}/charges/2026-11/", f"/lk/{number}/documents/",
            f"/lk/{number}/readings/", f"/lk/{number}/pay/", f"/lk/{number}/delivery/"]


def test_own_pages_open_and_the_neighbours_are_404(region, two_subscribers, client):
    for url in pages(region.mine.number):
        assert client.get(url).status_code == 200, url
    for url in pages(region.other.number) + pages("no-such-account"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert region.other.payer not in response.content.decode()


def test_the_neighbours_document_does_not_download_under_my_account(region, two_subscribers, client):
    theirs = PaymentDocument.objects.get(account=region.other)
    mine = PaymentDocument.objects.get(account=region.mine)
    assert client.get(f"/lk/{region.mine.number}/documents/{mine.pk}.pdf").content.startswith(b"%PDF")
    assert client.get(f"/lk/{region.mine.number}/documents/{theirs.pk}.pdf").status_code == 404
    assert client.get(f"/lk/{region.other.number}/documents/{theirs.pk}.pdf").status_code == 404


def test_posting_to_the_neighbours_account_changes_nothing(region, two_subscribers, client):
    meter = Meter.objects.filter(account=region.other).first()
    readings = Reading.objects.count()
    assert client.post(f"/lk/{region.other.number}/readings/", {"meter": meter.pk, "zone": "total",
                                                                "value": "99999"}).status_code == 404
    assert client.post(f"/lk/{region.other.number}/delivery/", {"channel": "email"}).status_code == 404
    assert client.post(f"/lk/{region.other.number}/pay/", {"amount": "100"}).status_code == 404
    # the neighbour's meter through my own account: refused too
    response = client.post(f"/lk/{region.mine.number}/readings/", {"meter": meter.pk, "zone": "total",
                                                                   "value": "99999"})
    assert response.status_code == 404
    assert Reading.objects.count() == readings and not DeliveryPreference.objects.exists()
    assert not GatewayPayment.objects.exists()


def test_an_unconfirmed_link_opens_nothing(region, django_user_model, client):
    user = django_user_model.objects.create_user("u@example.ru", "u@example.ru", "Сложный-пароль-2026")
    AccountLink.objects.create(user=user, account=region.mine)
    client.force_login(user)
    assert client.get(f"/lk/{region.mine.number}/").status_code == 404


def test_the_neighbours_payment_page_is_404(region, two_subscribers, client):
    me, neighbour = two_subscribers
    client.force_login(neighbour)
    client.post(f"/lk/{region.other.number}/pay/", {"amount": "100"})
    order = GatewayPayment.objects.get()
    client.force_login(me)
    assert client.get(f"/lk/pay/test/{order.operation_id}/").status_code == 404
    assert client.post(f"/lk/pay/test/{order.operation_id}/", {"action": "pay"}).status_code == 404
    assert client.get(f"/lk/pay/done/{order.operation_id}/").status_code == 404
    order.refresh_from_db()
    assert order.state == "started"


def test_signed_out_pages_send_to_the_portal_login(region, client):
    response = client.get(f"/lk/{region.mine.number}/")
    assert response.status_code == 302 and response["Location"].startswith("/lk/login/")
