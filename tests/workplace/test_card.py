"""The account card: figures from the ledger, lines explained in Russian, every tab, the edits."""

import re
from datetime import date
from decimal import Decimal

import pytest

from raschet.billing.models import ChargeLine
from raschet.billing.services import calculate_period, post_period
from raschet.documents import sources
from raschet.documents.models import DocumentSettings
from raschet.domain.periods import Period
from raschet.housing.models import Account, ResidentCount
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Organization
from raschet.workplace import card
from raschet.workplace.words import money, plural


def test_russian_plurals_and_money():
    assert [plural(n, "расчётный период", "расчётных периода", "расчётных периодов") for n in (1, 2, 5, 11, 12, 21, 104)] == [
        "1 расчётный период", "2 расчётных периода", "5 расчётных периодов", "11 расчётных периодов",
        "12 расчётных периодов", "21 расчётный период", "104 расчётных периода"]
    assert money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50" and money(Decimal("-3.005")) == "−3,01"
    assert money(Decimal("7"), sign=True) == "+7,00"


def test_a_line_reads_as_one_russian_sentence():
    line = ChargeLine(method="sum_of", volume_source="meter", kind="charge", explanation={
        "дни": "31/31", "расчёт": "22.728 × 46.1 = 1047.76",
        "примечание": "сумма объёмов: cold_water 12.24 (meter) + hot_water 10.488 (meter)", "residents": "4"})
    text = card.sentence(line, {"cold_water": "ХВС", "hot_water": "ГВС"})
    assert text == ("Сумма объёмов других услуг, объём — показания ИПУ: 22,728 × 46,1 = 1047,76; сумма объёмов: "
                    "ХВС 12,24 (показания ИПУ) + ГВС 10,488 (показания ИПУ); проживает 4; дней 31 из 31.")
    assert card.legal_basis(line, {}) == "п. 42 Правил № 354: водоотведение — сумма объёмов ХВС и ГВС"


@pytest.fixture
def posted(db, scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    post_period(period=Period(2026, 3))
    return Account.objects.get(number="1000000001")


def test_the_month_table_comes_from_the_ledger(posted):
    rows = card.months(posted)
    assert [(str(r.period), r.opening, r.charged, r.paid, r.closing) for r in rows] == [
        ("2026-03", Decimal("0"), Decimal("383.52"), Decimal("0"), Decimal("383.52"))]
    assert sources.ledger_balances([posted.pk], Period(2026, 3)) == {posted.pk: rows[0].closing}
    head = card.header(posted, date(2026, 4, 1))
    assert (head.area, head.residents, head.standing.debt) == (Decimal("60"), 3, Decimal("383.52"))
    groups = card.month_groups(posted, Period(2026, 3))
    assert [g.service.name for g in groups] == ["Холодное водоснабжение"] and groups[0].amount == Decimal("383.52")
    assert groups[0].lines[0].sentence.startswith("По прибору учёта, объём — показания ИПУ: 7,333 × 52,3 = 383,52")


def test_every_tab_and_the_month_render_for_an_operator(client, admin_user, posted):
    client.force_login(admin_user)
    page = client.get("/accounts/1000000001/").content.decode()
    assert "383,52" in page and "1 расчётный период" in page and "Почему изменилась сумма за март 2026" in page
    for tab in ("charges", "payments", "meters", "people", "documents", "debt"):
        answer = client.get(f"/accounts/1000000001/tab/{tab}/", headers={"HX-Request": "true"})
        assert answer.status_code == 200 and "<html" not in answer.content.decode()
        assert client.get(f"/accounts/1000000001/?tab={tab}").status_code == 200
    month = client.get("/accounts/1000000001/months/2026-03/").content.decode()
    assert "п. 42 Правил № 354 (формула 1)" in month and "показание было 123,456" in month
    assert client.get("/accounts/1000000001/months/март/").status_code == 404
    assert client.get("/accounts/404/").status_code == 404


def test_residents_changed_from_the_card_make_a_new_version(client, admin_user, posted):
    client.force_login(admin_user)
    answer = client.post("/accounts/1000000001/dated/residents/", {"value": "4", "valid_from": "2026-05-01"},
                         headers={"HX-Request": "true"})
    assert "действует с 01.05.2026" in answer.content.decode()
    assert list(ResidentCount.objects.order_by("valid_from").values_list("count", "valid_to")) == [
        (3, date(2026, 5, 1)), (4, None)]
    refused = client.post("/accounts/1000000001/dated/residents/", {"value": "два", "valid_from": "2026-06-01"},
                          headers={"HX-Request": "true"}).content.decode()
    assert "Укажите число" in refused and ResidentCount.objects.count() == 2


def test_a_clerk_without_the_right_cannot_change_the_area(client, django_user_model, posted):
    client.force_login(django_user_model.objects.create_user("clerk", password="pw-clerk-1234"))
    answer = client.post("/accounts/1000000001/dated/area/", {"value": "70", "valid_from": "2026-05-01"},
                         headers={"HX-Request": "true"}).content.decode()
    assert "Недостаточно прав" in answer


def test_the_document_is_issued_through_its_service_and_opens_as_pdf(client, admin_user, posted):
    client.force_login(admin_user)
    refused = client.post("/accounts/1000000001/documents/issue/").content.decode()
    assert "Не указан исполнитель услуг" in refused  # the service's own refusal, shown on the card
    DocumentSettings.objects.create(executor=Organization.objects.get(code="VK"))
    answer = client.post("/accounts/1000000001/documents/issue/")
    assert answer.status_code == 302, re.findall(r'role="alert">([^<]*)', answer.content.decode())
    assert answer["Location"].endswith(".pdf")
    pdf = client.get(answer["Location"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "ЕПД №" in client.get("/accounts/1000000001/tab/documents/").content.decode()
