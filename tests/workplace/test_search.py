"""The one search box: normalisation (pure) and finding accounts (database)."""

import pytest

from raschet.metering.models import Meter
from raschet.tariffs.models import Service
from raschet.workplace.indexing import reindex
from raschet.workplace.models import SearchEntry
from raschet.workplace.search import entry_text, find, normalise, parse, phone_digits


def test_address_words_punctuation_case_and_yo_are_ignored():
    assert normalise("Огородная, д. 2, кв. 6") == ["огородная", "2", "6"]
    assert normalise("ул. ОГОРОДНАЯ дом 2 квартира 6") == ["огородная", "2", "6"]
    assert normalise("пр-т Мира, д.12а, корп.1") == ["мира", "12", "а", "1"]
    assert normalise("Семёнов") == ["семенов"]


def test_phone_is_its_ten_national_digits():
    assert phone_digits("+7 (900) 123-45-67") == phone_digits("8 900 1234567") == "9001234567"
    assert parse("+7 (900) 123-45-67").alternatives == ["9001234567"]
    assert parse("8 900 12").alternatives == ["890012", "90012"]


def test_entry_text_has_one_segment_per_kind_of_key():
    text = entry_text("1000000001", "г. Пример, ул. Огородная, д. 2", "6", "Петрова Анна", "+79001234567", ["SN-77"])
    assert text == " 1000000001 | пример огородная 2 6 | петрова анна | 9001234567 | sn 77 |"


@pytest.fixture
def street(db, make_account):
    accounts = {
        "2-6": make_account("г. Пример, ул. Огородная, д. 2", "6", "Петрова Анна Сергеевна", "+7 900 123-45-67"),
        "2-61": make_account("г. Пример, ул. Огородная, д. 2", "61", "Сидоров Пётр"),
        "6-2": make_account("г. Пример, ул. Огородная, д. 6", "2", "Кузнецова Ольга"),
        "other": make_account("г. Пример, ул. Садовая, д. 2", "6", "Петров Андрей"),
    }
    return accounts


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["огородная 2 6", "Огородная, д. 2, кв. 6", "ОГОРОДНАЯ д2 кв6",
                                   "ул. огородная, дом 2, квартира 6", "огород 2 6"])
def test_an_address_as_typed_finds_that_flat_precisely(street, query):
    found = find(query)
    assert found.precise == [street["2-6"].pk]
    assert street["2-61"].pk not in found.account_ids  # a flat number is matched whole, never as a prefix
    assert found.account_ids[0] == street["2-6"].pk


@pytest.mark.django_db
def test_payer_phone_and_serial_are_found(street):
    assert find("петрова").account_ids == [street["2-6"].pk]
    assert set(find("ПЕТРОВ").account_ids) == {street["2-6"].pk, street["other"].pk}
    assert find("+7 (900) 123-45-67").account_ids == [street["2-6"].pk]
    assert find("8900123").account_ids == [street["2-6"].pk]  # the beginning of a phone number
    water = Service.objects.create(code="cold_water", name="Холодная вода", unit="м³")
    account = street["6-2"]
    Meter.objects.create(code="m-1", serial="ВК-0042519", building=account.premises.building,
                         premises=account.premises, account=account, service=water)
    reindex()
    assert find("вк 0042519").account_ids == [account.pk]
    assert find("0042519").account_ids == [account.pk]


@pytest.mark.django_db
def test_nothing_and_everything(street):
    assert find("несуществующая").account_ids == []
    assert find("   ").account_ids == []
    assert len(find("огородная").account_ids) == 3


@pytest.mark.django_db
def test_accounts_written_in_bulk_are_indexed_before_the_search(street, make_account):
    SearchEntry.objects.all().delete()
    assert find("кузнецова").account_ids == [street["6-2"].pk]  # the search tops the index up first
    assert reindex(only_missing=True) == 0
    assert reindex() == 4


@pytest.mark.django_db(transaction=True)
def test_a_saved_change_of_payer_is_found_at_once(make_account):
    account = make_account("ул. Лесная, д. 1", "1", "Иванов")
    assert find("иванов").account_ids == [account.pk]
    account.payer = "Смирнов"
    account.save()
    assert find("смирнов").account_ids == [account.pk]
    assert find("иванов").account_ids == []


@pytest.mark.django_db
def test_the_search_page_opens_the_card_of_a_single_match_and_lists_several(client, admin_user, street):
    client.force_login(admin_user)
    answer = client.get("/search/", {"q": "огородная 2 6"})
    assert answer.status_code == 302 and answer["Location"] == f"/accounts/{street['2-6'].number}/"
    assert client.get("/search/", {"q": street["other"].number})["Location"] == f"/accounts/{street['other'].number}/"
    page = client.get("/search/", {"q": "огородная"}).content.decode()
    assert page.count("/accounts/77") == 3 and "Найдено: 3 лицевых счёта" in page
    assert "Ничего не найдено" in client.get("/search/", {"q": "луговая 5"}).content.decode()
