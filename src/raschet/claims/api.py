"""The claims API: an account's penalty statement as of a date, and its debtor-work summary."""

from __future__ import annotations

from datetime import date

from ninja import Router

from raschet.claims.services import account_summary, penalty_statement
from raschet.domain.errors import ProblemsError, problem
from raschet.housing.models import Account
from raschet.payments.api import AUTH

router = Router(tags=["Пени и должники"])


def _account(number: str) -> Account:
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise ProblemsError([problem("unknown_reference", "number", kind="лицевой счёт", value=number)])
    return account


@router.get("/accounts/{number}/penalties", auth=AUTH, summary="Расчёт пеней лицевого счёта на дату")
def account_penalties(request, number: str, as_of: date):
    _account(number)
    return penalty_statement(account_number=number, as_of=as_of)


@router.get("/accounts/{number}/claims", auth=AUTH, summary="Пени и дело должника лицевого счёта")
def account_claims(request, number: str, as_of: date):
    return account_summary(_account(number), as_of)
