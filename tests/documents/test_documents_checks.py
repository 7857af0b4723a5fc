"""A document whose figures do not tie out is refused before it is drawn, naming the figure."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from raschet.documents.checks import check
from raschet.documents.content import (
    Organisation,
    Payer,
    PaymentDocumentContent,
    RecipientPart,
    ServiceLine,
)
from raschet.documents.qr import payment_payload
from raschet.domain.periods import Period

D = Decimal
PERIOD = Period(2026, 11)
UK = Organisation(code="UK", name="ООО «УК»", inn="7707083893", bank_name="ПАО Сбербанк", bic="044525225",
                  settlement_account="40702810938000012345", corr_account="30101810400000000225")


def _document(**changes) -> PaymentDocumentContent:
    line = ServiceLine(service_code="maintenance", service="Содержание", recipient="UK", unit="м²",
                       individual_volume=D("54.3"), common_volume=None, basis="", tariff=D("35.50"),
                       charged=D("1927.65"), recalculation=D("-27.65"), payable=D("1900.00"))
    part = RecipientPart(recipient=UK, opening=D("100.00"), charged=D("1927.65"), recalculation=D("-27.65"),
                         benefits=D("0.00"), payable=D("1900.00"), penalties=D("0.00"), state_fees=D("0.00"),
                         court_costs=D("0.00"), paid=D("100.00"), total=D("1900.00"),
                         qr_payload=payment_payload(UK, amount=D("1900.00"), account_number="7", period=PERIOD))
    document = PaymentDocumentContent(period=PERIOD, number="202611-7", issued_on=date(2026, 12, 1),
                                      payer=Payer(account_number="7", name="Иванов", address="ул. Ленина, 1"),
                                      executor=UK, recipients=(part,), services=(line,), ledger_balance=D("1900.00"))
    return replace(document, **changes)


def test_a_document_that_ties_out_has_no_problems():
    assert check(_document()) == []


def test_total_different_from_the_ledger_is_refused():
    [found] = check(_document(ledger_balance=D("1900.01")))
    assert found.code == "document_mismatch" and "1900.00 ≠ сальдо лицевого счёта 1900.01" in found.message


def test_a_service_line_that_does_not_add_up_is_refused():
    document = _document()
    broken = replace(document.services[0], payable=D("1927.65"))
    messages = [p.message for p in check(replace(document, services=(broken,)))]
    assert any("услуга «Содержание»: к оплате 1927.65" in m for m in messages)


def test_a_qr_code_for_another_sum_is_refused():
    document = _document()
    wrong = replace(document.recipients[0], qr_payload=payment_payload(UK, amount=D("1900.10"), account_number="7",
                                                                         period=PERIOD))
    [found] = check(replace(document, recipients=(wrong,)))
    assert "сумма 1900.10 ≠ к оплате 1900.00" in found.message


def test_a_recipient_owed_money_without_a_qr_code_is_refused():
    document = _document()
    [found] = check(replace(document, recipients=(replace(document.recipients[0], qr_payload=""),)))
    assert "нет QR-кода получателя «ООО «УК»»" in found.message
