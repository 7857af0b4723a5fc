"""The operator's day in a real browser: find an account by a lower-case address with the flat,
read its card, see why the bill changed, enter a reading (a wrong one is refused)."""

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from raschet.metering.models import Reading

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_fixtures import make_tariff_change  # noqa: E402  (the portal tests' two months, a new tariff)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_months():
    """March at 52.30 ₽/м³, April at 55.00 ₽ with more water: both posted (the portal tests' world)."""
    return make_tariff_change()


def test_operator_finds_the_flat_by_a_lower_case_address_and_a_wrong_reading_is_refused(signed_in, two_months,
                                                                                         screenshot):
    page = signed_in
    page.goto("/")
    page.fill("#top-search", "ленина 1 1")
    page.press("#top-search", "Enter")
    page.wait_for_selector("#card-head")
    assert page.url.endswith("/accounts/1000000001/")
    assert "г. Энск, ул. Ленина, д. 1, кв. 1" in page.inner_text("#card-head")
    screenshot("card")
    page.click("#card-tabs a[data-tab=meters]")
    form = page.locator(".reading-form").first
    form.locator("input[name=on]").fill("2026-05-24")
    form.locator("input[name=value_total]").fill("120,5")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".meter .notice.bad")
    refusal = page.inner_text(".meter .notice.bad")
    assert "120,5" in refusal and "меньше предыдущего 139,789" in refusal and "переходе через ноль" in refusal
    assert not Reading.objects.filter(date=date(2026, 5, 24)).exists()
    screenshot("refused")
    form = page.locator(".reading-form").first
    form.locator("input[name=on]").fill("2026-05-24")
    form.locator("input[name=value_total]").fill("146,1")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".meter .notice.ok")
    stored = Reading.objects.get(date=date(2026, 5, 24))
    assert stored.value == Decimal("146.1") and stored.source == "operator" and stored.entered_by.username == "browser"
    assert "146,1" in page.inner_text(".meter .readings")
    screenshot("saved")


def test_an_implausible_reading_asks_to_be_confirmed(signed_in, two_months, screenshot):
    page = signed_in
    page.goto("/accounts/1000000001/?tab=meters")
    form = page.locator(".reading-form").first
    form.locator("input[name=on]").fill("2026-05-24")
    form.locator("input[name=value_total]").fill("400")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".meter .notice.warn")
    assert "Подтвердить показание" in page.inner_text(".meter .reading-form button")
    assert not Reading.objects.filter(date=date(2026, 5, 24)).exists()
    screenshot("asks")
    page.locator(".reading-form button[type=submit]").first.click()
    page.wait_for_selector(".meter .notice.ok")
    assert Reading.objects.get(date=date(2026, 5, 24)).value == Decimal("400")


def test_why_the_bill_changed_adds_up_to_the_difference(signed_in, two_months, screenshot):
    page = signed_in
    page.goto("/accounts/1000000001/")
    why = page.locator("#why-2026-04")
    after = Decimal(why.locator(".total-after").inner_text().replace("\u00a0", "").replace(",", "."))
    before = Decimal(why.locator(".total-before").inner_text().replace("\u00a0", "").replace(",", "."))
    assert (before, after) == (Decimal("383.52"), Decimal("495.00"))  # 7.333 × 52.30; 9 × 55.00
    parts = {row.get_attribute("data-cause"): Decimal(row.locator(".part-amount").get_attribute("data-amount"))
             for row in why.locator("tr.cause").all()}
    assert sum(parts.values()) == after - before
    assert parts["tariff"] == Decimal("24.30")  # (55.00 − 52.30) × 9 м³
    assert parts["volume"] == Decimal("87.18")  # (9 − 7.333) × 52.30
    page.click("#row-2026-04")
    page.wait_for_selector("#month-2026-04 .sentence")
    sentence = page.inner_text("#month-2026-04 .sentence")
    assert sentence.startswith("По прибору учёта, объём — показания ИПУ: 9 × 55 = 495") and "показание было 130,789" in sentence
    assert "п. 42 Правил № 354" in page.inner_text("#month-2026-04")
    screenshot()
