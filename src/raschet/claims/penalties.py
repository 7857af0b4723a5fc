"""Use cases of penalties: the penalty statement of an account as of a date, and the monthly accrual.

The statement is the table a court expects (period, debt, from, to, days, fraction, rate, amount,
with the payments), as a plain dict in the result format of scenario-format.md
(``penalty_statements``), plus the legal basis of every rule it used. The accrual posts, per account ×
accrual period × supplier, the month's penalty and — when past months' penalties changed (a
back-dated recalculation, a late payment record, a new key rate) — a correction entry in the open
period; nothing posted is ever edited. Re-running an accrual posts nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.utils import timezone

from raschet.claims import sources, state
from raschet.claims.inputs import categories, engine_inputs, group_of, supplier_weights
from raschet.claims.models import RateDate
from raschet.claims.permissions import ACCRUE_PENALTIES, require
from raschet.claims.terms import LoadedTerms, load_terms
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.engine.penalties import penalty_rows_at, penalty_totals, split_by_weight
from raschet.housing.models import Account

KEY = ["account_id", "ref_period", "group"]


def _money(kopecks: int) -> str:
    return f"{Decimal(kopecks).scaleb(-2):.2f}"


def _rate(units: int) -> str:
    text = f"{(Decimal(units) / 10_000).normalize():f}"
    return text


@dataclass
class Computed:
    rows: pl.DataFrame
    problems: pl.DataFrame
    payments: pl.DataFrame
    debts: pl.DataFrame
    loaded: LoadedTerms


@dataclass
class Ledger:
    """The ledger frames of a scope, read once for every as-of date computed from them."""

    debts: pl.DataFrame
    paid: pl.DataFrame
    categories: pl.DataFrame

    @classmethod
    def read(cls, account_ids: list[int] | None, until: date | None) -> Ledger:
        return cls(sources.penalty_debts(account_ids), sources.penalty_payments(account_ids, until=until),
                   categories(account_ids))


def compute(account_ids: list[int] | None, as_of: date, loaded: LoadedTerms | None = None,
            ledger: Ledger | None = None) -> Computed:
    """The engine's rows for these accounts (all when None) up to and including ``as_of``."""
    return compute_at(account_ids, [as_of], loaded, ledger)[0]


def compute_at(account_ids: list[int] | None, dates: list[date], loaded: LoadedTerms | None = None,
               ledger: Ledger | None = None) -> list[Computed]:
    """:func:`compute` for each of ``dates``, the engine run once (up to the latest date)."""
    last = max(dates)
    loaded = loaded or load_terms(last)
    ledger = ledger or Ledger.read(account_ids, last)
    paid = ledger.paid.filter(pl.col("paid_on") <= last)
    buckets, movements = engine_inputs(ledger.debts, paid, loaded, ledger.categories)
    results = penalty_rows_at(buckets, movements, loaded.terms, dates)
    return [Computed(rows, problems, paid.filter(pl.col("paid_on") <= as_of), ledger.debts, loaded)
            for as_of, (rows, problems) in zip(dates, results, strict=True)]


def _account(number: str, subject: str) -> Account:
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise ProblemsError([problem("unknown_reference", subject, kind="лицевой счёт", value=number)])
    return account


def _problems(frame: pl.DataFrame, subject: str) -> list[dict]:
    return [problem("no_key_rate", subject, date=d.isoformat(), period=p).as_dict()
            for _, p, d in frame.iter_rows()]


def penalty_statement(*, account_number: str, as_of: date, subject: str = "account") -> dict:
    """The penalty statement of one account as of ``as_of`` (its days up to and including that day).

    Keys of the contract: ``as_of``, ``total``, ``rows`` (``ref_period, base, from, to, days, fraction,
    rate, amount``). Optional keys: ``account``, ``payments`` (each payment to an accrual period:
    ``ref_period, date, amount``), ``groups`` (the group of services of each row, parallel to ``rows``),
    ``due_dates``, ``legal_basis`` and ``problems``."""
    account = _account(account_number, subject)
    done = compute([account.id], as_of)
    rows = done.rows
    statement_rows = [{"ref_period": r["ref_period"], "base": _money(r["base"]), "from": r["date_from"].isoformat(),
                       "to": r["date_to"].isoformat(), "days": r["days"], "fraction": f"1/{r['denominator']}",
                       "rate": _rate(r["rate"]), "amount": _money(r["amount"])} for r in rows.iter_rows(named=True)]
    payments = (done.payments.group_by("ref_period", "paid_on").agg(pl.col("amount").sum())
                .filter(pl.col("amount") != 0).sort("paid_on", "ref_period"))
    dues = rows.select("ref_period", "group", "due").unique().sort("ref_period", "group", "due")
    return {"as_of": as_of.isoformat(), "total": _money(int(rows["amount"].sum() or 0)), "rows": statement_rows,
            "account": account.number,
            "groups": rows["group"].to_list(),
            "payments": [{"ref_period": p, "date": d.isoformat(), "amount": _money(a)} for p, d, a in payments.iter_rows()],
            "due_dates": [{"ref_period": p, "group": g, "due": d.isoformat()} for p, g, d in dues.iter_rows()],
            "legal_basis": legal_bases(done.loaded, rows),
            "problems": _problems(done.problems, f"ЛС {account.number}")}


def scenario_statement(account_number: str, as_of: date, subject: str = "penalty_statement.account") -> dict:
    """The statement as the scenario step ``penalty_statement`` returns it: the contract's keys, the
    payments and legal bases as optional keys, and ``problems`` for the result's ``errors``."""
    statement = penalty_statement(account_number=account_number, as_of=as_of, subject=subject)
    for name in ("account", "groups", "due_dates"):
        statement.pop(name)
    return statement


def legal_bases(loaded: LoadedTerms, rows: pl.DataFrame) -> list[str]:
    """The legal basis of every rule the rows used: due days, fractions, regimes, moratoria, key rates."""
    if rows.is_empty():
        return []
    first, last = rows["date_from"].min(), rows["date_to"].max()
    texts = [basis for period, _, basis in loaded.due_days if period <= rows["ref_period"].max()]
    for category, group in rows.select("category", "group").unique().sort("category", "group").iter_rows():
        texts.append(loaded.rule(category, group, rows["due"].min()).basis)
    texts += [basis for a, b, basis in loaded.regimes if a <= last and (b is None or b > first)]
    texts += [f"{name}: {basis}" for a, b, name, basis in loaded.moratoria if a <= last and (b is None or b > first)]
    used = [basis for d, basis in loaded.key_rates if d <= rows["rate_date"].max()]
    texts += used[-1:]
    texts.append(loaded.policy.legal_basis)
    return list(dict.fromkeys(t for t in texts if t))


@dataclass
class AccrualResult:
    period: str
    accounts: int
    entries: int
    penalty: Decimal
    corrections: Decimal
    problems: list[dict]
    kept: bool = False  # from the previous month's kept state
    reread: int | None = None  # accounts whose whole ledger was read (None: all of them)


def _split(totals: pl.DataFrame, weights: pl.DataFrame) -> pl.DataFrame:
    """The penalty per account × accrual period × supplier (exact split of each key's total)."""
    return split_by_weight(totals, weights, KEY, "supplier_id").group_by(
        "account_id", "ref_period", "supplier_id").agg(pl.col("amount").sum())


def _entries(before: pl.DataFrame, after: pl.DataFrame, posted: pl.DataFrame, period: Period) -> pl.DataFrame:
    key = ["account_id", "ref_period", "supplier_id"]
    here = str(period)
    here_month = (pl.col("period") == here) & (pl.col("correction") == 0)
    sums = (posted.with_columns(when=pl.when(here_month).then(pl.lit("here")).otherwise(pl.lit("before")))
            .pivot(on="when", index=key, values="amount", aggregate_function="sum"))
    for name in ("before", "here"):
        if name not in sums.columns:
            sums = sums.with_columns(pl.lit(0, dtype=pl.Int64).alias(name))
    frame = (pl.concat([before.select(*key, "amount").with_columns(what=pl.lit("target_before")),
                        after.select(*key, "amount").with_columns(what=pl.lit("target_after"))])
             .pivot(on="what", index=key, values="amount", aggregate_function="sum"))
    for name in ("target_before", "target_after"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(name))
    frame = frame.join(sums.select(*key, "before", "here"), on=key, how="full", coalesce=True).fill_null(0)
    # This month's penalty entries count against this month's days; every other penalty entry (earlier
    # months', and corrections, wherever posted) against the days before. Each difference is posted.
    month = frame.select(*key, amount=(pl.col("target_after") - pl.col("target_before")) - pl.col("here"),
                         reason=pl.lit(f"Пени за {here}"))
    fix = frame.select(*key, amount=pl.col("target_before") - pl.col("before"),
                       reason=pl.lit(f"{sources.CORRECTION_REASON} за дни до {period.start:%d.%m.%Y} (пересчёт)"))
    return pl.concat([month, fix]).filter(pl.col("amount") != 0)


@dataclass
class _Done:
    """What an accrual path posts and what the state keeps of it."""

    entries: pl.DataFrame
    problems: pl.DataFrame
    kept: state.Kept
    reread: int | None = None


def _accrue_whole(account_ids: list[int] | None, period: Period, loaded: LoadedTerms) -> _Done:
    """The accrual from the whole ledger of ``account_ids`` (all when None): its penalty as of the
    month's end and as of the day before it, against every penalty entry posted."""
    end = period.end - timedelta(days=1)
    ledger = Ledger.read(account_ids, None)  # payments after ``end`` too: the engine leaves them out, the state keeps them
    buckets, movements = engine_inputs(ledger.debts, ledger.paid, loaded, ledger.categories)
    (rows_before, _), (rows_after, problems) = penalty_rows_at(buckets, movements, loaded.terms,
                                                                 [period.start - timedelta(days=1), end])
    weights = supplier_weights(ledger.debts)
    after = penalty_totals(rows_after)
    rows = _entries(_split(penalty_totals(rows_before), weights), _split(after, weights),
                    sources.posted_penalties(account_ids), period)
    kept = state.derive(buckets, movements, after, weights, end)
    return _Done(rows, problems, kept)


def _accrue_kept(kept: state.Kept, period: Period, loaded: LoadedTerms, cats: pl.DataFrame) -> _Done:
    """The accrual from a kept state and the entries posted after it (``cats``: every account's
    categories); the accounts it cannot take (:func:`raschet.claims.state` says which) go through
    :func:`_accrue_whole`."""
    end, first = period.end - timedelta(days=1), period.start
    debts = sources.penalty_debts(None, after=kept.mark)
    paid = sources.penalty_payments(None, after=kept.mark)
    buckets, movements = engine_inputs(debts, paid, loaded, cats)
    known = pl.concat([kept.keys(), buckets.select(KEY)]).unique()
    start = pl.col("due") + pl.duration(days=pl.col("grace").cast(pl.Int64) + 1)
    beyond = pl.concat([
        pl.DataFrame({"account_id": sources.beyond_state(kept.mark, first, str(period.previous()))},
                     schema={"account_id": pl.Int64}),
        kept.excluded,
        debts.with_columns(group=group_of()).join(kept.keys(), on=KEY, how="semi").select("account_id"),
        buckets.filter(start < first).select("account_id"),
        movements.filter((pl.col("effective") < first) | (pl.col("amount") < 0)).select("account_id"),
        movements.join(known, on=KEY, how="anti").select("account_id"),
    ]).unique()
    whole = _accrue_whole(beyond["account_id"].to_list(), period, loaded) if not beyond.is_empty() else None
    rest = kept.without(beyond)
    buckets = pl.concat([rest.buckets, buckets.join(beyond, on="account_id", how="anti")
                         .with_columns(since=pl.lit(None, dtype=pl.Date))], how="vertical_relaxed")
    movements = pl.concat([rest.movements, movements.join(beyond, on="account_id", how="anti")])
    (rows_before, _), (rows_after, problems) = penalty_rows_at(buckets, movements, loaded.terms,
                                                                 [first - timedelta(days=1), end])
    change = (pl.concat([penalty_totals(rows_after), penalty_totals(rows_before).with_columns(-pl.col("amount"))])
              .group_by(KEY).agg(pl.col("amount").sum()))
    before = rest.totals
    after = pl.concat([before, change]).group_by(KEY).agg(pl.col("amount").sum())
    weights = (pl.concat([rest.weights, supplier_weights(debts.join(beyond, on="account_id", how="anti"))])
               .group_by([*KEY, "supplier_id"]).agg(pl.col("weight").sum()))
    month = (pl.concat([_split(after, weights), _split(before, weights).with_columns(-pl.col("amount"))])
             .group_by("account_id", "ref_period", "supplier_id").agg(pl.col("amount").sum())
             .filter(pl.col("amount") != 0).with_columns(reason=pl.lit(f"Пени за {period}")))
    parts = [state.derive(buckets, movements, after, weights, end)]
    entries, problem_frames = [month], [problems]
    if whole is not None:
        parts.append(whole.kept)
        entries.append(whole.entries)
        problem_frames.append(whole.problems)
    return _Done(pl.concat(entries, how="vertical_relaxed"), pl.concat(problem_frames), state.Kept.concat(parts),
                 beyond.height)


def accrue_penalties(*, period: Period, actor=None, account_ids: list[int] | None = None,
                     today: date | None = None) -> AccrualResult:
    """Post the penalties of ``period`` (its days) in that period, plus corrections of earlier months.

    For the whole region the accrual keeps a state (:mod:`raschet.claims.state`): the next month's
    accrual reads only the entries posted since, and the whole ledger of the accounts the state
    cannot take; the result is the same to the kopeck."""
    require(actor, ACCRUE_PENALTIES)
    end = period.end - timedelta(days=1)
    whole_region = account_ids is None
    with transaction.atomic():
        if whole_region:
            sources.lock_open_periods(period)
        else:
            sources.lock_open_period(period)
        later = sources.penalties_after(period, account_ids)
        if later is not None:
            raise ProblemsError([problem("penalties_out_of_order", str(period), period=str(period), later=later)])
        loaded = load_terms(end)
        cats = categories(None) if whole_region else None
        kept = (state.load(period.previous(), state.terms_digest(loaded, period.start, cats))
                if whole_region and loaded.policy.rate_date == RateDate.PAYMENT else None)
        done = _accrue_whole(account_ids, period, loaded) if kept is None else _accrue_kept(kept, period, loaded, cats)
        rows = done.entries
        written = sources.write_penalty_entries(rows, period, timezone.now())
        if whole_region:
            state.save(period, sources.last_entry_id(), state.terms_digest(loaded, period.end, cats), done.kept)
    month = rows.filter(pl.col("reason").str.starts_with("Пени"))["amount"].sum() or 0
    fixes = rows.filter(~pl.col("reason").str.starts_with("Пени"))["amount"].sum() or 0
    problems = _problems(done.problems, str(period))
    return AccrualResult(str(period), rows["account_id"].n_unique(), written, Decimal(month).scaleb(-2),
                         Decimal(fixes).scaleb(-2), problems, kept is not None, done.reread)
