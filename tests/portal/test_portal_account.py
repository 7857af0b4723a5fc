"""What a subscriber reads and does on a linked account: balance, charges with why, documents,
readings in the window with the operator's checks, payment through the test gateway, delivery."""

import re
from datetime import date
from decimal import Decimal

import portal_fixtures
import pytest
from django.db.models import Sum
from django.utils import timezone

from raschet.billing.models import Entry, LedgerEntry
from raschet.documents.models import DeliveryPreference, PaymentDocument
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.metering.models import Meter, Reading
from raschet.payments.models import Payment
from raschet.portal import paying, readings, services, statement
from raschet.portal.gateway import GATEWAYS
from raschet.portal.models import AccountLink, GatewayPaymentState, SubmissionWindow
from raschet.workplace import card

# the shared fixtures come from a plain module: a conftest.py here would shadow
# tests/documents/conftest.py for its `from conftest import make_region`
region = portal_fixtures.region
pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(region, django_user_model):
    user = django_user_model.objects.create_user("me@example.ru", "me@example.ru", "Сложный-пароль-2026")
    AccountLink.objects.create(user=user, account=region.mine, confirmed_at=timezone.now())
    return user


def ledger_balance(account) -> Decimal:
    return LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def test_the_balance_is_the_ledger_and_debt_minus_advance(region, subscriber):
    summary = statement.summary(user=subscriber, account_number=region.mine.number)
    assert summary.balance == ledger_balance(region.mine).quantize(Decimal("0.01"))
    assert summary.debt >= 0 and summary.advance >= 0
    document = PaymentDocument.objects.get(account=region.mine)
    assert summary.balance == document.total  # what the document says is what the cabinet says


def test_penalties_are_in_the_balance_and_apart_from_the_debt(region, subscriber, client):
    """Penalties as the claims post them (no service) and as an entry with the late charge's service:
    both in the balance (the ledger's, the document's total), neither in the debt for services."""
    before = statement.summary(user=subscriber, account_number=region.mine.number)
    charge = LedgerEntry.objects.filter(account=region.mine, period=str(region.period), kind="charge").first()
    Entry.objects.create(account=region.mine, supplier=charge.supplier, period=str(region.period),
                         ref_period=charge.ref_period, kind="penalty", amount=Decimal("12.34"), reason="пени (тест)")
    Entry.objects.create(account=region.mine, service=charge.service, supplier=charge.supplier, period=str(region.period),
                         ref_period=charge.ref_period, kind="penalty", amount=Decimal("0.66"), reason="пени (тест)")
    after = statement.summary(user=subscriber, account_number=region.mine.number)
    assert after.balance == ledger_balance(region.mine) == before.balance + Decimal("13.00")
    assert after.penalties == Decimal("13.00") and before.penalties == 0
    assert after.debt == before.debt and after.advance == before.advance
    client.force_login(subscriber)
    page = client.get(f"/lk/{region.mine.number}/").content.decode()
    assert re.search(r'id="penalties">13,00', page), "the page shows the penalties beside the debt"


def test_charges_of_the_month_say_why(region, subscriber):
    rows = statement.charges(user=subscriber, account_number=region.mine.number, period=region.period)
    assert rows and all(row.why for row in rows if row.kind == "начисление")
    posted = LedgerEntry.objects.filter(account=region.mine, period=str(region.period),
                                  kind__in=["charge", "recalc", "penalty", "correction"]).aggregate(s=Sum("amount"))["s"]
    assert sum(row.amount for row in rows) == posted


def test_why_it_changed_is_the_cards_change_and_adds_up(region, subscriber):
    change = statement.change(user=subscriber, account_number=region.mine.number, period=region.period)
    assert change == card.bill_change(region.mine, region.period)  # the operator's card reads the same
    assert change.parts and sum(p.amount for p in change.parts) == change.difference
    assert change.after == sum(row.amount for row in statement.charges(
        user=subscriber, account_number=region.mine.number, period=region.period))


def test_the_month_page_names_the_tariff_cause_with_the_cards_amount(db, client, django_user_model):
    account = portal_fixtures.make_tariff_change()
    user = django_user_model.objects.create_user("t@example.ru", "t@example.ru", "Сложный-пароль-2026")
    AccountLink.objects.create(user=user, account=account, confirmed_at=timezone.now())
    client.force_login(user)
    page = client.get(f"/lk/{account.number}/charges/2026-04/").content.decode()
    shown = {cause: Decimal(amount) for cause, amount in re.findall(
        r'<li class="cause" data-cause="(\w+)">.*?data-amount="(-?[\d.]+)"', page, re.S)}
    card_change = card.bill_change(account, Period(2026, 4))
    assert shown == {cause: amount for cause, _, amount in card_change.by_cause()}
    assert shown["tariff"] == Decimal("24.30")  # (55.00 − 52.30) ₽ × 9 м³, as the card says
    assert "Тариф" in page and "тариф 52,3 → 55 ₽ за м³ при объёме 9 м³: +24,30 ₽" in page
    difference = Decimal(re.search(r'id="difference" data-amount="(-?[\d.]+)"', page).group(1))
    assert sum(shown.values()) == difference == Decimal("495.00") - Decimal("383.52")
    assert "+111,48\u00a0₽" in page


def test_the_document_downloads_as_the_stored_pdf(region, subscriber):
    listed = statement.documents(user=subscriber, account_number=region.mine.number)
    assert [d.period for d in listed] == [str(region.period)]
    name, pdf = statement.document_pdf(user=subscriber, account_number=region.mine.number, document_id=listed[0].pk)
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf")
    assert pdf == bytes(PaymentDocument.objects.get(pk=listed[0].pk).pdf)


def _meter(region) -> Meter:
    return Meter.objects.filter(account=region.mine, removed__isnull=True).order_by("pk").first()


def _last(meter) -> Reading:
    return Reading.objects.filter(meter=meter).order_by("-date").first()


def test_a_reading_in_the_window_is_kept_as_the_portals(region, subscriber):
    meter = _meter(region)
    value = _last(meter).value + 1
    kept = readings.submit_reading(user=subscriber, account_number=region.mine.number, meter_id=meter.pk,
                                   value=f"{value}".replace(".", ","), zone=meter.zone_list()[0],
                                   today=date(2026, 12, 20))
    assert (kept.source, kept.entered_by, kept.value, kept.date) == ("portal", subscriber, value, date(2026, 12, 20))


@pytest.mark.parametrize(("today", "advice"), [(date(2026, 12, 5), "с 15.12.2026."),
                                               (date(2026, 12, 26), "с 15.01.2027 по 25.01.2027.")])
def test_a_reading_outside_the_window_is_refused_naming_when_to_submit(region, subscriber, today, advice):
    meter = _meter(region)
    with pytest.raises(ProblemsError) as refused:
        readings.submit_reading(user=subscriber, account_number=region.mine.number, meter_id=meter.pk,
                                value=_last(meter).value + 1, zone=meter.zone_list()[0], today=today)
    found = refused.value.problems[0]
    assert found.code == "reading_window" and "с 15.12.2026 по 25.12.2026" in found.message
    assert found.message.endswith(advice)
    assert not Reading.objects.filter(meter=meter, date=today).exists()


def test_the_window_is_dated_data(region, subscriber):
    SubmissionWindow.objects.create(valid_from=date(2026, 12, 1), first_day=1, last_day=31)
    assert readings.window_of(2026, 12).last == date(2026, 12, 31)
    assert readings.window_of(2026, 11).first == date(2026, 11, 15)  # before the row: the default
    meter = _meter(region)
    readings.submit_reading(user=subscriber, account_number=region.mine.number, meter_id=meter.pk,
                            value=_last(meter).value + 1, zone=meter.zone_list()[0], today=date(2026, 12, 5))


def test_a_reading_below_the_previous_is_refused_by_the_operators_check(region, subscriber):
    meter = _meter(region)
    with pytest.raises(ProblemsError) as refused:
        readings.submit_reading(user=subscriber, account_number=region.mine.number, meter_id=meter.pk,
                                value=_last(meter).value - 1, zone=meter.zone_list()[0], today=date(2026, 12, 20))
    # refused as going backwards even on a meter with digits (where the operator may confirm a pass
    # through zero): the subscriber is told the previous reading
    found = refused.value.problems[0]
    assert found.code == "readings_backwards" and str(_last(meter).value.normalize()).replace(".", ",") in found.message
    assert not Reading.objects.filter(meter=meter, date=date(2026, 12, 20)).exists()


def test_payment_through_the_test_gateway_is_recorded_once(region, subscriber, settings):
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    order, url = paying.start_payment(user=subscriber, account_number=region.mine.number, amount="1 500,50")
    assert url == f"/lk/pay/test/{order.operation_id}/" and order.amount == Decimal("1500.50")
    before = ledger_balance(region.mine)
    notice = GATEWAYS["test"].notification(order)
    paid = paying.gateway_callback(gateway_code="test", notification=notice, today=date(2026, 12, 2))
    again = paying.gateway_callback(gateway_code="test", notification=notice, today=date(2026, 12, 2))
    assert paid.state == again.state == GatewayPaymentState.PAID and again.payment_id == paid.payment_id
    payment = Payment.objects.get(source="portal")  # one payment for the two callbacks
    assert (payment.source, payment.amount, payment.account_id) == ("portal", Decimal("1500.50"), region.mine.pk)
    assert ledger_balance(region.mine) == before - Decimal("1500.50")
    assert statement.payments(user=subscriber, account_number=region.mine.number)[0] == payment


def test_a_forged_or_changed_notification_is_refused(region, subscriber, settings):
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    order, _ = paying.start_payment(user=subscriber, account_number=region.mine.number, amount="100")
    forged = {**GATEWAYS["test"].notification(order), "amount": "100000.00"}
    with pytest.raises(ProblemsError) as refused:
        paying.gateway_callback(gateway_code="test", notification=forged)
    assert "подпись" in refused.value.problems[0].message and not Payment.objects.filter(source="portal").exists()


def test_without_a_configured_gateway_payment_is_off(region, subscriber, settings):
    settings.RASCHET_PAYMENT_GATEWAY = ""
    with pytest.raises(ProblemsError) as refused:
        paying.start_payment(user=subscriber, account_number=region.mine.number, amount="100")
    assert "не подключена" in refused.value.problems[0].message


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001"])
def test_a_bad_amount_is_refused(region, subscriber, settings, amount):
    settings.RASCHET_PAYMENT_GATEWAY = "test"
    with pytest.raises(ProblemsError) as refused:
        paying.start_payment(user=subscriber, account_number=region.mine.number, amount=amount)
    assert "сумма" in refused.value.problems[0].message


def test_delivery_by_email_uses_the_sign_in_address_by_default(region, subscriber):
    services.set_delivery(user=subscriber, account_number=region.mine.number, channel="email")
    chosen = DeliveryPreference.objects.get(account=region.mine)
    assert (chosen.channel, chosen.email) == ("email", "me@example.ru")
    with pytest.raises(ProblemsError):
        services.set_delivery(user=subscriber, account_number=region.mine.number, channel="pigeon")
