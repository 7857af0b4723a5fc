"""The ``formula`` method: a safe expression over named inputs, compiled by Polars SQL.

The expression (``params.expression``) gives the line's amount before rounding, e.g.
``area * share * tariff * days / period_days``.  Inputs: :data:`INPUTS` plus any dated
parameter key (account beats premises beats building).  Safety comes from checking the text
before Polars ever sees it: only identifiers, numbers, arithmetic, comparisons and CASE; every
function must be on :data:`FUNCTIONS`; every name must be a known input.  Inputs are Decimal
columns, so evaluation is exact decimal arithmetic, never float.  ``volume`` is the segment's
individual norm volume (0 without a norm); the line's volume_source is "formula".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from raschet.engine import problems
from raschet.engine.amounts import single_tariff
from raschet.engine.context import Context
from raschet.engine.fixed import AREA, MONEY, VOLUME, to_decimal
from raschet.engine.lookup import dated, most_specific
from raschet.engine.methods.base import empty_lines, lines, norm_volume

INPUTS = ("area", "share", "residents", "norm", "tariff", "volume", "days", "period_days")
FUNCTIONS = frozenset({"round", "least", "greatest", "abs", "coalesce"})
KEYWORDS = frozenset({"case", "when", "then", "else", "end", "and", "or", "not", "null"})
_TOKEN = re.compile(r"\s+|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>\d+(\.\d+)?)|(?P<op><=|>=|<>|!=|[-+*/(),<>=])")
_SCOPES = (("account", "account_id", 3), ("premises", "premises_id", 2), ("building", "building_id", 1))


def _names(text: str) -> tuple[list[str], list[str], str | None]:
    """(functions called, other names, first illegal character or None)."""
    functions, names, position = [], [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return functions, names, text[position]
        if match.group("name"):
            rest = text[match.end():].lstrip()
            (functions if rest.startswith("(") else names).append(match.group("name"))
        position = match.end()
    return functions, names, None


def expression_problems(text: str | None, parameters: Iterable[str] = ()) -> list[tuple[str, dict[str, str]]]:
    """(code, template params) for each problem of ``text``; empty when it can be used."""
    if not text or not text.strip():
        return [("invalid_expression", {"expression": text or "", "reason": "выражение пустое"})]
    known = set(INPUTS) | set(parameters)
    functions, names, illegal = _names(text)
    if illegal is not None:
        return [("invalid_expression", {"expression": text, "reason": f"недопустимый символ «{illegal}»"})]
    found: list[tuple[str, dict[str, str]]] = []
    for name in functions:
        if name.lower() not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            reason = f"функция «{name}» не разрешена; разрешены: {allowed}"
            found.append(("invalid_expression", {"expression": text, "reason": reason}))
    for name in names:
        if name.lower() not in KEYWORDS and name not in known:
            found.append(("unknown_input", {"name": name, "known": ", ".join(sorted(known))}))
    if found:
        return found
    try:
        expr = pl.sql_expr(text)
        roots = set(expr.meta.root_names())
    except Exception as error:  # Polars reports parse errors with several exception types
        return [("invalid_expression", {"expression": text, "reason": str(error).splitlines()[0]})]
    return [("unknown_input", {"name": n, "known": ", ".join(sorted(known))}) for n in sorted(roots - known)]


def validate_expression(text: str, parameters: Iterable[str] = ()) -> list[str]:
    """Russian messages for a ``formula`` rule's expression; empty when it is fine."""
    return [problems.make(code, "formula", **params).message for code, params in expression_problems(text, parameters)]


def _parameters(segs: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Segments with one Decimal column per parameter key in force on date_from."""
    keys = ctx.parameters["key"].unique().to_list()
    if not keys:
        return segs
    parts = []
    for scope, column, priority in _SCOPES:
        table = ctx.parameters.filter(pl.col("scope") == scope).rename({"object_id": column})
        hits = dated(segs.select("seg_id", column, "date_from"), table.drop("scope"), [column])
        parts.append(hits.select("seg_id", "key", "value", pl.lit(priority).alias("priority")))
    best = most_specific(pl.concat(parts), ["seg_id", "key"], pl.col("priority"))
    wide = best.with_columns(to_decimal(pl.col("value"), VOLUME)).pivot(on="key", index="seg_id", values="value")
    missing = [k for k in keys if k not in wide.columns]
    wide = wide.with_columns([pl.lit(None, dtype=pl.Decimal(38, VOLUME)).alias(k) for k in missing])
    return segs.join(wide, on="seg_id", how="left")


def _tariffs(segs: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The "total" tariff for segments whose expression uses ``tariff`` (only they need one)."""
    expressions = segs["expression"].unique().to_list()
    using = [e for e in expressions if "tariff" in pl.sql_expr(e).meta.root_names()]
    need = segs.filter(pl.col("expression").is_in(using))
    rest = segs.filter(~pl.col("expression").is_in(using)).with_columns(pl.lit(None, dtype=pl.Int64).alias("tariff"))
    priced, found = single_tariff(need, ctx)
    return pl.concat([priced, rest], how="diagonal_relaxed"), found


def formula(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    if segs.is_empty():
        return empty_lines(), problems.empty()
    segs, found = _tariffs(segs, ctx)
    segs = _parameters(segs, ctx).with_columns(
        pl.when(pl.col("norm").is_not_null()).then(norm_volume()).otherwise(pl.lit(0, dtype=pl.Int64)).alias("_volume")
    )
    inputs = segs.with_columns(pl.col("norm").alias("_norm")).with_columns(
        to_decimal(pl.col("area"), AREA).alias("area"), to_decimal(pl.col("share"), VOLUME).alias("share"),
        to_decimal(pl.col("norm"), VOLUME).alias("norm"), to_decimal(pl.col("tariff"), VOLUME).alias("tariff"),
        to_decimal(pl.col("_volume"), VOLUME).alias("volume"),
        *[pl.col(c).cast(pl.Decimal(38, 0)) for c in ("residents", "days", "period_days")],
    )
    outs = []
    for (expression,), part in inputs.group_by(["expression"]):
        # Decimal arithmetic end to end; rounded once, HALF_UP (away from zero) to kopecks.
        value = pl.sql_expr(expression).round(MONEY, mode="half_away_from_zero")
        outs.append(part.with_columns((value * 10**MONEY).cast(pl.Int64).alias("_amount")))
    done = pl.concat(outs)
    found.append(problems.rows(done.filter(pl.col("_amount").is_null()), "invalid_expression",
                               expression=pl.col("expression"), reason=pl.lit("нет значения одной из величин")))
    done = done.filter(pl.col("_amount").is_not_null())
    out = lines(done, volume_source=pl.lit("formula"), volume=pl.col("_volume"), formula_amount=pl.col("_amount"),
                norm_used=pl.col("_norm"), note=pl.lit("formula"))
    return out, pl.concat(found)
