"""Stage 8, explanation: the output columns in Decimal, and a short JSON "why" per line.

The operator screen shows ``explanation``: a JSON object with short Russian keys — способ
(method), источник (volume source), дни (days / period days), расчёт ("volume × tariff × factor
= amount") and примечание (a note: average, replacement, cap, absence, norm reasons).  Readings,
norm, residents, area, share and the building figures are typed columns of their own.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from raschet.engine.fixed import AREA, MONEY, VOLUME, to_decimal
from raschet.engine.lookup import FrameT

D2, D4, D6 = pl.Decimal(38, 2), pl.Decimal(38, AREA), pl.Decimal(38, VOLUME)

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Int64, "number": pl.Utf8, "service": pl.Utf8, "supplier": pl.Utf8, "zone": pl.Utf8,
    "band": pl.Int16, "date_from": pl.Date, "date_to": pl.Date, "days": pl.Int32, "period_days": pl.Int32,
    "method": pl.Utf8, "volume_source": pl.Utf8, "volume": D6, "tariff": D6, "factor": D4, "amount": D2,
    "excess_amount": D2, "kind": pl.Utf8, "reason": pl.Utf8, "area": D4, "share": D6, "residents": pl.Int32,
    "norm": D6, "reading_prev": D6, "reading_cur": D6, "reading_prev_date": pl.Date, "reading_cur_date": pl.Date,
    "building_volume": D6, "individual_volume_sum": D6, "rule_id": pl.Int64, "explanation": pl.Utf8,
}

ZONES = {"total": 0, "day": 1, "night": 2, "peak": 3, "semipeak": 4}
_DECIMALS = {
    "volume": VOLUME, "tariff": VOLUME, "factor": AREA, "amount": MONEY, "excess_amount": MONEY, "area": AREA,
    "share": VOLUME, "norm": VOLUME, "reading_prev": VOLUME, "reading_cur": VOLUME, "building_volume": VOLUME,
    "individual_volume_sum": VOLUME,
}


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Utf8)


def human(expr: pl.Expr) -> pl.Expr:
    """A decimal for people: 10.200000 → "10.2", 100.000000 → "100" (the decimals here always have a point)."""
    return expr.cast(pl.Utf8).str.strip_chars_end("0").str.strip_chars_end(".")


def _number(column: str) -> pl.Expr:
    return human(pl.col(column))


def _explanation() -> pl.Expr:
    """Five short keys; the readings, norm, area and building figures have columns of their own."""
    factor = pl.when(pl.col("factor") != 1).then(pl.format(" × {}", _number("factor"))).otherwise(pl.lit(""))
    product = pl.format("{} × {}{} = {}", _number("volume"), _number("tariff"), factor, _text("amount"))
    calc = pl.when(pl.col("volume_source") == "formula").then(pl.format("формула = {}", _text("amount")))
    fields = [
        _text("method").alias("способ"), _text("volume_source").alias("источник"),
        pl.format("{}/{}", _text("days"), _text("period_days")).alias("дни"), calc.otherwise(product).alias("расчёт"),
        pl.coalesce(pl.col("reason"), pl.col("note")).alias("примечание"),
    ]
    return pl.struct(fields).struct.json_encode()


def finish(lines: FrameT) -> FrameT:
    """The result ``lines`` frame in :data:`OUTPUT_SCHEMA` order and types, sorted by account and service."""
    decimals, explanation, order, output = _finish_exprs()
    converted = lines.with_columns(decimals).with_columns(pl.col("line_kind").alias("kind"))
    return converted.with_columns(explanation).sort(order).select(output)


@cache
def _finish_exprs() -> tuple[list[pl.Expr], pl.Expr, pl.Expr, list[pl.Expr]]:
    """The expressions of :func:`finish`, built once (they are immutable and do not depend on the data)."""
    return (
        [to_decimal(pl.col(c), s).alias(c) for c, s in _DECIMALS.items()],
        _explanation().alias("explanation"),
        _order(),
        [pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()],
    )


def _order() -> pl.Expr:
    """One Int64 sort key: segment, zone, band, then the charge before its reduction.

    seg_id follows (account, service, date_from), so this orders the lines by account and service
    as well; a single integer key sorts several times faster than four columns.
    """
    zone = pl.col("zone").replace_strict(ZONES, default=len(ZONES), return_dtype=pl.Int64)
    band = pl.col("band").fill_null(0).cast(pl.Int64)
    kind = (pl.col("kind") == "reduction").cast(pl.Int64)
    return ((pl.col("seg_id").cast(pl.Int64) * 8 + zone) * 4 + band) * 2 + kind
