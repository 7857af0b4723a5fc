"""The calculation pipeline: named, timed stages over frames, for one account or a whole region.

inputs → validation → segments → volumes → distribution → amounts → rounding → explanation.
Each stage is a function over frames; :class:`StageTimer` records its seconds.  Problems from
every stage are collected as rows; at the end every line of an (account, service) with a problem
is dropped, so an account never gets half a bill for a service, and everything else stands.

For one account the frames have a few rows and a Polars call costs its fixed overhead, not its
work; so the stages are written as a few fused lazy plans each (``plans.py``), skip what has no
rows (no common-needs rule → no building sums, no absences → no reductions), and a preview keeps
only what its lines depend on (``context.narrow``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import absence, amounts, bounds, correction, explain, interruptions, problems, recalc
from raschet.engine.attributes import attach
from raschet.engine.codes import KIND, Codes
from raschet.engine.context import Context, build_context, narrow
from raschet.engine.inputs import codes_of, encode
from raschet.engine.meters import month_index
from raschet.engine.methods import DISTRIBUTED, METHODS, USES_INDIVIDUAL
from raschet.engine.methods.base import empty_lines
from raschet.engine.methods.sum_of import failed_parts
from raschet.engine.plans import collect, collect_all
from raschet.engine.segments import build_segments
from raschet.engine.snapshot import Snapshot
from raschet.engine.units import UNIT_ACCOUNTS, building_units, partition
from raschet.engine.validation import validate_rules

EMPTY_CODES = Codes((), (), {})
STAGES = ("inputs", "validation", "segments", "volumes", "distribution", "amounts", "rounding", "explanation")
_SEG_COLUMNS = [
    "seg_id", "account_id", "building_id", "service", "kind", "supplier", "date_from", "date_to",
    "days", "period_days", "method", "rule_id", "meter_possible", "area", "share", "residents",
]
# What the methods of USES_INDIVIDUAL read of an individual volume's segment: common needs sums
# per building, sum_of per account and days.
_INDIVIDUAL_KEYS = ["seg_id", "account_id", "building_id", "service", "date_from", "date_to", "days"]


@dataclass(frozen=True)
class CalcResult:
    """Lines in their stored form, problems and seconds per stage (in pipeline order).

    ``frame`` is the lines with typed, integer-coded columns (``explain.LINE_SCHEMA``), the codes
    meaning what ``codes`` says; ``lines`` is the same made readable (``explain.readable``), on demand.
    """

    frame: pl.DataFrame
    problems: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    codes: Codes = EMPTY_CODES
    numbers: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"account_id": pl.Int64,
                                                                                "number": pl.Utf8}))
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage, all threads

    @cached_property
    def lines(self) -> pl.DataFrame:
        return explain.readable(self.frame, self.codes, self.numbers)


class StageTimer:
    """Times named stages; ``timings`` keeps them in the order they ran, ``cpu`` their CPU seconds
    (all threads of the process: on a shared machine the fairer figure)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


def calculate(snapshot: Snapshot, period: Period | str, accounts: Iterable[int] | None = None, *,
              recalculation: bool = False) -> CalcResult:
    """Calculate ``period`` for ``accounts`` (all when None); see the package docstring.

    With ``recalculation`` the lines are the recalculation's instead: this result minus what the
    ``posted`` input says the ledger holds for the period (``recalc.py``).

    A large run is cut into units of whole buildings (``units.py``) computed one after another,
    which bounds memory and gives the same lines; the timings are summed over the units.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    accounts = None if accounts is None else list(accounts)
    timer = StageTimer()
    with timer("inputs"):
        snapshot, beyond = bounds.checked(snapshot.checked())
        codes = codes_of(snapshot)
        parts = _units(encode(snapshot, codes), accounts)
    results = []
    while parts:  # each unit's inputs are let go once it is calculated: memory holds one unit's, not all
        results.append(_calculate_unit(parts.pop(0), period, accounts, codes, timer, recalculation))
    lines = pl.concat([r[0] for r in results]) if len(results) > 1 else results[0][0]
    found = pl.concat([r[1] for r in results]) if len(results) > 1 else results[0][1]
    if not beyond.is_empty():
        lines, found = _without(lines, found, beyond, snapshot, codes, accounts)
    numbers = snapshot.accounts.select("account_id", "number")
    if accounts is not None:
        numbers = numbers.filter(pl.col("account_id").is_in(pl.Series(accounts, dtype=pl.Int64).implode()))
    return CalcResult(frame=lines, problems=found, timings={s: timer.timings.get(s, 0.0) for s in STAGES},
                      codes=codes, numbers=numbers, cpu={s: timer.cpu.get(s, 0.0) for s in STAGES})


def _units(snapshot: Snapshot, accounts: list[int] | None) -> list[Snapshot]:
    wanted = snapshot.accounts
    if accounts is not None:  # Series operations: for one account, queries would cost more than the work
        building = wanted["building_id"]
        chosen = building.filter(wanted["account_id"].is_in(pl.Series(accounts, dtype=pl.Int64).implode()))
        inside = building.is_in(chosen.implode())
        if inside.sum() <= UNIT_ACCOUNTS:
            return [snapshot]
        wanted = wanted.filter(inside)
    if wanted.height <= UNIT_ACCOUNTS:
        return [snapshot]
    return partition(snapshot, building_units(wanted, UNIT_ACCOUNTS))


def _calculate_unit(
    snapshot: Snapshot, period: Period, accounts: list[int] | None, codes: Codes, timer: StageTimer,
    recalculation: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The pipeline over one snapshot: (lines, problems)."""
    found: list[pl.DataFrame] = []
    with timer("inputs"):
        ctx = build_context(snapshot, period, accounts, codes)
        ctx.past_segments = partial(past_segments, snapshot, codes)
    with timer("validation"):
        rule_params, bad_rules = _rule_params(ctx, period)
    with timer("inputs"):
        ctx = narrow(ctx, _common_resources(ctx, rule_params))
    with timer("segments"):
        segs, no_rule = build_segments(ctx)
        found.append(no_rule)
        if not bad_rules.is_empty():
            found.append(_bad_rule_problems(segs, bad_rules))
            segs = segs.join(bad_rules.select("rule_id"), on="rule_id", how="anti")
        segs = attach(segs, ctx)
        # The rules' typed parameters, joined once; then one part per method.
        by_method = {
            key[0]: part for key, part in
            segs.join(rule_params, on="rule_id", how="left").partition_by("method", as_dict=True).items()
        }
    with timer("volumes"):
        individual = _run(by_method, ctx, [m for m in METHODS if m not in DISTRIBUTED], None, found)
        by_building = None
        if USES_INDIVIDUAL & by_method.keys():  # only then are the individual volumes needed again
            by_building = individual.join(segs.select(_INDIVIDUAL_KEYS), on="seg_id")
    with timer("distribution"):
        shared = _run(by_method, ctx, sorted(DISTRIBUTED), by_building, found)
    with timer("amounts"):
        volumes = pl.concat([individual, shared]).join(segs.select(_SEG_COLUMNS), on="seg_id").join(
            rule_params.select("rule_id", "band1", "band2"), on="rule_id", how="left"
        )
        priced, no_tariff = amounts.price(volumes, ctx)
        found.append(no_tariff)
    with timer("rounding"):
        rounded = collect(amounts.round_lines(priced.lazy()).with_row_index("line_id").with_columns(
            pl.lit("charge", dtype=KIND).alias("line_kind")
        ))
        if rounded["amount"].has_nulls():  # a product beyond Int64 (bounds.py): that service's problem
            found.append(problems.rows(rounded.filter(pl.col("amount").is_null()), "amount_out_of_range",
                                       service=pl.col("service"), date=pl.col("date_from")))
            rounded = rounded.filter(pl.col("amount").is_not_null())
        reductions = [absence.reductions(rounded, ctx), interruptions.reductions(rounded, ctx)]
        reductions = [r for r in reductions if not r.is_empty()]
        if reductions:
            rounded = pl.concat([rounded, *reductions], how="diagonal_relaxed")
    with timer("amounts"):  # the annual heating correction, in its correction month
        extra = correction.corrections(snapshot, period, accounts, codes)
    with timer("explanation"):
        if "sum_of" in by_method:  # a sum missing a failed part is not billed either
            found.append(failed_parts(by_method["sum_of"], pl.concat(found)))
        lines, found = _finish(rounded, pl.concat(found), ctx)
        if extra is not None and not extra.is_empty():
            lines = pl.concat([lines, explain.stored(extra)])
        if recalculation:
            lines = recalc.difference(lines, ctx)
        return lines, found


def _without(lines: pl.DataFrame, found: pl.DataFrame, beyond: pl.DataFrame, snapshot: Snapshot, codes: Codes,
             accounts: list[int] | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines without the (account, service) — or the whole account — of an out-of-range input."""
    if accounts is not None:
        beyond = beyond.filter(pl.col("account_id").is_in(pl.Series(accounts, dtype=pl.Int64).implode()))
    whole = beyond.filter(pl.col("service").is_null()).select("account_id").unique()
    keys = problems.keys(beyond.filter(pl.col("service").is_not_null()), codes.service).collect()
    keys = keys.with_columns(pl.col("service").to_physical().cast(lines.schema["service"]))
    lines = lines.join(whole, on="account_id", how="anti").join(keys, on=["account_id", "service"], how="anti")
    found = pl.concat([found, problems.finish(beyond, snapshot.accounts)]).sort("account_id", "service", "code")
    return lines, found


def _rule_params(ctx: Context, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rules' typed parameters (``resource`` and ``services`` as service codes) and the unusable rules."""
    keys = set(ctx.parameters["key"].unique().to_list())
    rule_params, bad_rules = validate_rules(ctx.rules, period.month, keys)
    coded = [pl.col("resource").cast(ctx.codes.service, strict=False),
             pl.col("services").cast(pl.List(ctx.codes.service), strict=False)]
    return rule_params.with_columns(coded), bad_rules


def past_segments(snapshot: Snapshot, codes: Codes, late: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """The metered segments of the ``late`` chains (account_id, service, first_gap) over [start, end).

    One context and one set of segments for all the months (cut at every first of the month), each
    segment with its month's attributes and its rule's parameters; only the months from the chain's
    ``first_gap`` (a month index) on.  For the catch-up after a late reading (``methods/catchup.py``).
    """
    chains = late.select("account_id", "service")
    period = Period(start.year, start.month)
    ctx = build_context(_chains_only(snapshot, chains), period, None, codes, window=(start, end))
    rule_params, bad_rules = _rule_params(ctx, period)
    segs, _ = build_segments(ctx, months=True)
    segs = segs.join(late, on=["account_id", "service"]).filter(
        (pl.col("method") == "metered") & (month_index("date_from") >= pl.col("first_gap"))
    ).join(bad_rules.select("rule_id"), on="rule_id", how="anti")
    return attach(segs.drop("first_gap"), ctx).join(rule_params, on="rule_id", how="left")


def past_volumes(snapshot: Snapshot, period: Period, chains: pl.DataFrame, codes: Codes | None = None) -> pl.DataFrame:
    """What the ``metered`` method charges in ``period`` for the (account_id, service) ``chains``.

    The same stages as a calculation of that period, for those accounts only: (account_id,
    service, zone, volume_source, volume), summed over the segments; nothing for a chain that
    had a problem then (nothing was charged).  The reference the one-pass catch-up
    (``methods/catchup.py``) is tested against.
    """
    if codes is None:  # a snapshot as given (text codes): coded here, and the result in text again
        codes = codes_of(snapshot)
        found = past_volumes(encode(snapshot, codes), period, chains.with_columns(
            pl.col("service").cast(codes.service)), codes)
        return found.with_columns(pl.col("service", "zone", "volume_source").cast(pl.Utf8))
    ctx = build_context(_chains_only(snapshot, chains), period, None, codes)
    rule_params, bad_rules = _rule_params(ctx, period)
    segs, _ = build_segments(ctx)
    segs = segs.join(chains, on=["account_id", "service"], how="semi").filter(pl.col("method") == "metered")
    segs = attach(segs.join(bad_rules.select("rule_id"), on="rule_id", how="anti"), ctx)
    segs = segs.join(rule_params, on="rule_id", how="left")
    produced, trouble = METHODS["metered"](segs, ctx, None)
    keys = ["account_id", "service", "zone", "volume_source"]
    charged = produced.join(segs.select("seg_id", "account_id", "service"), on="seg_id").join(
        problems.keys(trouble, codes.service).collect(), on=["account_id", "service"], how="anti"
    )
    return charged.group_by(keys).agg(pl.col("volume").sum()).sort(keys)


def _chains_only(snapshot: Snapshot, chains: pl.DataFrame) -> Snapshot:
    """The snapshot cut down to the chains' accounts, services and premises meters.

    A metered volume depends only on its own account and chain (and the shared reference
    tables), so the past run needs no neighbours: a few rows instead of a building's.
    """
    ids = chains.lazy().select("account_id").unique()
    accounts = snapshot.accounts.lazy().join(ids, on="account_id", how="semi")
    meters = snapshot.meters.lazy().filter(pl.col("scope") == "premises").join(
        chains.lazy(), on=["account_id", "service"], how="semi"
    )
    tables = {
        "accounts": accounts,
        "buildings": snapshot.buildings.lazy().join(accounts.select("building_id"), on="building_id", how="semi"),
        "areas": snapshot.areas.lazy().join(accounts.select("premises_id"), on="premises_id", how="semi"),
        "residents": snapshot.residents.lazy().join(ids, on="account_id", how="semi"),
        "account_services": snapshot.account_services.lazy().join(
            chains.lazy(), on=["account_id", "service"], how="semi"
        ),
        "absences": snapshot.absences.lazy().join(ids, on="account_id", how="semi"),
        "meters": meters,
        "readings": snapshot.readings.lazy().join(meters.select("meter_id"), on="meter_id", how="semi"),
    }
    return snapshot.replace(**dict(zip(tables, collect_all(list(tables.values())), strict=True)))


def _common_resources(ctx: Context, rule_params: pl.DataFrame) -> list[str]:
    """Resources whose individual volumes a requested account's common needs may sum."""
    if ctx.requested.height == ctx.accounts.height:
        return []
    # A handful of rows: Series and Python, not queries.
    services = ctx.account_services["service"]
    mine = set(services.filter(ctx.account_services["account_id"].is_in(ctx.requested["account_id"].implode())).to_list())
    resource = dict(zip(rule_params["rule_id"].to_list(), rule_params["resource"].to_list(), strict=True))
    rules = zip(ctx.rules["rule_id"].to_list(), ctx.rules["service"].to_list(), ctx.rules["method"].to_list(),
                strict=True)
    return sorted({resource[r] for r, s, m in rules if m in DISTRIBUTED and s in mine and resource.get(r)})


def _run(
    by_method: dict[str, pl.DataFrame], ctx: Context, methods: list[str],
    individual: pl.DataFrame | None, found: list[pl.DataFrame],
) -> pl.DataFrame:
    """Run each method on its segments; a Python loop over a handful of methods, not accounts."""
    outs = [empty_lines()]
    for name in methods:
        part = by_method.get(name)
        if part is None:
            continue
        produced, trouble = METHODS[name](part, ctx, individual)
        outs.append(produced)
        found.append(trouble)
    return pl.concat(outs)


def _bad_rule_problems(segs: pl.DataFrame, bad_rules: pl.DataFrame) -> pl.DataFrame:
    hit = segs.select("account_id", "service", "rule_id").join(bad_rules, on="rule_id")
    if hit.is_empty():
        return problems.empty()
    return hit.select("account_id", pl.col("service").cast(pl.Utf8), "code", "params").unique(
        subset=["account_id", "service", "code"], keep="first", maintain_order=True
    )


def _finish(rounded: pl.DataFrame, found: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    keep = rounded.lazy()
    if ctx.requested.height < ctx.accounts.height:
        found = found.join(ctx.requested, on="account_id", how="semi")
        keep = keep.join(ctx.requested.lazy(), on="account_id", how="semi")
    if not found.is_empty():
        keep = keep.join(problems.keys(found, ctx.codes.service), on=["account_id", "service"],
                         how="anti")
    keep = keep.rename({"norm_used": "norm"}).with_columns(pl.lit(ctx.start).alias("ref_period"))
    return collect(explain.finish(keep)), problems.finish(found, ctx.accounts)


def combine(results: list[CalcResult]) -> CalcResult:
    """Several results (units calculated apart, each with its own code tables) as one.

    The service, supplier and reason codes are those of the union of the tables; the timings add up.
    """
    if len(results) == 1:
        return results[0]
    services = tuple(sorted({s for r in results for s in r.codes.services}))
    suppliers = tuple(sorted({s for r in results for s in r.codes.suppliers}))
    reasons = tuple(sorted({s for r in results for s in r.codes.reasons}))
    expressions = {k: v for r in results for k, v in r.codes.expressions.items()}
    codes = Codes(services, suppliers, expressions, reasons)
    frames = []
    for r in results:
        remap = {"service": (r.codes.services, services), "supplier": (r.codes.suppliers, suppliers),
                 "reason_code": (r.codes.reasons, reasons)}
        frames.append(r.frame.with_columns(
            pl.col(c).replace_strict({i: new.index(v) for i, v in enumerate(old)} or {-1: -1}, default=None,
                                     return_dtype=r.frame.schema[c]) for c, (old, new) in remap.items()
        ))
    timings: dict[str, float] = {}
    for r in results:
        for stage, seconds in r.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds
    return CalcResult(frame=pl.concat(frames), problems=pl.concat([r.problems for r in results]), timings=timings,
                      codes=codes, numbers=pl.concat([r.numbers for r in results]).unique("account_id", keep="first"))
