"""Sign-in with rate-limited attempts: five wrong passwords per user name and address, then a wait."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.test import RequestFactory

from raschet.access import signin

pytestmark = pytest.mark.django_db
PASSWORD = "right-password-42"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def attempt(password: str, address: str = "10.0.0.1", username: str = "clerk") -> AuthenticationForm:
    request = RequestFactory().post("/login/", REMOTE_ADDR=address)
    form = AuthenticationForm(request, data={"username": username, "password": password})
    form.is_valid()
    return form


def test_five_failures_lock_the_pair_even_for_the_right_password():
    get_user_model().objects.create_user("clerk", password=PASSWORD)
    for _ in range(signin.LIMIT):
        assert "Слишком много" not in " ".join(attempt("wrong").non_field_errors())
    locked = attempt(PASSWORD)
    assert not locked.is_valid()
    assert "подождите 15 минут" in " ".join(locked.non_field_errors())
    assert attempt(PASSWORD, address="10.0.0.2").is_valid()  # another address is another pair


def test_a_success_clears_the_count_and_the_lock_expires(settings, monkeypatch):
    get_user_model().objects.create_user("clerk", password=PASSWORD)
    for _ in range(signin.LIMIT - 1):
        attempt("wrong")
    assert attempt(PASSWORD).is_valid()
    assert signin.failures("clerk", "10.0.0.1") == 0
    for _ in range(signin.LIMIT):
        attempt("wrong")
    cache.delete(signin._key("clerk", "10.0.0.1"))  # what the cache does after LOCKOUT
    assert attempt(PASSWORD).is_valid()


def test_the_user_name_is_counted_case_insensitively():
    get_user_model().objects.create_user("clerk", password=PASSWORD)
    for name in ("Clerk", "CLERK", "clerk ", "clerk", "cLerk"):
        attempt("wrong", username=name)
    assert not attempt(PASSWORD).is_valid()


def test_the_sign_in_page_says_in_russian_how_long_to_wait(client):
    get_user_model().objects.create_user("clerk", password=PASSWORD)
    for _ in range(signin.LIMIT):
        page = client.post("/login/", {"username": "clerk", "password": "wrong"}).content.decode()
        assert "Слишком много" not in page
    page = client.post("/login/", {"username": "clerk", "password": PASSWORD})
    assert page.status_code == 200 and "подождите 15 минут" in page.content.decode()
    assert "_auth_user_id" not in client.session
