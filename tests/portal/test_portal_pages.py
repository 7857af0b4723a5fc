"""The pages around the use cases: sign-up and confirmation through the forms, sign-in by e-mail,
Django's password reset with the portal's Russian letter, and the gateway's callback endpoint."""

import re
from decimal import Decimal

import portal_fixtures
import pytest
from django.utils import timezone

from raschet.documents.signup import signup_code
from raschet.portal.gateway import GATEWAYS
from raschet.portal.models import AccountLink, GatewayPayment

# the shared fixtures come from a plain module: a conftest.py here would shadow
# tests/documents/conftest.py for its `from conftest import make_region`
region = portal_fixtures.region
pytestmark = pytest.mark.django_db
PASSWORD = "Сложный-пароль-2026"


def test_sign_up_confirm_and_sign_in_through_the_pages(region, client, mailoutbox):
    form = {"account_number": region.mine.number, "code": signup_code(region.mine.number),
            "email": "Abonent@Example.ru", "password": PASSWORD, "password_again": PASSWORD}
    response = client.post("/lk/signup/", form)
    assert "Мы отправили письмо" in response.content.decode()
    link = re.search(r"http://testserver(/lk/confirm/\S+/)", mailoutbox[-1].body).group(1)
    response = client.get(link, follow=True)
    assert region.mine.number in response.content.decode() and "подтверждён" in response.content.decode()
    client.logout()
    response = client.post("/lk/login/", {"username": "abonent@example.ru", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"/lk/{region.mine.number}/"


def test_mismatched_passwords_and_a_wrong_code_are_said_on_the_form(region, client, mailoutbox):
    form = {"account_number": region.mine.number, "code": "12345-67890", "email": "a@example.ru",
            "password": PASSWORD, "password_again": PASSWORD + "x"}
    page = client.post("/lk/signup/", form).content.decode()
    assert "Пароли не совпадают" in page and not mailoutbox
    page = client.post("/lk/signup/", {**form, "password_again": PASSWORD}).content.decode()
    assert "не подходят друг к другу" in page and not mailoutbox


def test_password_reset_sends_a_russian_letter_and_sets_a_new_password(region, client, mailoutbox,
                                                                       django_user_model):
    user = django_user_model.objects.create_user("me@example.ru", "me@example.ru", PASSWORD)
    AccountLink.objects.create(user=user, account=region.mine, confirmed_at=timezone.now())
    client.post("/lk/password/reset/", {"email": "me@example.ru"})
    letter = mailoutbox[-1]
    assert letter.subject == "Восстановление пароля личного кабинета" and "новый пароль" in letter.body
    link = re.search(r"http://testserver(/lk/password/reset/\S+/)", letter.body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0]
    new = "Другой-пароль-2027"
    done = client.post(action, {"new_password1": new, "new_password2": new}, follow=True)
    assert "Пароль изменён" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_callback_endpoint_trusts_the_signature_only(region, client, django_user_model, settings):
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    user = django_user_model.objects.create_user("me@example.ru", "me@example.ru", PASSWORD)
    order = GatewayPayment.objects.create(account=region.mine, user=user, gateway="test", operation_id="op-1",
                                          amount=Decimal("250.00"))
    notice = GATEWAYS["test"].notification(order)
    forged = client.post("/lk/pay/callback/test/", {**notice, "signature": "0" * 64})
    assert forged.status_code == 400 and "подпись" in forged.content.decode()
    assert client.post("/lk/pay/callback/test/", notice).content == b"paid"
    assert client.post("/lk/pay/callback/test/", notice).content == b"paid"  # a repeat records nothing new
    order.refresh_from_db()
    assert order.payment.amount == 250 and order.payment.source == "portal"
    settings.RASCHET_PAYMENT_GATEWAY = ""
    assert client.post("/lk/pay/callback/test/", notice).status_code == 400


def test_a_second_account_is_added_on_its_page_and_both_are_listed(region, client, django_user_model):
    user = django_user_model.objects.create_user("me@example.ru", "me@example.ru", PASSWORD)
    AccountLink.objects.create(user=user, account=region.mine, confirmed_at=timezone.now())
    client.force_login(user)
    assert client.get("/lk/").status_code == 302  # one account: straight to it
    wrong = client.post("/lk/add/", {"account_number": region.other.number, "code": "00000-00000"})
    assert "не подходят друг к другу" in wrong.content.decode()
    added = client.post("/lk/add/", {"account_number": region.other.number,
                                     "code": signup_code(region.other.number)}, follow=True)
    assert added.redirect_chain[-1][0] == f"/lk/{region.other.number}/"
    listed = client.get("/lk/").content.decode()
    assert region.mine.number in listed and region.other.number in listed
