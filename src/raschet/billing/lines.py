"""The engine's lines as ChargeLine rows: codes to ids and texts, the explanation JSON made from the
typed columns by the engine's own explanation (``raschet.engine.explain``), never edited as text."""

from __future__ import annotations

import polars as pl

from raschet.domain.periods import Period
from raschet.engine import CalcResult, explain
from raschet.engine.codes import KINDS, METHODS, SOURCES, ZONES, Codes
from raschet.engine.fixed import to_decimal


def _json_piece(key: str, value: pl.Expr) -> pl.Expr:
    """``"key":"value"`` (null when the value is): for texts that never need escaping."""
    return pl.concat_str([pl.lit(f'"{key}":"'), value, pl.lit('"')])


def stored_explanation(lines: pl.DataFrame, codes: Codes, why: pl.DataFrame | None = None) -> pl.Series:
    """ChargeLine.explanation of each line, as JSON text: the engine's key/value explanation
    (``engine.explain.explanation``, or ``why`` when the caller made it already) without the method
    and volume source the row has as columns, and without the keys that have no value."""
    why = explain.explanation(lines, codes) if why is None else why
    note = pl.struct(pl.col("примечание")).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
    pieces = [_json_piece("дни", pl.col("дни")), _json_piece("расчёт", pl.col("расчёт")),
              pl.when(pl.col("примечание").is_not_null()).then(note),
              *[_json_piece(c, pl.col(c)) for c in explain.INPUT_LABELS]]
    text = pl.concat_str([pl.lit("{"), pl.concat_str(pieces, separator=",", ignore_nulls=True), pl.lit("}")])
    return why.select(text.alias("explanation")).to_series()


def line_frame(run_id: int, period: Period, result: CalcResult, ids: dict) -> pl.DataFrame:
    """The engine's lines as ChargeLine rows, column-wise from their typed columns: codes to ids and
    texts, the explanation JSON built by the engine's explanation, reductions posted as recalculations."""
    lines, codes = result.frame, result.codes
    services = {i: ids["services"][c] for i, c in enumerate(codes.services) if c in ids["services"]}
    suppliers = {i: ids["suppliers"][c] for i, c in enumerate(codes.suppliers) if c in ids["suppliers"]}
    why = explain.explanation(lines, codes)
    charge = pl.col("kind") == KINDS.index("charge")
    texts = {c: dict(enumerate(t)) for c, t in (("zone", ZONES), ("method", METHODS), ("volume_source", SOURCES))}
    stored = lines.with_columns(why["примечание"].alias("_note"), stored_explanation(lines, codes, why))
    return stored.select(
        pl.lit(run_id, pl.Int64).alias("run_id"), "account_id",
        pl.col("service").replace_strict(services, return_dtype=pl.Int64).alias("service_id"),
        pl.col("supplier").replace_strict(suppliers, return_dtype=pl.Int64).alias("supplier_id"),
        pl.lit(str(period)).alias("period"), pl.col("ref_period").dt.strftime("%Y-%m").fill_null(str(period)),
        pl.when(charge).then(pl.lit("charge")).otherwise(pl.lit("recalc")).alias("kind"),
        *[pl.col(c).replace_strict(t, return_dtype=pl.Utf8).alias(c) for c, t in texts.items()],
        pl.col("band").cast(pl.Int16), "date_from", "date_to", "days",
        *[to_decimal(pl.col(c), s).alias(c) for c, s in (("volume", 6), ("tariff", 6), ("factor", 4), ("amount", 2),
                                                         ("excess_amount", 2))],
        pl.when(charge).then(pl.lit("")).otherwise(pl.col("_note").fill_null("")).alias("reason"), "explanation",
    ).select("run_id", "account_id", "service_id", "supplier_id", "period", "ref_period", "kind", "zone", "band",
             "date_from", "date_to", "days", "method", "volume_source", "volume", "tariff", "factor", "amount",
             "excess_amount", "reason", "explanation")
