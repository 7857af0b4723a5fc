"""The cash desk in a real browser: a receipt's QR string, as a scanner types it, fills the form."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# A receipt in lower camel case, as many billing programs print it, with a key the standard lacks.
RECEIPT = (
    "ST00012|Name=АО Водоканал|PersonalAcc=40702810938000000001|BankName=ПАО Сбербанк|BIC=044525225|"
    "CorrespAcc=30101810400000000225|persAcc=1000000001|paymPeriod=0326|sum=38352|lastName=Иванов|"
    "payerAddress=г. Пример, ул. Садовая, д. 1, кв. 5|Категория=ЖКУ"
)


def test_cash_desk_fills_account_period_and_sum_from_a_lower_camel_receipt(signed_in, screenshot):
    page = signed_in
    page.goto("/cash/")
    page.fill("#id_qr", RECEIPT)
    page.click("button[value=fill]")
    page.wait_for_selector("#qr-warnings")
    assert page.input_value("#id_account") == "1000000001"
    assert page.input_value("#id_period") == "2026-03"
    assert page.input_value("#id_amount") == "383.52"
    warnings = page.inner_text("#qr-warnings")
    assert "Категория" in warnings and "не предусмотрен" in warnings
    assert screenshot().stat().st_size > 0


def test_cash_desk_shows_why_a_code_is_refused(signed_in, screenshot):
    page = signed_in
    page.goto("/cash/")
    page.fill("#id_qr", "https://example.invalid/pay?sum=100")
    page.click("button[value=fill]")
    page.wait_for_selector(".errorlist")
    assert "ГОСТ Р 56042" in page.inner_text(".errorlist")
    assert page.input_value("#id_account") == ""
    screenshot()
