"""The back office in a browser: an accountant uploads a bank registry and reads its report, assigns
the suspense payment it brought, and reads the reports with their charts."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from raschet.access.roles import ACCOUNTANT
from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.payments.models import Payment, PaymentState
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)

LINES = ["25-04-2026;10-15-00;8626;1001;1000000001;Иванов И. И.;г. Энск;0326;100,00;100,00;0,00",
         "25-04-2026;10-20-00;8626;1002;10000OOOO1;Иванов И. И.;г. Энск;0326;50,50;50,50;0,00"]
REGISTRY = ("\n".join([*LINES, "=2;150.50;150.50;0.00;17;25-04-2026"]) + "\n").encode("cp1251")


@pytest.fixture
def accountant_page(page, live_server, client, scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))
    user = get_user_model().objects.create_user("buh", first_name="Мария", last_name="Бухгалтерова")
    user.groups.add(Group.objects.get(name=ACCOUNTANT))
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def test_upload_a_registry_assign_its_suspense_payment_and_read_the_reports(accountant_page, tmp_path, screenshot):
    page = accountant_page
    path = tmp_path / "sber_25042026.txt"
    path.write_bytes(REGISTRY)
    page.goto("/office/payments/")
    page.set_input_files("#id_file", str(path))
    page.click("#registry-form button[type=submit]")
    report = page.inner_text("#registry-report")
    assert "Загружено платежей: 2 на 150.50 ₽" in report and "невыясненных: 1" in report
    screenshot("registry")
    page.goto("/office/payments/suspense/")
    suspended = Payment.objects.get(state=PaymentState.SUSPENSE)
    page.fill(f"#suspense-{suspended.pk} input[name=account]", "1000000001")
    page.click(f"#suspense-{suspended.pk} button")
    assert "разнесён на ЛС 1000000001" in page.inner_text(".messages")
    assert not Payment.objects.filter(state=PaymentState.SUSPENSE).exists()
    screenshot("suspense")
    page.goto("/office/reports/turnover/?first=2026-04&last=2026-04&by=service")
    assert "150,50" in page.inner_text("#turnover-paid") and page.locator("svg.chart").count() == 1
    screenshot("turnover")
    page.goto("/office/reports/ageing/?as_of=2026-04")
    assert "233,02" in page.inner_text("#ageing-total")  # 383.52 − 150.50
    screenshot("ageing")
    page.goto("/office/reports/collections/?first=2026-04-01&last=2026-04-30")
    assert "150,50" in page.inner_text("#collections tfoot")
    screenshot("collections")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == "collections-2026-04-01-2026-04-30.xlsx"
