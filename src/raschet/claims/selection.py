"""Selecting debtors by a saved rule: debt amount, months overdue, service, building, supplier, and
whether the account already has an open case. Vectorised over the ledger's outstanding debts.

Only overdue debt counts (accrual periods whose due date has passed on the selection day); months
overdue are whole months from the due date of the oldest overdue period.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from raschet.claims import sources
from raschet.claims.models import DebtCase, InCase, SelectionRule
from raschet.claims.terms import load_terms
from raschet.housing.models import Account

SELECTED = {"account_id": pl.Int64, "debt": pl.Int64, "months_overdue": pl.Int32, "in_case": pl.Boolean}


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last`` (0 when ``last`` is before the same day a month later)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return max(months - (1 if last.day < first.day else 0), 0)


def select(rule: SelectionRule, on: date, account_ids: list[int] | None = None) -> pl.DataFrame:
    """The accounts the rule selects on ``on``: ``account_id, debt`` (kopecks), ``months_overdue``,
    ``in_case``, ordered by account."""
    if rule.building_id is not None:
        account_ids = list(Account.objects.filter(premises__building_id=rule.building_id).values_list("id", flat=True))
    owed = sources.outstanding(account_ids, until=on)
    if rule.service_id is not None:
        owed = owed.filter(pl.col("service_id") == rule.service_id)
    if rule.supplier_id is not None:
        owed = owed.filter(pl.col("supplier_id") == rule.supplier_id)
    loaded = load_terms(on)
    dues = pl.DataFrame([(p, loaded.terms.due_date(p)) for p in owed["ref_period"].unique().to_list()],
                        schema={"ref_period": pl.Utf8, "due": pl.Date}, orient="row")
    overdue = owed.join(dues, on="ref_period").filter(pl.col("due") < on)
    per_account = overdue.group_by("account_id").agg(debt=pl.col("amount").sum(), oldest=pl.col("due").min())
    per_account = per_account.with_columns(months_overdue=pl.col("oldest").map_elements(
        lambda d: months_between(d, on), return_dtype=pl.Int32))
    open_cases = set(DebtCase.objects.filter(is_open=True).values_list("account_id", flat=True))
    chosen = per_account.with_columns(in_case=pl.col("account_id").is_in(list(open_cases))).filter(
        (pl.col("debt") >= int(rule.min_debt * 100)) & (pl.col("months_overdue") >= rule.min_months_overdue))
    if rule.in_case == InCase.YES:
        chosen = chosen.filter(pl.col("in_case"))
    elif rule.in_case == InCase.NO:
        chosen = chosen.filter(~pl.col("in_case"))
    return chosen.select(list(SELECTED)).cast(SELECTED).sort("account_id")
