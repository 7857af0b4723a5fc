"""The back office and cash desk pages in the layout: each role opens its own pages and is refused the
others with the Russian 403 page, in the view and (for a request the view let through) in the service."""

import re

import pytest
from django.utils import timezone

from raschet import access
from raschet.access import roles
from raschet.payments.models import Payment, PaymentSource, PaymentState
from raschet.payments.services import record_payment

pytestmark = pytest.mark.django_db

PAGES = ["/cash/", "/cash/shift/", "/office/periods/", "/office/payments/", "/office/payments/suspense/",
         "/office/reports/", "/office/reports/turnover/", "/office/reports/ageing/", "/office/reports/collections/"]
OPEN_TO = {  # role → the pages of PAGES it may open
    roles.CASHIER: {"/cash/", "/cash/shift/"},
    roles.OPERATOR: {p for p in PAGES if p.startswith("/office/reports/")},
    roles.ACCOUNTANT: {p for p in PAGES if p.startswith("/office/")},
    roles.DEBT_OFFICER: {p for p in PAGES if p.startswith("/office/reports/")},
    roles.CONTROLLER: set(),
    roles.ADMINISTRATOR: set(PAGES),
}


@pytest.fixture
def payment(charged):
    return record_payment(account_number="1000000001", paid_on=timezone.localdate(), amount="50.00",
                          source=PaymentSource.CASH, operation_id="v-1", actor=access.SYSTEM)


@pytest.mark.parametrize("role", list(OPEN_TO))
def test_each_role_opens_its_pages_and_is_refused_the_others_in_russian(client, charged, member, role):
    client.force_login(member(role))
    for page in PAGES:
        answer = client.get(page)
        expected = 200 if page in OPEN_TO[role] else 403
        assert answer.status_code == expected, (role, page, answer.status_code)
        text = answer.content.decode()
        assert 'class="sidenav"' in text or 'class="topbar"' in text  # in the layout
        if expected == 403:
            assert "Доступ запрещён" in text and "У вас нет права «" in text


def test_a_cashier_cannot_post_a_period_from_the_browser(client, charged, member):
    client.force_login(member(roles.CASHIER))
    answer = client.post("/office/periods/post/", {"period": "2026-04"})
    assert answer.status_code == 403 and "Проводить начисления периода" in answer.content.decode()


def test_an_operator_cannot_reverse_a_payment(client, payment, member):
    client.force_login(member(roles.OPERATOR))
    answer = client.post(f"/office/payments/{payment.pk}/reverse/")
    assert answer.status_code == 403 and "Сторнировать платежи" in answer.content.decode()
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.ALLOCATED


def test_an_accountant_reverses_a_payment(client, payment, member):
    client.force_login(member(roles.ACCOUNTANT))
    client.post(f"/office/payments/{payment.pk}/reverse/", {"reason": "ошибка кассира"})
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.REVERSED


def test_a_services_refusal_inside_a_view_is_the_403_page(client, charged, member, monkeypatch):
    """A view that checked too little: the service's own check answers with the same page."""
    from raschet.payments import views

    monkeypatch.setattr(views.cash, "account_due", lambda number: access.require(None, access.CLOSE_PERIOD))
    client.force_login(member(roles.CASHIER))
    answer = client.post("/cash/", {"account": "1000000001", "amount": "10", "action": "check"})
    assert answer.status_code == 403 and "Закрывать период" in answer.content.decode()


def test_the_cash_desk_confirms_before_taking_and_takes_once(client, charged, member):
    client.force_login(member(roles.CASHIER, "kassir"))
    form = client.get("/cash/").content.decode()
    key = re.search(r'name="operation_id" value="([^"]+)"', form).group(1)
    check = {"account": "1000000001", "period": "2026-03", "amount": "1 000,50", "method": "card", "action": "check",
             "operation_id": key}
    confirmation = client.post("/cash/", check).content.decode()
    assert "Подтвердить и принять 1000,50 ₽" in confirmation and "383,52" in confirmation
    assert not Payment.objects.exists()  # nothing taken before the confirmation
    pay = {**check, "amount": "1000.50", "action": "pay"}
    receipt = client.post("/cash/", pay, follow=True).content.decode()
    again = client.post("/cash/", pay, follow=True).content.decode()
    assert "Квитанция об оплате" in receipt and "1000,50 ₽" in receipt and "банковская карта" in receipt
    assert "уже принята" in again and Payment.objects.count() == 1
    shift = client.get("/cash/shift/").content.decode()
    assert "<td class=\"num\">1000,50</td>" in shift and "банковская карта" in shift


def test_reports_export_excel_and_draw_a_chart(client, charged, member):
    client.force_login(member(roles.ACCOUNTANT))
    page = client.get("/office/reports/turnover/?first=2026-03&last=2026-03&by=service").content.decode()
    assert "<svg" in page and "383,52" in page
    book = client.get("/office/reports/turnover/?first=2026-03&by=service&export=xlsx")
    assert book["Content-Type"].startswith("application/vnd.openxmlformats") and book.content[:2] == b"PK"
    bad = client.get("/office/reports/ageing/?as_of=2026-13").content.decode()
    assert "Поле «as_of»" in bad
