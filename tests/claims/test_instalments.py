"""Instalment agreements: the schedule with interest, section 5 of the payment document, and a missed
instalment putting the case back in work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from raschet.claims.cases import advance_case, open_cases
from raschet.claims.instalments import check_instalments, create_instalment, instalment_section, schedule
from raschet.claims.models import DebtCase, SelectionRule, Stage
from raschet.domain.periods import Period
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment

from .world import build

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 20)


def test_schedule_splits_exactly_and_charges_interest_on_what_is_left():
    """10,000.01 over 3 months at 12 % a year: parts 3,333.34 / 3,333.34 / 3,333.33 (the two kopecks left
    over go to the first months); interest 1 % a month of the principal outstanding before each part:
    100.0001 → 100.00, 66.6667 → 66.67, 33.3333 → 33.33."""
    parts = schedule(D("10000.01"), 3, Period.parse("2026-06"), D("12"))
    assert [(str(p.period), p.principal, p.interest, p.remaining) for p in parts] == [
        ("2026-06", D("3333.34"), D("100.00"), D("6666.67")),
        ("2026-07", D("3333.34"), D("66.67"), D("3333.33")),
        ("2026-08", D("3333.33"), D("33.33"), D("0.00"))]
    assert sum(p.principal for p in parts) == D("10000.01")
    with pytest.raises(ValueError):
        schedule(D("100"), 0, Period.parse("2026-06"), D("0"))


def _agreement():
    build()
    open_cases(rule=SelectionRule.objects.create(name="все", min_debt=D("10000")), on=ON)
    case = DebtCase.objects.get(account__number="1000000001")
    advance_case(case=case, stage=Stage.WARNING, on=ON, service_code="hot_water")
    return case, create_instalment(case=case, number="7", signed_on=date(2026, 5, 25), months=3,
                                   first_period=Period.parse("2026-05"), interest_percent=D("6"))


def test_agreement_moves_the_case_and_shows_in_section_5():
    case, agreement = _agreement()
    case.refresh_from_db()
    assert (case.stage, case.previous_stage, agreement.principal, agreement.covers_to) == (
        Stage.INSTALMENT, Stage.WARNING, D("15000.00"), "2026-04")
    # May part: 5,000.00 due with May's bill (15.06.2026); interest 15,000 × 6 % / 12 = 75.00
    assert instalment_section(case.account_id, "2026-05") == {
        "agreement": "№ 7 от 25.05.2026", "period": "2026-05", "payment": "5000.00", "remaining": "10000.00",
        "interest_percent": "6", "interest": "75.00", "total": "5075.00", "due_on": "2026-06-15"}
    assert instalment_section(case.account, Period.parse("2026-05"))["total"] == "5075.00"
    assert instalment_section(case.account_id, "2026-09") is None


def test_a_missed_instalment_puts_the_case_back_in_work_and_a_paid_one_does_not():
    case, _ = _agreement()
    assert check_instalments(on=date(2026, 6, 15)) == []  # due on 15.06: not missed yet
    record_payment(account_number="1000000001", paid_on=date(2026, 6, 14), amount="5000.00",
                   source=PaymentSource.SCENARIO, channel="t", operation_id="p1")
    assert check_instalments(on=date(2026, 6, 16)) == []  # paid in time: the oldest debt went down by 5,000
    assert check_instalments(on=date(2026, 7, 16)) == [case.pk]  # July's part unpaid
    case.refresh_from_db()
    assert case.stage == Stage.WARNING
    assert "просрочен платёж по рассрочке" in case.events.last().note
    assert instalment_section(case.account_id, "2026-07") is None  # the agreement ended


def test_the_payment_document_shows_this_periods_instalment_in_section_5():
    """Section 5 of May's payment document carries May's part of agreement № 7 (5,000.00 + 75.00
    interest at 6 %, 10,000.00 left for later periods), owed to the executor; June's document carries
    June's part, and an account without an agreement has no Section 5 rows."""
    from raschet.documents.assemble import Assembler
    from raschet.documents.models import DocumentSettings
    from raschet.documents.setup import document_setup
    from raschet.tariffs.models import Organization

    case, _ = _agreement()
    Organization.objects.update(bank_name="ПАО СБЕРБАНК", bic="044525225", settlement_account="40702810200000012345",
                                corr_account="30101810400000000225")  # the QR codes need real requisites
    DocumentSettings.objects.create(executor=Organization.objects.order_by("pk").first())
    other = DebtCase.objects.exclude(pk=case.pk).values_list("account_id", flat=True).first()
    setup = document_setup()
    documents, problems = Assembler(Period.parse("2026-05"), setup, date(2026, 6, 1)).build([case.account_id])
    assert not problems, problems
    [part] = documents[case.account_id].instalments
    assert (part.of_period, part.interest, part.interest_percent, part.total, part.of_past, part.recipient) == (
        D("5000.00"), D("75.00"), D("6"), D("5075.00"), D("10000.00"), setup.executor.code)
    assert "№ 7 от 25.05.2026" in part.service
    if other is not None:
        documents, _ = Assembler(Period.parse("2026-05"), setup, date(2026, 6, 1)).build([other])
        assert all(not d.instalments for d in documents.values())
