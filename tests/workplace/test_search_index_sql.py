"""On PostgreSQL the search texts are made in SQL (``pg_index``): they must equal the Python-made ones."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raschet.housing.models import Account
from raschet.workplace import pg_index
from raschet.workplace.search import entry_text

pytestmark = pytest.mark.django_db

TRICKY = [
    ("г. Пример, ул. Огородная, д. 2", "6", "Петрова Анна", "+7 (900) 123-45-67"),
    ("ПР-Т МИРА, Д.12А, КОРП.1", "кв.6б", "Семёнов Ёжик", "8 900 1234567"),
    ("б-р Ленина 3/1 стр 2", "пом. 1Н", "O'Connor-Smith John", "12-34"),
    ("пос. Апр-т, мкр. Северный, 15к2", "", "", ""),
    ("  ", "0", "Ким Д.Д.", "+79001234567"),
]

LETTERS = st.sampled_from(list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁКЛМНОПЯabcXYZ0123456789 .,-/№\"'()"))
WORDS = st.sampled_from(["ул.", "д.", "кв.", "пр-т", "б-р", "р-н", "дом", "К", "корп", "Огородная", "12а", "6"])
PIECE = st.one_of(st.text(LETTERS, max_size=12), WORDS)


def _sql_text(make_account, address: str, flat: str, payer: str, phone: str) -> tuple[str, str]:
    account = make_account(address or "-", flat or "-", payer, phone)
    account = Account.objects.select_related("premises__building").get(pk=account.pk)
    expected = entry_text(account.number, account.premises.building.address, account.premises.number,
                          account.payer, account.phone, [])
    return pg_index.texts([account.pk])[account.pk], expected


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL-made index is PostgreSQL's")


@pytest.mark.parametrize("address, flat, payer, phone", TRICKY)
def test_sql_and_python_make_the_same_text(make_account, address, flat, payer, phone):
    made, expected = _sql_text(make_account, address, flat, payer, phone)
    assert made == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=st.lists(PIECE, max_size=6).map(" ".join), payer=st.lists(PIECE, max_size=4).map(" ".join))
def test_sql_and_python_agree_on_any_text(make_account, address, payer):
    made, expected = _sql_text(make_account, address, "1", payer, "")
    assert made == expected
