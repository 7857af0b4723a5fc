"""Supplier settlements: collected per supplier and day, the agent's dated commission, the export."""

from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.payments.models import AgentContract
from raschet.payments.services import record_payment
from raschet.payments.settlements import transfers, write_csv, write_xlsx
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_collected_commission_and_transfer(scenario_path, tmp_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))
    supplier = Organization.objects.get(code="VK")
    AgentContract.objects.create(supplier=supplier, valid_from=date(2026, 4, 15), commission_percent=D("1.5"))
    for day, amount in ((10, "100.00"), (20, "200.00"), (20, "333.33")):
        record_payment(account_number="1000000001", paid_on=date(2026, 4, day), amount=D(amount), source="cash",
                       channel="desk", operation_id=f"{day}-{amount}")
    rows = transfers(date(2026, 4, 1), date(2026, 4, 30))
    summary = [(r.day.day, r.supplier, r.collected, r.commission, r.to_transfer) for r in rows]
    assert summary == [(10, "VK", D("100.00"), D("0.00"), D("100.00")),
                       (20, "VK", D("283.52"), D("4.25"), D("279.27")),
                       (20, "", D("249.81"), D("0.00"), D("0.00"))]
    write_xlsx(rows, tmp_path / "t.xlsx", "Перечисления")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet["G4"].value == D("279.27") or float(sheet["G4"].value) == 279.27
    write_csv(rows, tmp_path / "t.csv")
    assert "283,52;1,5;4,25;279,27" in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
