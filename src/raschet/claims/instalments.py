"""Instalment agreements (рассрочка): the schedule, the interest, what the payment document shows in its
section 5, and the check that puts a case back in work when an instalment is missed.

Schedule: the principal split into equal monthly parts, exactly (the kopecks left over go to the
first months, one each); interest each month on the principal still outstanding before it, at the agreement's
annual rate / 12, each row HALF_UP to kopecks. Each part is shown on the payment document of its
period and is due by that period's due date.

A missed instalment: on a check day, the debt of the periods the agreement covers is larger than the
principal less the parts already due — the case returns to the stage it had before the agreement.

For the payment document (H6's ``documents`` app): :func:`instalment_section` ``(account, period)``
returns section 5's figures for that period, or None when the account has no instalment due in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import transaction

from raschet.claims import sources
from raschet.claims.cases import _event, _refuse
from raschet.claims.models import DebtCase, Instalment, InstalmentItem, Stage
from raschet.claims.permissions import MANAGE_DEBT_CASES, require
from raschet.claims.terms import load_terms
from raschet.domain.money import round_money, split_largest_remainder
from raschet.domain.periods import Period


@dataclass(frozen=True)
class Part:
    period: Period
    due_on: date
    principal: Decimal
    interest: Decimal
    remaining: Decimal


def schedule(principal: Decimal, months: int, first: Period, annual_percent: Decimal,
             due_date=lambda p: p.end) -> list[Part]:
    """The parts of an instalment; ``due_date(period)`` gives each part's due date."""
    if months < 1 or principal <= 0:
        raise ValueError("Рассрочка: сумма должна быть больше нуля, срок — не меньше одного месяца.")
    parts, left = [], principal
    for index, share in enumerate(split_largest_remainder(principal, [Decimal(1)] * months)):
        period = first + index
        interest = round_money(left * annual_percent / 100 / 12)
        left -= share
        parts.append(Part(period, due_date(period), share, interest, left))
    return parts


@transaction.atomic
def create_instalment(*, case: DebtCase, number: str, signed_on: date, months: int, first_period: Period,
                      interest_percent: Decimal = Decimal(0), actor=None) -> Instalment:
    """Sign an agreement for the case's whole overdue debt up to the month before signing."""
    require(actor, MANAGE_DEBT_CASES)
    case = DebtCase.objects.select_for_update().select_related("account").get(pk=case.pk)
    if not case.is_open or case.stage == Stage.INSTALMENT:
        _refuse(case, "case_not_eligible", target=Stage.INSTALMENT.label, reason="дело закрыто или уже в рассрочке")
    covers = Period.of(signed_on) - 1
    principal = _old_debt(case.account_id, covers, signed_on)
    if principal <= 0:
        _refuse(case, "case_not_eligible", target=Stage.INSTALMENT.label, reason="нет долга для рассрочки")
    loaded = load_terms(signed_on)
    instalment = Instalment.objects.create(case=case, number=number, signed_on=signed_on, principal=principal,
                                           covers_to=str(covers), interest_percent=interest_percent)
    InstalmentItem.objects.bulk_create([
        InstalmentItem(instalment=instalment, period=str(p.period), due_on=p.due_on, principal=p.principal,
                       interest=p.interest, remaining=p.remaining)
        for p in schedule(principal, months, first_period, interest_percent,
                          lambda period: loaded.terms.due_date(str(period)))])
    previous = case.stage
    case.previous_stage, case.stage, case.stage_since, case.deadline = previous, Stage.INSTALMENT, signed_on, None
    case.save()
    _event(case, previous, signed_on, actor, f"соглашение № {number}: {principal} ₽ на {months} мес.")
    return instalment


def _old_debt(account_id: int, covers_to: Period, on: date) -> Decimal:
    owed = sources.outstanding([account_id], until=on).filter(pl.col("ref_period") <= str(covers_to))
    return Decimal(int(owed["amount"].sum() or 0)).scaleb(-2)


def instalment_section(account, period: Period | str) -> dict | None:
    """Section 5 of the payment document of ``period`` for ``account`` (an ``Account`` or its id): the
    agreement, this period's part, what is left for later periods, the interest (₽ and % a year) and
    the part with interest."""
    account_id = getattr(account, "pk", account)
    return instalment_sections([account_id], period).get(account_id)


def instalment_sections(account_ids, period: Period | str) -> dict[int, dict]:
    """:func:`instalment_section` of many accounts in one query (a batch of payment documents)."""
    items = (InstalmentItem.objects.filter(instalment__case__account_id__in=list(account_ids),
                                           instalment__is_active=True, period=str(period))
             .select_related("instalment", "instalment__case").order_by("id"))
    sections: dict[int, dict] = {}
    for item in items:
        agreement = item.instalment
        sections.setdefault(agreement.case.account_id, {
            "agreement": f"№ {agreement.number} от {agreement.signed_on:%d.%m.%Y}", "period": item.period,
            "payment": f"{item.principal:.2f}", "remaining": f"{item.remaining:.2f}",
            "interest_percent": f"{agreement.interest_percent.normalize():f}", "interest": f"{item.interest:.2f}",
            "total": f"{item.principal + item.interest:.2f}", "due_on": item.due_on.isoformat()})
    return sections


@transaction.atomic
def check_instalments(*, on: date, actor=None) -> list[int]:
    """Put back in work every case whose instalment is missed on ``on``; returns their ids."""
    require(actor, MANAGE_DEBT_CASES)
    missed = []
    for agreement in Instalment.objects.filter(is_active=True, case__stage=Stage.INSTALMENT).select_related("case"):
        due = sum((i.principal for i in agreement.items.filter(due_on__lt=on)), Decimal(0))
        left = _old_debt(agreement.case.account_id, Period.parse(agreement.covers_to), on)
        if left > agreement.principal - due:
            case = DebtCase.objects.select_for_update().get(pk=agreement.case_id)
            agreement.is_active = False
            agreement.save(update_fields=["is_active"])
            case.stage, case.stage_since = case.previous_stage or Stage.REMINDER, on
            case.save()
            _event(case, Stage.INSTALMENT, on, actor,
                   f"просрочен платёж по рассрочке № {agreement.number}: долг {left} ₽, по графику не более "
                   f"{agreement.principal - due} ₽")
            missed.append(case.pk)
    return missed
