"""Stage 8, explanation: the lines in their stored form, and the human text made from it on demand.

The engine's lines leave it with typed, integer-coded columns only (:data:`LINE_SCHEMA`): codes
of ``codes.py`` for service, supplier, zone, method, volume source, kind and the note; money in
kopecks, volumes, readings, norms, tariffs and shares in 10⁻⁶, areas and hours in 10⁻⁴ / 10⁻²,
the factor in 10⁻⁴; days, residents, dates and the note's figures as typed columns.  No text is
built per line.

People read two things, both made here, from those columns only, by :func:`explanation`:

* the key/value explanation — способ, источник, дни (days / period days), расчёт ("volume ×
  tariff × factor = amount"), примечание (the note's sentence) and the inputs used (area, share,
  residents, norm, readings and their dates, building volume, Σ individual volumes, rule);
* the one-sentence explanation (:func:`sentence`): расчёт, примечание, then the inputs.

:func:`readable` turns a whole result into the frame of :data:`OUTPUT_SCHEMA` (Decimals and
codes as text, the short JSON explanation) — what tests and the what-if report read.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from raschet.engine.codes import KINDS, METHOD, METHODS, NOTES, SOURCES, ZONES, Codes
from raschet.engine.fixed import AREA, MONEY, VOLUME, to_decimal
from raschet.engine.methods.base import PARTS

D2, D4, D6 = pl.Decimal(38, 2), pl.Decimal(38, AREA), pl.Decimal(38, VOLUME)
I16 = pl.Int16

LINE_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Int64, "service": pl.UInt16, "supplier": pl.UInt16, "zone": pl.UInt8, "band": pl.Int8,
    "kind": pl.UInt8, "ref_period": pl.Date, "date_from": pl.Date, "date_to": pl.Date, "days": I16,
    "period_days": I16, "method": pl.UInt8, "volume_source": pl.UInt8, "note": pl.UInt8, "rule_id": pl.Int64,
    "volume": pl.Int64, "tariff": pl.Int64, "factor": pl.Int32, "amount": pl.Int64, "excess_amount": pl.Int64,
    "area": pl.Int64, "share": pl.Int64, "residents": pl.Int32, "norm": pl.Int64,
    "reading_prev": pl.Int64, "reading_cur": pl.Int64, "reading_prev_date": pl.Date, "reading_cur_date": pl.Date,
    "building_volume": pl.Int64, "individual_volume_sum": pl.Int64,
    # The note's figures: a late reading, the average, uniform heating, an absence, an interruption,
    # a recalculation (base = what was posted or charged, actual = what it is now).
    "measured": pl.Int64, "deducted_average": pl.Int64, "deducted_norm": pl.Int64, "months_average": I16,
    "months_norm": I16, "gap_months": I16, "gap_month": I16, "average": pl.Int64, "average_months": I16,
    "season_count": I16, "absent_days": I16, "reason_code": pl.Int32, "hours": pl.Int64, "percent": pl.Int64,
    "base_amount": pl.Int64, "actual_amount": pl.Int64,
    # A sum's parts (sum_of): each part's service, volume and source (the last slot may be the rest).
    **{f"part{i}_{name}": dtype for i in range(1, PARTS + 1)
       for name, dtype in (("service", pl.UInt16), ("volume", pl.Int64), ("source", pl.UInt8))},
}
CODED = {"zone": ZONES, "method": METHODS, "volume_source": SOURCES, "kind": KINDS, "note": NOTES}
_SCALES = {
    "volume": VOLUME, "tariff": VOLUME, "factor": AREA, "amount": MONEY, "excess_amount": MONEY, "area": AREA,
    "share": VOLUME, "norm": VOLUME, "reading_prev": VOLUME, "reading_cur": VOLUME, "building_volume": VOLUME,
    "individual_volume_sum": VOLUME,
}
# The inputs shown after the calculation, in this order, with their labels in the sentence.
INPUT_LABELS = {
    "area": "площадь", "share": "доля", "residents": "проживает", "norm": "норматив",
    "reading_prev": "показание было", "reading_cur": "показание стало", "reading_prev_date": None,
    "reading_cur_date": None, "building_volume": "ОДПУ", "individual_volume_sum": "Σ ИПУ", "rule_id": None,
}

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Int64, "number": pl.Utf8, "service": pl.Utf8, "supplier": pl.Utf8, "zone": pl.Utf8,
    "band": pl.Int16, "date_from": pl.Date, "date_to": pl.Date, "days": pl.Int32, "period_days": pl.Int32,
    "method": pl.Utf8, "volume_source": pl.Utf8, "volume": D6, "tariff": D6, "factor": D4, "amount": D2,
    "excess_amount": D2, "kind": pl.Utf8, "reason": pl.Utf8, "area": D4, "share": D6, "residents": pl.Int32,
    "norm": D6, "reading_prev": D6, "reading_cur": D6, "reading_prev_date": pl.Date, "reading_cur_date": pl.Date,
    "building_volume": D6, "individual_volume_sum": D6, "rule_id": pl.Int64, "explanation": pl.Utf8,
}


def human(expr: pl.Expr) -> pl.Expr:
    """A decimal for people: 10.200000 → "10.2", 100.000000 → "100" (the decimals here always have a point)."""
    return expr.cast(pl.Utf8).str.strip_chars_end("0").str.strip_chars_end(".")


def _dec(column: str, scale: int) -> pl.Expr:
    return to_decimal(pl.col(column), scale)


def _figure(column: str, scale: int = VOLUME) -> pl.Expr:
    return human(_dec(column, scale))


def _money(column: str) -> pl.Expr:
    return _dec(column, MONEY).cast(pl.Utf8)


def _decoded(column: str, table: tuple[str, ...]) -> pl.Expr:
    return pl.col(column).replace_strict(dict(enumerate(table)), default=None, return_dtype=pl.Utf8)


def _note_text(codes: Codes) -> pl.Expr:
    """The note's sentence, from the note code and its figures."""
    texts = {
        "late_reading": pl.format(
            "показание после {} мес. без показаний: из расхода {} вычтено начисленное за эти месяцы — "
            "по среднему {} ({} мес.), по нормативу {} ({} мес.)", pl.col("gap_months"), _figure("measured"),
            _figure("deducted_average"), pl.col("months_average"), _figure("deducted_norm"), pl.col("months_norm")),
        "replaced_meter": pl.lit("замена прибора: расход по снятому и по новому прибору"),
        "average": pl.format("нет показаний ({}-й месяц): среднемесячный расход за {} мес. {}", pl.col("gap_month"),
                             pl.col("average_months"), _figure("average")),
        "no_meter": pl.lit("прибора учёта нет: по нормативу"),
        "broken_meter": pl.lit("прибор неисправен или не поверен: по нормативу"),
        "no_readings": pl.lit("показаний нет более 3 месяцев или мало истории: по нормативу"),
        "uniform_meter": pl.lit("равномерно: 1/12 объёма ОДПУ за прошлый год"),
        "uniform_norm": pl.format("равномерно: норматив × {}/12", pl.col("season_count")),
        "common_by_norm": pl.lit("ОДПУ нет или нет показаний: по нормативу"),
        "common_capped": pl.lit("объём ограничен нормативом; превышение несёт УК"),
        "common_zero": pl.lit("ОДПУ меньше суммы индивидуальных объёмов: 0"),
        "formula": pl.format("формула: {}", pl.col("rule_id").replace_strict(
            codes.expressions or {-1: ""}, default=None, return_dtype=pl.Utf8)),
        "absence": pl.format("Временное отсутствие: {} дн.", pl.col("absent_days")),
        "interruption": pl.format("Снижение платы: {}, {} ч × {} % от {}", _decoded("reason_code", codes.reasons),
                                  _money("hours"), _figure("percent", AREA), _money("base_amount")),
        "recalc": pl.format("Перерасчёт за {}: было {}, стало {}", pl.col("ref_period").dt.strftime("%Y-%m"),
                            _money("base_amount"), _money("actual_amount")),
        "heating_correction": pl.format("Корректировка платы за отопление за {} год: по ОДПУ {}, начислено {}",
                                        pl.col("date_from").dt.year(), _money("actual_amount"),
                                        _money("base_amount")),
        "sum_of": pl.format("сумма объёмов: {}", _parts_text(codes)),
    }
    note = pl.col("note")
    text = pl.when(note.is_null()).then(pl.lit(None, dtype=pl.Utf8))
    for name, expr in texts.items():
        text = text.when(note == NOTES.index(name)).then(expr)
    return text.otherwise(pl.lit(None, dtype=pl.Utf8))


def _parts_text(codes: Codes) -> pl.Expr:
    """ "cold_water 7.333 (meter) + hot_water 2.5 (meter)": a sum's parts, "прочие" for the rest."""
    parts = []
    for i in range(1, PARTS + 1):
        service = _decoded(f"part{i}_service", codes.services).fill_null("прочие")
        text = pl.format("{} {} ({})", service, _figure(f"part{i}_volume"), _decoded(f"part{i}_source", SOURCES))
        parts.append(pl.when(pl.col(f"part{i}_volume").is_not_null()).then(text))
    return pl.concat_str(parts, separator=" + ", ignore_nulls=True)


def _calculation() -> pl.Expr:
    factor = pl.when(pl.col("factor") != 10_000).then(pl.format(" × {}", _figure("factor", AREA))).otherwise(pl.lit(""))
    product = pl.format("{} × {}{} = {}", _figure("volume"), _figure("tariff"), factor, _money("amount"))
    formula = pl.col("volume_source") == SOURCES.index("formula")
    return pl.when(formula).then(pl.format("формула = {}", _money("amount"))).otherwise(product)


def _inputs() -> list[pl.Expr]:
    exprs = []
    for column in INPUT_LABELS:
        value = _dec(column, _SCALES[column]) if column in _SCALES else pl.col(column)
        exprs.append(value.cast(pl.Utf8).alias(column))
    return exprs


def explanation(lines: pl.DataFrame | pl.LazyFrame, codes: Codes) -> pl.DataFrame | pl.LazyFrame:
    """The key/value explanation of each line, as text columns (null where a key has no value).

    способ, источник, дни, расчёт, примечание, then the inputs of :data:`INPUT_LABELS`; one row per
    line, in order.  The one function that turns a line's typed columns into what people read.
    """
    return lines.select(
        _decoded("method", METHODS).alias("способ"), _decoded("volume_source", SOURCES).alias("источник"),
        pl.format("{}/{}", pl.col("days"), pl.col("period_days")).alias("дни"), _calculation().alias("расчёт"),
        _note_text(codes).alias("примечание"), *_inputs(),
    )


def sentence(explained: dict[str, str | None]) -> str:
    """The one-sentence explanation of a line from its key/value explanation (a row of :func:`explanation`)."""
    head = [str(explained[key]) for key in ("расчёт", "примечание") if explained.get(key)]
    labels = {**{k: v for k, v in INPUT_LABELS.items() if v}, "дни": "дней"}
    tail = [f"{label} {explained[key]}" for key, label in labels.items() if explained.get(key) not in (None, "")]
    return "; ".join(head + tail)


def readable(lines: pl.DataFrame, codes: Codes, numbers: pl.DataFrame) -> pl.DataFrame:
    """The lines for people and tests: :data:`OUTPUT_SCHEMA` (codes as text, Decimals, a JSON "why")."""
    why = explanation(lines, codes)
    short = pl.struct([pl.col(c) for c in ("способ", "источник", "дни", "расчёт", "примечание")])
    text = why.select(short.struct.json_encode().alias("explanation"), pl.col("примечание"))
    charge = pl.col("kind") == KINDS.index("charge")
    out = pl.concat([lines, text], how="horizontal").join(numbers, on="account_id", how="left", maintain_order="left")
    return out.select(
        pl.col("account_id"), pl.col("number"),
        _decoded("service", codes.services).alias("service"), _decoded("supplier", codes.suppliers).alias("supplier"),
        *[_decoded(c, table).alias(c) for c, table in CODED.items() if c != "note"],
        *[_dec(c, s).alias(c) for c, s in _SCALES.items()],
        pl.when(charge).then(pl.lit(None, dtype=pl.Utf8)).otherwise(pl.col("примечание")).alias("reason"),
        *[pl.col(c) for c in OUTPUT_SCHEMA if c in LINE_SCHEMA and c not in _SCALES and c not in CODED
          and c not in ("account_id", "service", "supplier")],
        pl.col("explanation"),
    ).select([pl.col(c).cast(t) for c, t in OUTPUT_SCHEMA.items()])


@cache
def _order() -> pl.Expr:
    """One Int64 sort key: segment, zone, band, then the charge before its reduction."""
    zone = pl.col("zone").to_physical().cast(pl.Int64)
    band = pl.col("band").fill_null(0).cast(pl.Int64)
    kind = (pl.col("line_kind") == "reduction").cast(pl.Int64)
    return ((pl.col("seg_id").cast(pl.Int64) * 8 + zone) * 4 + band) * 2 + kind


def finish(lines: pl.LazyFrame) -> pl.LazyFrame:
    """The engine's lines in :data:`LINE_SCHEMA`, sorted by account, service, date, zone, band, kind.

    ``seg_id`` follows (account, service, date_from), so one integer key orders them all.
    """
    present = set(lines.collect_schema().names()) | {"kind"}
    ordered = lines.sort(_order(), maintain_order=True).with_columns(pl.col("line_kind").alias("kind"))
    return ordered.select([_column(c, c in present).cast(t).alias(c) for c, t in LINE_SCHEMA.items()])


def _column(name: str, present: bool) -> pl.Expr:
    """A column of the stored form: codes as their integers, an absent figure as null."""
    if not present:
        return pl.lit(None)
    if name == "method":
        return pl.col(name).cast(METHOD).to_physical()
    if name in ("zone", "volume_source", "note", "kind", "service", "supplier") or name.endswith("_source"):
        return pl.col(name).to_physical()
    return pl.col(name)


def stored(frame: pl.DataFrame) -> pl.DataFrame:
    """Lines made outside the per-segment stages (corrections, recalculation differences) in
    :data:`LINE_SCHEMA`: ``zone``, ``method``, ``volume_source``, ``note`` and ``line_kind`` given
    as text become their codes, service and supplier (Enums) theirs; absent columns are null."""
    tables = {"zone": ZONES, "method": METHODS, "volume_source": SOURCES, "note": NOTES}
    present = set(frame.columns)
    exprs = []
    for name, dtype in LINE_SCHEMA.items():
        source = "line_kind" if name == "kind" else name
        if source not in present:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        elif name == "kind" or name in tables:
            table = KINDS if name == "kind" else tables[name]
            column = pl.col(source)
            if frame.schema[source] == pl.Utf8:
                column = column.replace_strict({v: i for i, v in enumerate(table)}, return_dtype=pl.Int64)
            else:
                column = column.to_physical()
            exprs.append(column.cast(dtype).alias(name))
        elif name in ("service", "supplier"):
            exprs.append(pl.col(name).to_physical().cast(dtype).alias(name))
        else:
            exprs.append(pl.col(source).cast(dtype).alias(name))
    return frame.select(exprs)
