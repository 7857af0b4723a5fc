"""From the ledger's frames to the penalty engine's inputs: what fell due when (buckets) and what lowered
it from which day (movements), per account × accrual period × group of services.

* a charge of period P is due on P's due date (the due-day rule of P, or the category's contract day);
* a recalculation of P that lowers it lowers the base from P's due date (domain.md §4.4);
* one that raises it is, by the default policy, a new debt due on the due date of the period it was
  posted in (``own_due_date``); the other policy adds it to P's own debt (``original_due_date``);
* a payment lowers the base from the day after it was paid (the payment day accrues) or from that
  very day, per policy;
* capital repair is a group of its own (no 1/130), so its base never mixes with the rest.

Everything is vectorised; only the due dates are computed in Python, once per distinct
(period, category, group).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from raschet.claims.models import AccountCategory, Category, Group, IncreasePolicy
from raschet.claims.terms import LoadedTerms
from raschet.engine.penalties import BUCKETS, MOVEMENTS

KEY = ["account_id", "ref_period", "group"]
CATEGORIES = {"account_id": pl.Int64, "valid_from": pl.Date, "valid_to": pl.Date, "category": pl.Utf8}


def group_of() -> pl.Expr:
    return pl.when(pl.col("capital_repair")).then(pl.lit(Group.CAPITAL_REPAIR.value)).otherwise(
        pl.lit(Group.STANDARD.value))


def categories(account_ids: list[int] | None) -> pl.DataFrame:
    rows = AccountCategory.objects.all()
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    data = list(rows.values_list("account_id", "valid_from", "valid_to", "category"))
    return pl.DataFrame(data, schema=CATEGORIES, orient="row")


def _with_category(frame: pl.DataFrame, cats: pl.DataFrame) -> pl.DataFrame:
    """Each row's category on the first day of its accrual period; citizen without a row."""
    on = pl.col("ref_period").str.to_date("%Y-%m")
    frame = frame.with_columns(_on=on)
    if cats.is_empty():
        return frame.with_columns(category=pl.lit(Category.CITIZEN.value)).drop("_on")
    hit = (frame.select("account_id", "ref_period", "_on").unique().join(cats, on="account_id")
           .filter((pl.col("valid_from") <= pl.col("_on")) & (pl.col("valid_to").is_null() | (pl.col("_on") <
                                                                                             pl.col("valid_to"))))
           .select("account_id", "ref_period", "category").unique(["account_id", "ref_period"]))
    return (frame.join(hit, on=["account_id", "ref_period"], how="left")
            .with_columns(pl.col("category").fill_null(Category.CITIZEN.value)).drop("_on"))


def _due_dates(keys: pl.DataFrame, loaded: LoadedTerms, period_column: str) -> pl.DataFrame:
    """``period_column, category, group`` → ``due`` and the fractions of the rule in force."""
    rows = []
    for period, category, group in keys.select(period_column, "category", "group").unique().iter_rows():
        due = loaded.due_date(period, category, group)
        rule = loaded.rule(category, group, due)
        f = rule.fractions
        rows.append((period, category, group, due, f.grace, f.first, f.step, f.second))
    schema = {period_column: pl.Utf8, "category": pl.Utf8, "group": pl.Utf8, "due": pl.Date, "grace": pl.Int32,
              "first": pl.Int32, "step": pl.Int32, "second": pl.Int32}
    return pl.DataFrame(rows, schema=schema, orient="row")


def engine_inputs(debts: pl.DataFrame, paid: pl.DataFrame, loaded: LoadedTerms, cats: pl.DataFrame
                  ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(buckets, movements)`` for :func:`raschet.engine.penalties.penalty_rows` from the frames of
    :func:`raschet.claims.sources.penalty_debts` and :func:`~raschet.claims.sources.penalty_payments`."""
    debts = _with_category(debts.with_columns(group=group_of()), cats)
    net = debts.group_by([*KEY, "category", "period", "kind"]).agg(pl.col("amount").sum())
    own = _due_dates(net, loaded, "ref_period")
    charges = net.filter(pl.col("kind") == "charge")
    changes = net.filter(pl.col("kind") != "charge").group_by([*KEY, "category", "period"]).agg(pl.col("amount").sum())
    raised = changes.filter(pl.col("amount") > 0)
    lowered = pl.concat([changes.filter(pl.col("amount") < 0).drop("period"),
                         charges.filter(pl.col("amount") < 0).drop("period", "kind")])
    originals = charges.filter(pl.col("amount") > 0).drop("period", "kind").join(own, on=["ref_period", "category",
                                                                                           "group"])
    if loaded.policy.increase == IncreasePolicy.OWN_DUE_DATE:
        later = _due_dates(raised, loaded, "period")
        increases = raised.join(later, on=["period", "category", "group"]).drop("period")
    else:
        increases = raised.drop("period").join(own, on=["ref_period", "category", "group"])
    buckets = (pl.concat([originals.select(list(BUCKETS)), increases.select(list(BUCKETS))])
               .group_by([*KEY, "category", "due", "grace", "first", "step", "second"]).agg(pl.col("amount").sum())
               .select(list(BUCKETS)).cast(BUCKETS))
    reductions = (lowered.join(own, on=["ref_period", "category", "group"])
                  .select(*KEY, effective=pl.col("due") + timedelta(days=1), amount=-pl.col("amount"),
                          paid_on=pl.lit(None, dtype=pl.Date)))
    shift = 1 if loaded.terms.payment_day_accrues else 0
    payments = (paid.with_columns(group=group_of()).group_by([*KEY, "paid_on"]).agg(pl.col("amount").sum())
                .filter(pl.col("amount") != 0)
                .select(*KEY, effective=pl.col("paid_on") + timedelta(days=shift), amount="amount", paid_on="paid_on"))
    movements = pl.concat([reductions.cast(MOVEMENTS), payments.select(list(MOVEMENTS)).cast(MOVEMENTS)])
    return buckets, movements


def supplier_weights(debts: pl.DataFrame) -> pl.DataFrame:
    """How a key's penalty is shared between suppliers: by their positive charges of that key (per
    service: the ``positive`` column of :func:`raschet.claims.sources.penalty_debts`)."""
    return (debts.with_columns(group=group_of()).filter(pl.col("positive") > 0)
            .group_by([*KEY, "supplier_id"]).agg(weight=pl.col("positive").sum()))


def day_before(d: date) -> date:
    return d - timedelta(days=1)
