"""Sign-up by account number and the printed code, the e-mail confirmation through a real SMTP
server, several accounts per person, and the refusals (wrong code, unknown account, reused address)."""

import portal_fixtures
import pytest
from django.contrib.auth import get_user_model

from raschet.documents.models import PaymentDocument
from raschet.documents.signup import code_matches, signup_code
from raschet.domain.errors import ProblemsError
from raschet.portal import services
from raschet.portal.models import AccountLink

PASSWORD = "Сложный-пароль-2026"


# the shared fixtures come from a plain module: a conftest.py here would shadow
# tests/documents/conftest.py for its `from conftest import make_region`
region = portal_fixtures.region
smtp_server = portal_fixtures.smtp_server
pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"http://testserver/lk/confirm/{token}/"


def sign_up(account, email="abonent@example.ru", code=None):
    return services.sign_up(email=email, password=PASSWORD, account_number=account.number,
                            code=signup_code(account.number) if code is None else code, confirm_url=url)


def test_the_code_is_not_the_number_and_differs_between_accounts(settings):
    first, second = signup_code("1000000001"), signup_code("1000000002")
    assert first != second and "1000000001" not in first and len(first) == 11
    assert code_matches("1000000001", first.replace("-", " ")) and not code_matches("1000000002", first)
    settings.RASCHET_SIGNUP_KEY = "another installation"
    assert signup_code("1000000001") != first



def test_the_code_is_printed_on_the_document_and_not_a_figure_of_it(region, tmp_path):
    import subprocess

    document = PaymentDocument.objects.get(account=region.mine)
    source = tmp_path / "document.pdf"
    source.write_bytes(bytes(document.pdf))
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode("utf-8")
    assert f"Код для личного кабинета: {signup_code(region.mine.number)}" in text
    assert "signup_code" not in document.figures  # a new key or code never re-issues a document


def test_sign_up_sends_a_letter_and_the_link_confirms(region, smtp_server):
    link = sign_up(region.mine)
    user = link.user
    assert not user.is_active and link.confirmed_at is None
    assert services.accounts_of(user).count() == 0
    letter = smtp_server.letters[-1]
    assert letter["To"] == "abonent@example.ru"
    token = smtp_server.link("/lk/confirm/").rstrip("/").rsplit("/", 1)[1]
    confirmed = services.confirm_email(token=token)
    assert confirmed.pk == user.pk and confirmed.is_active
    assert list(services.accounts_of(confirmed).values_list("number", flat=True)) == [region.mine.number]


@pytest.mark.parametrize("wrong", ["00000-00000", "", "abc"])
def test_a_wrong_code_is_refused_and_nothing_is_made(region, mailoutbox, wrong):
    with pytest.raises(ProblemsError) as refused:
        sign_up(region.mine, code=wrong)
    assert "код" in refused.value.problems[0].message and "раздел" in refused.value.problems[0].message
    assert not get_user_model().objects.exists() and not mailoutbox


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_code(region, mailoutbox):
    with pytest.raises(ProblemsError) as unknown:
        services.sign_up(email="x@example.ru", password=PASSWORD, account_number="999999999",
                         code=signup_code("999999999"), confirm_url=url)
    with pytest.raises(ProblemsError) as wrong:
        sign_up(region.mine, code="12345-67890")
    assert unknown.value.problems[0].message.split(":", 1)[1] == wrong.value.problems[0].message.split(":", 1)[1]


def test_a_weak_password_is_refused_in_russian(region, mailoutbox):
    with pytest.raises(ProblemsError) as refused:
        services.sign_up(email="x@example.ru", password="123", account_number=region.mine.number,
                         code=signup_code(region.mine.number), confirm_url=url)
    assert "пароль" in refused.value.problems[0].message.lower()


def test_a_confirmed_address_cannot_sign_up_again_but_adds_accounts_in_the_cabinet(region, mailoutbox):
    user = services.confirm_email(token=mailoutbox_token(sign_up(region.mine), mailoutbox))
    with pytest.raises(ProblemsError) as again:
        sign_up(region.other)
    assert "уже зарегистрирован" in again.value.problems[0].message
    with pytest.raises(ProblemsError):
        services.add_account(user=user, account_number=region.other.number, code="11111-11111")
    services.add_account(user=user, account_number=region.other.number, code=signup_code(region.other.number))
    assert set(services.accounts_of(user).values_list("number", flat=True)) == {region.mine.number,
                                                                               region.other.number}
    assert AccountLink.objects.filter(user=user).count() == 2


def test_a_broken_or_foreign_confirmation_link_is_refused(region, mailoutbox):
    sign_up(region.mine)
    with pytest.raises(ProblemsError) as broken:
        services.confirm_email(token="1:abc:def")
    assert "ссылка" in broken.value.problems[0].message
    assert not get_user_model().objects.get().is_active
    assert PaymentDocument.objects.exists()


def mailoutbox_token(link, mailoutbox) -> str:
    body = mailoutbox[-1].body
    return body.split("/lk/confirm/", 1)[1].split("/", 1)[0]


def test_codes_cannot_be_tried_one_by_one(region, mailoutbox):
    for attempt in range(services.ATTEMPTS):
        with pytest.raises(ProblemsError):
            sign_up(region.mine, code=f"{attempt:05d}-00000")
    with pytest.raises(ProblemsError) as stopped:
        sign_up(region.mine)  # even the right code, for the rest of the hour
    assert "слишком много неверных попыток" in stopped.value.problems[0].message
    assert not mailoutbox
    sign_up(region.other)  # another account is not held up
