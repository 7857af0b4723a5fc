"""The back office's reports: figures from the ledger, the workbook's cells, the chart's escaping."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from raschet.access.roles import CASHIER
from raschet.backoffice import charts, reports
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(charged):
    record_payment(account_number="1000000001", paid_on=date(2026, 4, 20), amount="100,50",
                   source=PaymentSource.SCENARIO, operation_id="r-1")


def test_turnover_by_service_shows_the_charge_and_the_payment(paid):
    march, = reports.turnover(Period(2026, 3), Period(2026, 3), "service")
    assert (march.charged, march.paid, march.closing) == (Decimal("383.52"), 0, Decimal("383.52"))
    april, = reports.turnover(Period(2026, 4), Period(2026, 4), "service")
    assert (april.opening, april.paid, april.closing) == (Decimal("383.52"), Decimal("100.50"), Decimal("283.02"))
    book = load_workbook(BytesIO(reports.turnover_xlsx([april], "ОСВ")))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert "ОСВ" in values and 100.5 in [float(v) for v in values if isinstance(v, int | float | Decimal)]


def test_debt_ageing_moves_the_debt_into_older_buckets(paid):
    now = {r.bucket: (r.accounts, r.amount) for r in reports.debt_ageing(Period(2026, 3))}
    assert now["текущий месяц"] == (1, Decimal("383.52"))
    april = {r.bucket: r.amount for r in reports.debt_ageing(Period(2026, 4))}
    assert april["1–2 месяца"] == Decimal("283.02") and april["текущий месяц"] == 0
    later = {r.bucket: r.amount for r in reports.debt_ageing(Period(2029, 5))}
    assert later["более 3 лет"] == Decimal("283.02")
    assert sum(r.amount for r in reports.debt_ageing(Period(2026, 4), "no-such-building")) == 0


def test_collections_by_supplier_add_up_to_the_payment(paid):
    suppliers, days = reports.collections(date(2026, 4, 1), date(2026, 4, 30))
    assert sum(r.collected for r in suppliers) == Decimal("100.50") and len(days) == 1
    assert suppliers[0].to_transfer + suppliers[0].commission == suppliers[0].collected
    assert reports.collections(date(2026, 5, 1), date(2026, 5, 31))[0] == []


def test_a_report_needs_its_permission(charged, member):
    with pytest.raises(ProblemsError) as refused:
        reports.debt_ageing(Period(2026, 3), actor=member(CASHIER))
    assert refused.value.problems[0].code == "forbidden"


def test_the_chart_escapes_its_labels_and_writes_russian_amounts():
    svg = str(charts.bars([("<script>", [Decimal("12345.6")])], ["Долг"], "Долги & пени"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Долги &amp; пени" in svg
    assert "12\u2009345,60" in svg and svg.startswith("<svg")
    assert charts.bars([], ["Долг"], "пусто") == ""
