"""Debtor selection and every stage transition of a debt case, with the deadline checks, the refusals to
restrict heating and cold water in an apartment building, mass actions and permissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User

from raschet.claims.cases import advance_case, advance_selection, open_cases
from raschet.claims.models import AccountCategory, CaseEvent, DebtCase, InCase, SelectionRule, Stage
from raschet.claims.selection import months_between, select
from raschet.claims.stages import check_move, restriction_refusal
from raschet.domain.errors import ProblemsError
from raschet.housing.models import Account, Building
from raschet.tariffs.models import Service

from .world import build

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 20)


@pytest.fixture
def world():
    build()


def numbers(frame) -> list[str]:
    ids = frame["account_id"].to_list()
    return sorted(Account.objects.filter(pk__in=ids).values_list("number", flat=True))


def code(call) -> str:
    with pytest.raises(ProblemsError) as refused:
        call()
    return refused.value.problems[0].code


def case_of(number: str) -> DebtCase:
    return DebtCase.objects.get(account__number=number, is_open=True)


def opened(**rule) -> DebtCase:
    open_cases(rule=SelectionRule.objects.create(name="все", **rule), on=ON)
    return case_of("1000000001")


def test_selection_by_debt_months_service_building_and_case(world):
    rule = SelectionRule(name="r", min_debt=D("10000"), min_months_overdue=1)
    assert numbers(select(rule, ON)) == ["1000000001"]  # 15,000 owed, January due 10.02 → 3 months
    assert numbers(select(SelectionRule(name="r", min_debt=D("1")), ON)) == ["1000000001", "1000000003"]
    assert numbers(select(SelectionRule(name="r", min_months_overdue=2), ON)) == ["1000000001"]  # March due 15.04
    hot = Service.objects.get(code="hot_water")
    assert numbers(select(SelectionRule(name="r", service=hot, min_debt=D("3000")), ON)) == ["1000000001"]
    assert numbers(select(SelectionRule(name="r", service=hot, min_debt=D("3000.01")), ON)) == []
    other = Building.objects.get(code="B2")
    assert numbers(select(SelectionRule(name="r", building=other, min_debt=D("1")), ON)) == []
    assert numbers(select(SelectionRule(name="r", min_debt=D("1")), date(2026, 4, 10))) == ["1000000001"]
    open_cases(rule=SelectionRule.objects.create(name="крупные", min_debt=D("10000")), on=ON)
    assert numbers(select(SelectionRule(name="r", min_debt=D("1"), in_case=InCase.YES), ON)) == ["1000000001"]
    assert numbers(select(SelectionRule(name="r", min_debt=D("1"), in_case=InCase.NO), ON)) == ["1000000003"]


def test_opening_is_once_per_account_with_history(world):
    rule = SelectionRule.objects.create(name="все", min_debt=D("1"))
    assert len(open_cases(rule=rule, on=ON).done) == 2
    assert open_cases(rule=rule, on=ON).done == []
    case = case_of("1000000001")
    assert (case.stage, case.debt) == (Stage.REMINDER, D("15000.00"))
    assert list(case.events.values_list("stage_from", "stage_to", "actor")) == [("", "reminder", "система")]


def test_warning_then_restriction_waits_20_days_then_suspension_10(world):
    case = opened(min_debt=D("10000"))
    advance_case(case=case, stage=Stage.WARNING, on=ON, service_code="hot_water")
    case.refresh_from_db()
    assert case.deadline == date(2026, 6, 9)
    assert code(lambda: advance_case(case=case, stage=Stage.RESTRICTION, on=date(2026, 6, 8))) == "deadline_not_reached"
    advance_case(case=case, stage=Stage.RESTRICTION, on=date(2026, 6, 9))
    assert code(lambda: advance_case(case=case, stage=Stage.SUSPENSION, on=date(2026, 6, 18))) == "deadline_not_reached"
    advance_case(case=case, stage=Stage.SUSPENSION, on=date(2026, 6, 19))
    advance_case(case=case, stage=Stage.COURT_ORDER_APPLICATION, on=date(2026, 6, 20))
    advance_case(case=case, stage=Stage.COURT_ORDER, on=date(2026, 7, 10))
    advance_case(case=case, stage=Stage.ENFORCEMENT, on=date(2026, 8, 1))
    assert code(lambda: advance_case(case=case, stage=Stage.PAID, on=date(2026, 8, 2))) == "case_not_eligible"
    advance_case(case=case, stage=Stage.WRITTEN_OFF, on=date(2026, 9, 1), note="безнадёжный долг")
    case.refresh_from_db()
    assert (case.is_open, case.closed_on) == (False, date(2026, 9, 1))
    assert [e.stage_to for e in CaseEvent.objects.filter(case=case)] == [
        "reminder", "warning", "restriction", "suspension", "court_order_application", "court_order", "enforcement",
        "written_off"]
    assert code(lambda: advance_case(case=case, stage=Stage.REMINDER, on=date(2026, 9, 2))) == "stage_not_allowed"


def test_heating_and_cold_water_in_an_apartment_building_are_never_restricted(world):
    case = opened(min_debt=D("10000"))
    assert code(lambda: advance_case(case=case, stage=Stage.WARNING, on=ON, service_code="heating")) \
        == "restriction_forbidden"
    assert code(lambda: advance_case(case=case, stage=Stage.WARNING, on=ON, service_code="cold_water")) \
        == "restriction_forbidden"
    assert case_of("1000000001").stage == Stage.REMINDER


def test_warning_needs_a_debt_of_more_than_two_monthly_charges(world):
    open_cases(rule=SelectionRule.objects.create(name="все", min_debt=D("1")), on=ON)
    small = case_of("1000000003")  # hot water 1,000 owed = one month
    assert code(lambda: advance_case(case=small, stage=Stage.WARNING, on=ON, service_code="hot_water")) \
        == "case_not_eligible"


def test_pretrial_claim_is_for_legal_entities_and_waits_30_days(world):
    case = opened(min_debt=D("10000"))
    assert code(lambda: advance_case(case=case, stage=Stage.PRETRIAL_CLAIM, on=ON)) == "case_not_eligible"
    AccountCategory.objects.create(account=case.account, category="commercial", valid_from=date(2020, 1, 1))
    assert code(lambda: advance_case(case=case, stage=Stage.COURT_ORDER_APPLICATION, on=ON)) == "case_not_eligible"
    advance_case(case=case, stage=Stage.PRETRIAL_CLAIM, on=ON)
    assert code(lambda: advance_case(case=case, stage=Stage.COURT_ORDER_APPLICATION, on=date(2026, 6, 18))) \
        == "deadline_not_reached"
    advance_case(case=case, stage=Stage.COURT_ORDER_APPLICATION, on=date(2026, 6, 19))
    assert case_of("1000000001").stage == Stage.COURT_ORDER_APPLICATION


def test_unknown_moves_and_instalment_without_agreement_are_refused(world):
    case = opened(min_debt=D("10000"))
    assert code(lambda: advance_case(case=case, stage=Stage.ENFORCEMENT, on=ON)) == "stage_not_allowed"
    assert code(lambda: advance_case(case=case, stage=Stage.INSTALMENT, on=ON)) == "case_not_eligible"


def test_mass_advance_moves_what_it_can_and_reports_the_rest(world):
    rule = SelectionRule.objects.create(name="все", min_debt=D("1"))
    open_cases(rule=rule, on=ON)
    result = advance_selection(rule=SelectionRule(name="x", min_debt=D("1"), in_case=InCase.YES), stage=Stage.WARNING,
                               on=ON, service_code="hot_water")
    assert [DebtCase.objects.get(pk=pk).account.number for pk in result.done] == ["1000000001"]
    assert [p.code for p in result.problems] == ["case_not_eligible"]  # 1000000003: one month only


def test_a_user_without_the_permission_cannot_act(world):
    clerk = User.objects.create_user("clerk", password="x")
    rule = SelectionRule.objects.create(name="все", min_debt=D("1"))
    assert code(lambda: open_cases(rule=rule, on=ON, actor=clerk)) == "forbidden"
    assert not DebtCase.objects.exists()


def test_pure_rules():
    assert restriction_refusal("heating", False)
    assert restriction_refusal("cold_water", True)
    assert restriction_refusal("cold_water", False) is None  # a private house
    assert restriction_refusal("hot_water", True) is None
    assert check_move("warning", "restriction", since=date(2026, 1, 1), on=date(2026, 1, 21)) is None
    assert check_move("warning", "restriction", since=date(2026, 1, 1), on=date(2026, 1, 20)).code \
        == "deadline_not_reached"
    assert months_between(date(2026, 2, 10), date(2026, 5, 9)) == 2
    assert months_between(date(2026, 2, 10), date(2026, 5, 10)) == 3
