"""The claims app's public use cases in one place (what views, the API, the account card of issue 15
and H6's payment documents call). Each is defined in its own module; this one re-exports them and
adds the account's summary of debtor work.

* penalties: :func:`penalty_statement`, :func:`accrue_penalties`;
* cases: :func:`open_cases`, :func:`advance_case`, :func:`advance_selection`, :func:`generate_documents`;
* instalments: :func:`create_instalment`, :func:`check_instalments`, :func:`instalment_section`
  (section 5 of the payment document of a period);
* :func:`account_summary` — penalties posted and computed, the open case and its history.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from raschet.claims import sources
from raschet.claims.cases import advance_case, advance_selection, open_cases
from raschet.claims.documents import generate_documents
from raschet.claims.instalments import (
    check_instalments,
    create_instalment,
    instalment_section,
    instalment_sections,
)
from raschet.claims.models import DebtCase
from raschet.claims.penalties import accrue_penalties, penalty_statement
from raschet.housing.models import Account

__all__ = ["account_summary", "accrue_penalties", "advance_case", "advance_selection", "check_instalments",
           "create_instalment", "generate_documents", "instalment_section", "instalment_sections", "open_cases", "penalty_statement"]


def account_summary(account: Account, as_of: date) -> dict:
    """What the account card shows of debtor work: penalties posted to the ledger, the penalty computed
    as of ``as_of``, the open case (stage, since, deadline) with its history and documents."""
    posted = sources.posted_penalties([account.id])
    case = DebtCase.objects.filter(account=account, is_open=True).select_related("service").first()
    summary = {"account": account.number,
               "penalty_posted": f"{Decimal(int(posted['amount'].sum() or 0)).scaleb(-2):.2f}",
               "penalty_as_of": penalty_statement(account_number=account.number, as_of=as_of)["total"],
               "as_of": as_of.isoformat(), "case": None}
    if case is not None:
        summary["case"] = {
            "id": case.pk, "stage": case.stage, "stage_name": case.get_stage_display(),
            "since": case.stage_since.isoformat(), "deadline": case.deadline.isoformat() if case.deadline else None,
            "service": case.service.code if case.service else None, "debt_at_opening": f"{case.debt:.2f}",
            "history": [{"on": e.on.isoformat(), "from": e.stage_from, "to": e.stage_to, "actor": e.actor,
                         "note": e.note} for e in case.events.order_by("id")],
            "documents": [{"id": d.pk, "kind": d.kind, "on": d.on.isoformat()} for d in case.documents.order_by("id")]}
    return summary
