"""Use cases of debt cases: open cases for a selection, move a case (or a selection's cases) to a stage
with the checks of :mod:`raschet.claims.stages`, and record every step in the case's history.

Each use case checks ``manage_debt_cases`` first and owns its transaction; a mass action reports the
cases it could not move (errors as data) and moves the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from raschet.claims import sources, stages
from raschet.claims.models import CLOSED_STAGES, CaseEvent, Category, DebtCase, SelectionRule, Stage
from raschet.claims.permissions import MANAGE_DEBT_CASES, describe, require
from raschet.claims.selection import select
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.housing.models import Account
from raschet.tariffs.models import Service


@dataclass
class MassResult:
    done: list[int] = field(default_factory=list)  # case ids
    problems: list[Problem] = field(default_factory=list)


def _user(actor):
    return actor if getattr(actor, "pk", None) is not None and hasattr(actor, "get_username") else None


def _event(case: DebtCase, stage_from: str, on: date, actor, note: str = "") -> None:
    CaseEvent.objects.create(case=case, on=on, stage_from=stage_from, stage_to=case.stage, deadline=case.deadline,
                             user=_user(actor), actor=describe(actor), note=note)


def account_debt(account_id: int, on: date, service_id: int | None = None) -> Decimal:
    owed = sources.outstanding([account_id], until=on)
    if service_id is not None:
        owed = owed.filter(owed["service_id"] == service_id)
    return Decimal(int(owed["amount"].sum() or 0)).scaleb(-2)


@transaction.atomic
def open_cases(*, rule: SelectionRule, on: date, actor=None) -> MassResult:
    """Open a case (stage «напоминание») for every account the rule selects that has none open."""
    require(actor, MANAGE_DEBT_CASES)
    chosen = select(rule, on)
    result = MassResult()
    for account_id, debt, _, in_case in chosen.iter_rows():
        if in_case:
            continue
        case = DebtCase.objects.create(account_id=account_id, stage=Stage.REMINDER, opened_on=on, stage_since=on,
                                       debt=Decimal(debt).scaleb(-2), service=rule.service)
        _event(case, "", on, actor, f"отбор «{rule.name}»")
        result.done.append(case.pk)
    SelectionRule.objects.filter(pk=rule.pk).update(last_run_on=on)
    return result


def _category(account_id: int, on: date) -> str:
    from raschet.claims.models import AccountCategory

    row = (AccountCategory.objects.filter(account_id=account_id, valid_from__lte=on).order_by("-valid_from")
           .values_list("category", "valid_to").first())
    return row[0] if row and (row[1] is None or on < row[1]) else Category.CITIZEN


def _apartment_building(account: Account) -> bool:
    """An apartment building (МКД) here is a building of more than one premises."""
    return account.premises.building.premises.aggregate(n=Count("id"))["n"] > 1


def _refuse(case: DebtCase, code: str, **params) -> None:
    raise ProblemsError([problem(code, f"дело {case.pk}", account=case.account.number, **params)])


def _check_service(case: DebtCase, target: str, service: Service | None) -> None:
    if target not in stages.SERVICE_STAGES:
        return
    if service is None:
        _refuse(case, "case_not_eligible", target=Stage(target).label,
                reason="укажите услугу, которую предупреждают ограничить (--service)")
    reason = stages.restriction_refusal(service.kind, _apartment_building(case.account))
    if reason:
        raise ProblemsError([problem("restriction_forbidden", f"дело {case.pk}", service=service.name,
                                     account=case.account.number, reason=reason)])


def _check_eligible(case: DebtCase, target: str, on: date, service: Service | None) -> None:
    category = _category(case.account_id, on)
    debt = account_debt(case.account_id, on)
    if target == Stage.PAID and debt > 0:
        _refuse(case, "case_not_eligible", target=Stage(target).label, reason=f"долг {debt} ₽ ещё не погашен")
    if target == Stage.PRETRIAL_CLAIM and category == Category.CITIZEN:
        _refuse(case, "case_not_eligible", target=Stage(target).label,
                reason="претензионный порядок обязателен только для юридических лиц (АПК ст. 4 ч. 5)")
    if target == Stage.COURT_ORDER_APPLICATION:
        if category != Category.CITIZEN and case.stage != Stage.PRETRIAL_CLAIM:
            _refuse(case, "case_not_eligible", target=Stage(target).label,
                    reason="юридическому лицу сначала направляется претензия (АПК ст. 4 ч. 5)")
        limit, basis = stages.COURT_ORDER_LIMITS["citizen" if category == Category.CITIZEN else "legal"]
        if debt > limit:
            raise ProblemsError([problem("court_order_limit", f"дело {case.pk}", account=case.account.number,
                                         amount=debt, limit=limit, basis=basis)])
    if target == Stage.WARNING and service is not None:
        _check_threshold(case, on, service)


def _check_threshold(case: DebtCase, on: date, service: Service) -> None:
    """ПП 354 п. 118: the debt for the service must exceed two monthly charges of it. The monthly charge
    is the service's latest posted charge (an approximation of the norm-based charge the rule names)."""
    charges = sources.last_charges([case.account_id]).filter(service_id=service.pk)
    monthly = Decimal(int(charges["amount"].sum() or 0)).scaleb(-2)
    debt = account_debt(case.account_id, on, service.pk)
    if debt <= 2 * monthly:
        _refuse(case, "case_not_eligible", target=Stage(Stage.WARNING).label,
                reason=f"долг по услуге «{service.name}» {debt} ₽ не превышает двух месячных начислений "
                       f"({2 * monthly} ₽), ПП 354 п. 118")


@transaction.atomic
def advance_case(*, case: DebtCase, stage: str, on: date, actor=None, service_code: str | None = None,
                 note: str = "") -> DebtCase:
    """Move a case to ``stage`` on ``on`` after every check; the step goes into the history."""
    require(actor, MANAGE_DEBT_CASES)
    case = DebtCase.objects.select_for_update().select_related("account__premises__building").get(pk=case.pk)
    if stage == Stage.INSTALMENT:
        _refuse(case, "case_not_eligible", target=Stage(stage).label,
                reason="рассрочка оформляется соглашением (raschet claims instalment)")
    refusal = stages.check_move(case.stage, stage, since=case.stage_since, on=on)
    if refusal:
        _refuse(case, refusal.code, **refusal.params)
    service = Service.objects.filter(code=service_code).first() if service_code else case.service
    if service_code and service is None:
        raise ProblemsError([problem("unknown_reference", "--service", kind="услуга", value=service_code)])
    _check_service(case, stage, service)
    _check_eligible(case, stage, on, service)
    return _move(case, stage, on, actor, note, service)


def _move(case: DebtCase, stage: str, on: date, actor, note: str, service: Service | None = None) -> DebtCase:
    previous = case.stage
    case.stage, case.stage_since, case.service = stage, on, service or case.service
    case.deadline = stages.deadline(stage, on)
    if stage in CLOSED_STAGES:
        case.is_open, case.closed_on = False, on
    case.save()
    _event(case, previous, on, actor, note)
    return case


def advance_selection(*, rule: SelectionRule, stage: str, on: date, actor=None, service_code: str | None = None
                      ) -> MassResult:
    """Move the open cases of every account the rule selects; refusals are collected, not raised."""
    require(actor, MANAGE_DEBT_CASES)
    result = MassResult()
    chosen = select(rule, on)["account_id"].to_list()
    for case in DebtCase.objects.filter(is_open=True, account_id__in=chosen).order_by("account_id"):
        try:
            advance_case(case=case, stage=stage, on=on, actor=actor, service_code=service_code)
            result.done.append(case.pk)
        except ProblemsError as refused:
            result.problems += refused.problems
    return result
