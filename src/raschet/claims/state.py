"""The penalty accrual's kept state: per account with debt still accruing, only what its next month can
change — so that a month's accrual reads the month's new entries, not the whole ledger.

Why this is exact. A statement row is fixed once the key's debt has been paid after it: its days,
base, fraction and rate (the key rate on the day of that payment) no longer depend on the as-of date.
Only the rows after the key's last payment (``since``) are live. So the state keeps, per key
(account × accrual period × group): the debt left on each bucket on ``since``, the reductions dated
after it, the key's penalty total as of the state's day and the suppliers' weights. The next month's
penalty of a key is then its total as of the month's end minus its total as of the day before the
month, each split over the suppliers exactly as the whole-ledger accrual splits it; the engine is
given only the live days (``since``), whose rows are the same rows the whole ledger gives.

What the state cannot take — a recalculation or correction, a late-recorded or reversed payment, a
charge of an older period, new debt of a key it holds, a refund, a penalty entry posted beside it —
sends that account to the whole-ledger path (:func:`raschet.claims.sources.beyond_state` and
:func:`beyond`). A change of the rules (key rates, regimes, moratoria dated before the month, due days,
fractions, the policy, the categories) changes the digest, and the whole region goes that way once.
The equivalence is a test: month by month, the kept path posts exactly what the whole-ledger path posts.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date

import polars as pl

from raschet.claims.models import PenaltyState, PenaltyStatePart
from raschet.claims.terms import LoadedTerms
from raschet.domain.periods import Period
from raschet.engine.penalties import BUCKETS, MOVEMENTS, with_key

KEY = ["account_id", "ref_period", "group"]
PARTS = {
    "buckets": {**BUCKETS, "since": pl.Date},
    "movements": MOVEMENTS,
    "totals": {"account_id": pl.Int64, "ref_period": pl.Utf8, "group": pl.Utf8, "amount": pl.Int64},
    "weights": {"account_id": pl.Int64, "ref_period": pl.Utf8, "group": pl.Utf8, "supplier_id": pl.Int64,
                "weight": pl.Int64},
    "excluded": {"account_id": pl.Int64},
}


@dataclass
class Kept:
    """A state's frames (columns :data:`PARTS`) and the entry id it has read up to."""

    mark: int
    buckets: pl.DataFrame
    movements: pl.DataFrame
    totals: pl.DataFrame
    weights: pl.DataFrame
    excluded: pl.DataFrame

    @classmethod
    def empty(cls) -> Kept:
        return cls(0, *(pl.DataFrame(schema=schema) for schema in PARTS.values()))

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in PARTS}

    def keys(self) -> pl.DataFrame:
        return self.buckets.select(KEY).unique()

    def without(self, accounts: pl.DataFrame) -> Kept:
        """The state of every account but ``accounts`` (a frame with ``account_id``)."""
        return Kept(self.mark, *(frame.join(accounts, on="account_id", how="anti")
                                 for frame in self.frames().values()))

    @classmethod
    def concat(cls, parts: list[Kept]) -> Kept:
        return cls(0, *(pl.concat([p.frames()[name] for p in parts]).cast(schema) for name, schema in PARTS.items()))


def terms_digest(loaded: LoadedTerms, cutoff: date, categories: pl.DataFrame) -> str:
    """A digest of every rule that decides the rows of days before ``cutoff``: key rates, regimes and
    moratoria as they apply before it (a row dated later, or the end of a row after it, changes only
    days a state leaves live), and the due days, non-working days, fractions, policy and categories
    whole. A state is saved with the digest for the first day after its month and loaded with that of
    the first day of the month accrued: the same cutoff, so only a change of the past tells them apart."""
    terms = loaded.terms

    def dated(frame: pl.DataFrame) -> list:
        frame = frame.filter(pl.col("valid_from") < cutoff)
        if "valid_to" in frame.columns:
            frame = frame.with_columns(pl.when(pl.col("valid_to") < cutoff).then(pl.col("valid_to")))
        return frame.sort(frame.columns).rows()

    policy = loaded.policy
    content = {
        "key_rates": dated(terms.key_rates), "regimes": dated(terms.regimes), "moratoria": dated(terms.moratoria),
        "due_days": [(d.first_period, d.day) for d in terms.due_days],
        "non_working": sorted(terms.non_working_days),
        "rules": sorted((k, [(a, b, r.fractions, r.due_day) for a, b, r in v]) for k, v in loaded.rules.items()),
        "policy": (policy.payment_day_accrues, policy.weekend_shift, policy.increase, policy.rate_date),
        "categories": categories.sort(categories.columns).rows(),
    }
    return hashlib.sha256(json.dumps(content, default=str, sort_keys=True).encode()).hexdigest()


def derive(buckets: pl.DataFrame, movements: pl.DataFrame, totals: pl.DataFrame, weights: pl.DataFrame,
           end: date) -> Kept:
    """The state as of ``end`` from the engine's inputs of an accrual (``buckets`` with or without
    ``since``; ``movements`` may reach past ``end``), the keys' penalty totals as of ``end`` and the
    suppliers' weights. A key whose buckets are all paid by its last payment is left out (its rows
    are all fixed); an account with money taken back (a negative movement) is kept out whole, listed
    in ``excluded``."""
    if "since" not in buckets.columns:
        buckets = buckets.with_columns(since=pl.lit(None, dtype=pl.Date))
    buckets, movements = buckets.cast(PARTS["buckets"]), movements.cast(MOVEMENTS)
    names = set().union(*(frame["group"].unique().to_list() for frame in (buckets, movements, totals, weights)))
    groups = {name: index for index, name in enumerate(sorted(names))}
    b, m = with_key(buckets, groups).lazy(), with_key(movements, groups).lazy()  # one integer key: cheap sorts
    excluded = m.filter(pl.col("amount") < 0).select("account_id").unique().collect()
    b, m = b.join(excluded.lazy(), on="account_id", how="anti"), m.join(excluded.lazy(), on="account_id", how="anti")
    last_paid = (m.filter(pl.col("paid_on").is_not_null() & (pl.col("paid_on") <= end))
                 .group_by("key").agg(last=pl.col("effective").max()))
    since = (b.group_by("key").agg(pl.col("since").max()).join(last_paid, on="key", how="left")
             .select("key", since=pl.max_horizontal("since", "last"))).collect().lazy()
    paid = (m.join(since, on="key").filter(pl.col("effective") <= pl.col("since"))
            .group_by("key").agg(paid=pl.col("amount").sum()))
    left = (b.drop("since").join(since, on="key", how="left").join(paid, on="key", how="left")
            .with_columns(pl.col("paid").fill_null(0)).sort("key", "due")
            .with_columns(prior=pl.col("amount").cum_sum().over("key") - pl.col("amount"))
            .with_columns(amount=pl.col("amount") - (pl.col("paid") - pl.col("prior")).clip(0, None)
                          .clip(upper_bound=pl.col("amount")))
            .filter(pl.col("amount") > 0)).collect()
    keys = left.select("key").unique().lazy()
    moved = (m.join(since, on="key", how="left")
             .filter(pl.col("since").is_null() | (pl.col("effective") > pl.col("since")))
             .join(keys, on="key", how="semi").select(list(MOVEMENTS)))

    def kept_keys(frame: pl.DataFrame, name: str) -> pl.LazyFrame:
        return with_key(frame, groups).lazy().join(keys, on="key", how="semi").select(list(PARTS[name]))

    return Kept(0, left.select(list(PARTS["buckets"])), moved.collect(), kept_keys(totals, "totals").collect(),
                kept_keys(weights, "weights").collect(), excluded)


def load(previous: Period, digest: str) -> Kept | None:
    """The latest state if it is that of the accrual of ``previous`` under the same rules, else None."""
    row = PenaltyState.objects.order_by("-id").first()
    if row is None or row.period != str(previous) or row.terms != digest:
        return None
    frames = {}
    for part in row.parts.all():
        frame = pl.read_ipc(io.BytesIO(bytes(part.data)))
        if frame.height != part.rows:
            return None
        frames[part.name] = frame.cast(PARTS[part.name]) if part.name in PARTS else frame
    if set(frames) != set(PARTS):
        return None
    return Kept(row.mark, *(frames[name] for name in PARTS))


def save(period: Period, mark: int, digest: str, kept: Kept) -> PenaltyState:
    """Write ``kept`` as the state of ``period``'s accrual (inside its transaction); earlier states go."""
    PenaltyState.objects.all().delete()
    row = PenaltyState.objects.create(period=str(period), mark=mark, terms=digest,
                                      accounts=kept.buckets["account_id"].n_unique())
    parts = []
    for name, frame in kept.frames().items():
        data = io.BytesIO()
        frame.write_ipc(data, compression="zstd")
        parts.append(PenaltyStatePart(state=row, name=name, rows=frame.height, data=data.getvalue()))
    PenaltyStatePart.objects.bulk_create(parts)
    return row
