"""Errors as data: problem rows collected by the stages and turned into messages at the end.

Stages never raise for one account's data.  They emit problem rows ``(account_id, service, code,
params)`` where ``params`` is a JSON object of the template's placeholders; the pipeline drops
every line of an (account, service) that has a problem, so a bill is never half-computed, and
formats the messages once at the end (problems are few, so a Python loop there is fine).

Templates come from the one vocabulary, ``raschet.domain.errors.CODES``.
"""

from __future__ import annotations

import json

import polars as pl

from raschet.domain.errors import Problem, problem

PROBLEM_SCHEMA = {"account_id": pl.Int64, "service": pl.Utf8, "code": pl.Utf8, "params": pl.Utf8}
RESULT_SCHEMA = {
    "account_id": pl.Int64, "number": pl.Utf8, "service": pl.Utf8,
    "code": pl.Utf8, "message": pl.Utf8, "subject": pl.Utf8,
}


_EMPTY = pl.DataFrame(schema=PROBLEM_SCHEMA)


def empty() -> pl.DataFrame:
    return _EMPTY.clone()  # a clone costs microseconds, a new frame a tenth of a millisecond


def number_text(decimal: pl.Expr) -> pl.Expr:
    """A Decimal column as the messages write a reading (as ``domain.readings.reading_text``): decimal
    comma, no trailing zeros — «155», «155,5»."""
    return (decimal.cast(pl.Utf8).str.replace(r"(\.[0-9]*?)0+$", "${1}").str.replace(r"\.$", "")
            .str.replace(".", ",", literal=True))


def date_text(column: pl.Expr) -> pl.Expr:
    """A date column as «22.11.2026»."""
    return column.dt.strftime("%d.%m.%Y")


def rows(frame: pl.DataFrame, code: str, **params: pl.Expr | str) -> pl.DataFrame:
    """Problem rows for every row of ``frame`` (which has account_id and service)."""
    if frame.is_empty():
        return empty()
    fields = [
        (value if isinstance(value, pl.Expr) else pl.lit(value)).cast(pl.Utf8).alias(name)
        for name, value in params.items()
    ]
    encoded = pl.struct(fields).struct.json_encode() if fields else pl.lit("{}")
    return frame.select(
        pl.col("account_id").cast(pl.Int64),
        pl.col("service").cast(pl.Utf8),
        pl.lit(code).alias("code"),
        encoded.alias("params"),
    ).unique(subset=["account_id", "service", "code"], keep="first", maintain_order=True)


def keys(found: pl.DataFrame | pl.LazyFrame, service: pl.DataType) -> pl.LazyFrame:
    """The distinct (account_id, service) of problem rows, the service as the run's code (to join lines on)."""
    return found.lazy().select("account_id", pl.col("service").cast(service, strict=False)).unique()


def make(code: str, subject: str, **params: object) -> Problem:
    return problem(code, subject, **params)


def finish(raw: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Format collected problem rows into the result frame (one row per account, service, code)."""
    if raw.is_empty():
        return pl.DataFrame(schema=RESULT_SCHEMA)
    raw = raw.unique(subset=["account_id", "service", "code"], keep="first", maintain_order=True)
    raw = raw.join(accounts.select("account_id", "number"), on="account_id", how="left")
    out = []
    for account_id, number, service, code, params in raw.select(
        "account_id", "number", "service", "code", "params"
    ).iter_rows():
        values = json.loads(params or "{}")
        subject = f"ЛС {number}, услуга {service}" if service else f"ЛС {number}"
        if values.get("meter"):
            subject += f", прибор {values['meter']}"
        found = make(code, subject, **values)
        out.append((account_id, number, service, code, f"ЛС {number}: {found.message}", subject))
    return pl.DataFrame(out, schema=RESULT_SCHEMA, orient="row").sort("account_id", "service", "code")
