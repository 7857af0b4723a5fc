"""The subscriber's journey in a phone-sized headless Chromium: sign up with the code from the
document (confirming the address from a letter the local SMTP server received), submit readings
(outside the window and below the previous refused, then one accepted), download the document, pay
through the test gateway and see the payment. Screenshots of every step go to var/screenshots/."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from raschet.documents.signup import signup_code
from raschet.metering.models import Meter, Reading
from raschet.payments.models import Payment
from raschet.portal.models import SubmissionWindow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_fixtures import make_region, smtp_server  # noqa: E402,F401  (the portal tests' region and mailbox)

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}
PASSWORD = "Сложный-пароль-2026"


@pytest.fixture
def page(browser, live_server):
    """The portal is mobile-first: the page of a phone (375 px wide, touch)."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def journey(transactional_db, settings, smtp_server):  # noqa: F811
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # the live server speaks plain HTTP
    return make_region(), smtp_server


def _window_without(today: date) -> SubmissionWindow:
    first, last = (today.day + 1, 28) if today.day < 28 else (1, today.day - 1)
    return SubmissionWindow.objects.create(valid_from=today.replace(day=1), first_day=first, last_day=last)


def sign_up(page, screenshot, account, mailbox) -> None:
    page.goto("/lk/signup/")
    page.fill("#id_account_number", account.number)
    page.fill("#id_code", signup_code(account.number))
    page.fill("#id_email", "abonent@example.ru")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    screenshot("1-signup")
    page.click("main button[type=submit]")
    page.wait_for_selector("#signup-sent")
    assert "abonent@example.ru" in page.inner_text("#signup-sent")
    screenshot("2-letter-sent")
    page.goto(mailbox.link("/lk/confirm/"))
    page.wait_for_selector("#summary")
    assert "подтверждён" in page.inner_text(".messages")
    assert account.number in page.inner_text("#summary")
    screenshot("3-account")
    page.click("text=Почему сумма изменилась")
    page.wait_for_selector("#changes")
    # the causes of the operator's card (tariff, volume, …), adding up to the difference
    assert page.locator("#changes li.cause").count() >= 1 and "Итого разница" in page.inner_text("#changes")
    assert "Почему такая сумма" in page.inner_text("#charges")
    screenshot("3b-why-changed")


def submit(page, field: str, value: str) -> None:
    page.fill(field, value)
    page.click(f"form:has({field}) button[type=submit]")
    page.wait_for_load_state()


def readings(page, screenshot, account) -> None:
    meter = Meter.objects.filter(account=account, removed__isnull=True).order_by("service__name", "code").first()
    previous = Reading.objects.filter(meter=meter).order_by("-date").first().value
    window = _window_without(timezone.localdate())
    page.click("nav.tabs >> text=Показания")
    field = f"#value-{meter.pk}-{meter.zone_list()[0]}"
    assert "не принимаются" in page.inner_text("#window-closed")
    submit(page, field, f"{(previous + 1).normalize():f}")
    assert "вне этих дней" in page.inner_text("#reading-errors")
    screenshot("4-reading-outside-window")
    window.first_day, window.last_day = 1, 31  # the operator opens the window in the admin
    window.save()
    submit(page, field, f"{(previous - 1).normalize():f}")
    assert "меньше предыдущего" in page.inner_text("#reading-errors")
    screenshot("5-reading-below-previous")
    submit(page, field, f"{(previous + 1).normalize():f}".replace(".", ","))
    assert "принято" in page.inner_text(".messages")
    kept = Reading.objects.get(meter=meter, date=timezone.localdate())
    assert (kept.source, kept.value) == ("portal", previous + 1)
    screenshot("6-reading-accepted")


def download(page, screenshot) -> None:
    page.click("nav.tabs >> text=Квитанции")
    screenshot("7-documents")
    with page.expect_download() as caught:
        page.click("#documents >> text=Скачать PDF")
    assert Path(caught.value.path()).read_bytes().startswith(b"%PDF")


def pay(page, screenshot, account) -> None:
    page.click("nav.tabs >> text=Оплатить")
    page.fill("#id_amount", "500,00")
    screenshot("8-pay")
    page.click("main button[type=submit]")
    page.wait_for_selector("#gateway-amount")
    assert "500,00" in page.inner_text("#gateway-amount")
    screenshot("9-test-gateway")
    page.click("button[value=pay]")
    page.wait_for_selector("#paid")
    assert "Оплата принята" in page.inner_text("h1")
    screenshot("10-paid")
    payment = Payment.objects.get(source="portal", account=account)
    page.click("#paid >> text=К лицевому счёту")
    page.wait_for_selector("#payments")
    assert "личный кабинет" in page.inner_text("#payments") and "500,00" in page.inner_text("#payments")
    screenshot("11-payment-seen")
    assert payment.amount == 500


def test_a_subscriber_signs_up_submits_a_reading_downloads_and_pays(journey, page, screenshot):
    region, mailbox = journey
    sign_up(page, screenshot, region.mine, mailbox)
    readings(page, screenshot, region.mine)
    download(page, screenshot)
    pay(page, screenshot, region.mine)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width} px"
