"""Every generated document is rendered to PNG (pdftoppm) and its text checked (pdftotext); the penalty
statement also as XLSX."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from raschet.claims.cases import advance_case, open_cases
from raschet.claims.documents import generate_documents, header
from raschet.claims.models import AccountCategory, DebtCase, DocumentKind, SelectionRule, Stage
from raschet.claims.penalties import penalty_statement
from raschet.claims.statement_files import statement_pdf, statement_xlsx
from raschet.housing.models import Account

from .world import build

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (scripts/setup installs it)")]
ON = date(2026, 5, 20)


def text_and_png(pdf: bytes, folder: Path, name: str) -> str:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source), str(folder / name)], check=True)
    png = next(folder.glob(f"{name}*.png"))
    assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True).stdout
    return " ".join(text.decode("utf-8").split())


def case_at(stage: str, category: str | None = None) -> DebtCase:
    build()
    open_cases(rule=SelectionRule.objects.create(name="все", min_debt=D("10000")), on=ON)
    case = DebtCase.objects.get(account__number="1000000001")
    if category:
        AccountCategory.objects.create(account=case.account, category=category, valid_from=date(2020, 1, 1))
    if stage == Stage.WARNING:
        advance_case(case=case, stage=stage, on=ON, service_code="hot_water")
    else:
        advance_case(case=case, stage=stage, on=ON)
    return case


def test_warning_document(tmp_path):
    case = case_at(Stage.WARNING)
    [doc] = generate_documents(case=case, on=ON)
    text = text_and_png(bytes(doc.pdf), tmp_path, "warning")
    assert doc.kind == DocumentKind.WARNING
    for part in ("ПРЕДУПРЕЖДЕНИЕ", "Петров Пётр 1", "лицевой счёт № 1000000001", "15 000,00 ₽",
                 "«Горячее водоснабжение»", "до 09.06.2026", "№ 354", "Отопление и холодное водоснабжение"):
        assert part in text, part


def test_claim_and_statement_for_a_legal_entity(tmp_path):
    case = case_at(Stage.PRETRIAL_CLAIM, category="commercial")
    claim, statement = generate_documents(case=case, on=ON)
    text = text_and_png(bytes(claim.pdf), tmp_path, "claim")
    # commercial: 1/130 from the day after the due date (domain.md §12) — January (due 10.02) alone
    # 5,000 × 9.5 % / 130 × 99 days (11.02–20.05) = 361.73
    assert "ПРЕТЕНЗИЯ" in text and "до 19.06.2026" in text and "АПК РФ ст. 4 ч. 5" in text
    assert statement.kind == DocumentKind.PENALTY_STATEMENT
    statement_text = text_and_png(bytes(statement.pdf), tmp_path, "statement")
    assert "01.2026 5 000,00 11.02.2026 20.05.2026 99 1/130 9,5 361,73" in statement_text


def test_court_order_application_with_debt_table_statement_and_duty(tmp_path):
    case = case_at(Stage.COURT_ORDER_APPLICATION)
    application, statement, duty = generate_documents(case=case, on=ON)
    text = text_and_png(bytes(application.pdf), tmp_path, "application")
    for part in ("ЗАЯВЛЕНИЕ", "судебного приказа", "01.2026 Горячее водоснабжение 1 000,00 ₽",
                 "03.2026 Отопление 1 500,00 ₽", "Итого 15 000,00 ₽", "ГПК РФ ст. 121–124", "2 000,00 ₽"):
        assert part in text, part
    duty_text = text_and_png(bytes(duty.pdf), tmp_path, "duty")
    assert "Госпошлина по иску 4 000,00 ₽" in duty_text and "259-ФЗ" in duty_text
    statement_text = text_and_png(bytes(statement.pdf), tmp_path, "statement")
    # January, due 10.02: 13.03–11.05 (60 days) 1/300 = 95.00, 12.05–20.05 (9 days) 1/130 = 32.88;
    # February, due 10.03: 10.04–20.05 (41 days) = 64.92; March, due 15.04: 16.05–20.05 (5 days) = 7.92
    for part in ("01.2026 5 000,00 13.03.2026 11.05.2026 60 1/300 9,5 95,00",
                 "01.2026 5 000,00 12.05.2026 20.05.2026 9 1/130 9,5 32,88",
                 "02.2026 5 000,00 10.04.2026 20.05.2026 41 1/300 9,5 64,92",
                 "03.2026 5 000,00 16.05.2026 20.05.2026 5 1/300 9,5 7,92", "Итого пени 200,72",
                 "ЖК РФ ст. 155 ч. 14", "ПП РФ от 26.03.2022 № 474"):
        assert part in statement_text, part


def test_statement_files_show_payments_as_rows(tmp_path):
    build()
    from raschet.payments.models import PaymentSource
    from raschet.payments.services import record_payment

    record_payment(account_number="1000000001", paid_on=date(2026, 4, 20), amount="2000.00",
                   source=PaymentSource.SCENARIO, channel="t", operation_id="1")
    statement = penalty_statement(account_number="1000000001", as_of=ON)
    account = Account.objects.get(number="1000000001")
    text = text_and_png(statement_pdf(statement, header(account)), tmp_path, "paid")
    assert "01.2026 −2 000,00 20.04.2026 оплата" in text
    sheet = load_workbook(io.BytesIO(statement_xlsx(statement, header(account)))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["01.2026", D("-2000.00"), "20.04.2026", None, None, "оплата", None, None] in values
    assert D(str(values[-len(statement["legal_basis"]) - 2][-1])) == D(statement["total"])
