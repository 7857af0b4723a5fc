"""Payment QR codes of the document: refused before drawing when an organisation's details cannot
make one, and read back from the printed page exactly as written."""

from decimal import Decimal

import pytest
from doc_helpers import decoded_qr_codes, rasterise

from raschet.documents.content import Organisation
from raschet.documents.pdf.canvas import Canvas
from raschet.documents.pdf.writer import PageParts, pdf_bytes
from raschet.documents.qr import PayeeProblem, payment_payload, symbol
from raschet.documents.render import renderer
from raschet.domain.periods import Period

PAYEE = Organisation(code="UK", name="ООО «УК „Пример“»", inn="7707083893", kpp="773601001",
                     bank_name="ПАО Сбербанк", bic="044525225", settlement_account="40702810938000012345",
                     corr_account="30101810400000000225")


def _payload(payee: Organisation = PAYEE, amount: str = "5230.45") -> str:
    return payment_payload(payee, amount=Decimal(amount), account_number="1000123", period=Period(2026, 11))


def test_payload_carries_the_sum_in_kopecks_the_account_and_the_period():
    payload = _payload()
    assert payload.startswith("ST00012|Name=ООО «УК „Пример“»|PersonalAcc=40702810938000012345|")
    assert "|Sum=523045|" in payload and "|PersAcc=1000123|" in payload and "|PaymPeriod=112026|" in payload


@pytest.mark.parametrize(("change", "fragment"), [
    ({"name": "ООО «Тест | Плюс»"}, "«|»"),
    ({"bic": "044525226"}, "БИК"),  # the account's control key no longer agrees with the BIC
    ({"settlement_account": "40702810938000012346"}, "счёт"),
    ({"bank_name": "Публичное акционерное общество «Сбербанк России», Московский банк"}, "45 символов"),
    ({"bic": ""}, "БИК"),
])
def test_bad_details_are_refused_naming_the_organisation_to_fix(change, fragment):
    payee = Organisation(**{**PAYEE.__dict__, **change})
    with pytest.raises(PayeeProblem) as refused:
        _payload(payee)
    problem = refused.value.problem
    assert problem.code == "payee_details"
    assert payee.name in problem.message and "(код UK)" in problem.message and fragment in problem.message
    assert "справочнике организаций" in problem.message


def test_symbol_read_from_the_rasterised_page_equals_the_payload_cyrillic_included(tmp_path):
    payload = _payload()
    canvas = Canvas(renderer().fonts)
    canvas.image("qr0", 20, 20, 25, 25)
    pdf = pdf_bytes([PageParts(canvas.stream(), (symbol(payload, "qr0"),), ())], renderer().fonts, {}, "QR")
    [page] = rasterise(pdf, tmp_path, dpi=300)
    assert decoded_qr_codes(page) == [payload]
