"""The claims API: an account's penalty statement as of a date, and its debtor-work summary."""

from __future__ import annotations

from datetime import date

from ninja import Router

from raschet.access import TAKE_PAYMENT
from raschet.api.auth import AUTH
from raschet.api.errors import answers
from raschet.api.scope import VIEW_ACCOUNT, account_for
from raschet.claims.services import account_summary, penalty_statement

router = Router(tags=["Пени и должники"])


def _account(request, number: str):
    """The caller's account (``raschet.api.scope``): who may take payments may see its penalties too."""
    return account_for(request, number, VIEW_ACCOUNT, TAKE_PAYMENT)


@router.get("/accounts/{number}/penalties", response=answers(s200=dict), auth=AUTH, summary="Расчёт пеней лицевого счёта на дату")
def account_penalties(request, number: str, as_of: date):
    _account(request, number)
    return penalty_statement(account_number=number, as_of=as_of)


@router.get("/accounts/{number}/claims", response=answers(s200=dict), auth=AUTH, summary="Пени и дело должника лицевого счёта")
def account_claims(request, number: str, as_of: date):
    return account_summary(_account(request, number), as_of)
