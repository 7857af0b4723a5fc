"""Stage 2, validation: rule methods and parameters checked once per rule, not once per account.

Each rule's ``params`` JSON is parsed here into typed columns (factor, band thresholds, heating
mode, resource, expression) so that the methods only join them.  A rule that cannot be used —
unknown method, broken params, an invalid formula — becomes a row of ``bad_rules``; every
(account, service) whose segment resolves to it gets a problem row later, while everything else
is calculated.  Rules are a handful of rows, so a Python loop over them is fine.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import polars as pl

from raschet.domain.money import dec
from raschet.engine.fixed import AREA, VOLUME, from_decimal
from raschet.engine.methods import METHODS
from raschet.engine.methods.formula import expression_problems

DEFAULT_FACTOR = Decimal("1.5")
DEFAULT_BANDS = (Decimal("3900"), Decimal("6000"))
# Heating season used when a rule in season mode names no months: October to April.
DEFAULT_SEASON = (1, 2, 3, 4, 10, 11, 12)
# What a late meter reading subtracts: the volumes charged for the months without readings, by
# average and by norm (domain.md §1.3 b, §4.3 — the section carries no confidence mark, so a
# region whose practice keeps norm months as charged sets ``late_reading_deducts: ["average"]``).
DEFAULT_DEDUCTS = ("average", "norm")

PARAM_SCHEMA = {
    "rule_id": pl.Int64, "increasing_factor": pl.Int64, "band1": pl.Int64, "band2": pl.Int64,
    "mode": pl.Utf8, "season_count": pl.Int64, "in_season": pl.Boolean, "norm_is_uniform": pl.Boolean,
    "resource": pl.Utf8, "expression": pl.Utf8, "deduct_average": pl.Boolean, "deduct_norm": pl.Boolean,
    "services": pl.List(pl.Utf8),
}
BAD_SCHEMA = {"rule_id": pl.Int64, "code": pl.Utf8, "params": pl.Utf8}


class InvalidParams(ValueError):
    """A rule's params cannot be used; the message is the Russian reason."""


def _number(params: dict[str, Any], key: str, default: Decimal, scale: int) -> int:
    raw = params.get(key, default)
    if isinstance(raw, float):
        raw = repr(raw)  # JSON numbers arrive as floats; their shortest repr is what was written
    try:
        value = dec(raw)
        return from_decimal(value, scale)
    except (TypeError, ValueError) as error:
        raise InvalidParams(f"«{key}» = {raw!r} — ожидается число не более чем с {scale} знаками") from error


def _season(params: dict[str, Any], month: int) -> tuple[int, bool]:
    months = params.get("season_months", list(DEFAULT_SEASON))
    if not isinstance(months, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        raise InvalidParams("«season_months» должен быть списком номеров месяцев 1–12")
    return len(set(months)), month in months


def _deducts(params: dict[str, Any]) -> set[str]:
    sources = params.get("late_reading_deducts", list(DEFAULT_DEDUCTS))
    if not isinstance(sources, list) or not set(sources) <= set(DEFAULT_DEDUCTS):
        raise InvalidParams("«late_reading_deducts» должен быть списком из \"average\" и/или \"norm\"")
    return set(sources)


def parse_params(rule_id: int, method: str, text: str | None, month: int) -> dict[str, Any]:
    """Typed parameters of one rule for the period's month; raises InvalidParams."""
    try:
        params = json.loads(text or "{}")
    except json.JSONDecodeError as error:
        raise InvalidParams(f"параметры не являются JSON-объектом ({error.msg})") from error
    if not isinstance(params, dict):
        raise InvalidParams("параметры должны быть JSON-объектом")
    bands = params.get("bands", list(DEFAULT_BANDS))
    if not isinstance(bands, list) or len(bands) != 2:
        raise InvalidParams("«bands» должен быть списком из двух порогов, например [\"3900\", \"6000\"]")
    mode = params.get("mode", "season")
    if method == "heating" and mode not in ("season", "uniform"):
        raise InvalidParams(f"«mode» = {mode!r} — допустимо season или uniform")
    season_count, in_season = _season(params, month)
    resource = params.get("resource")
    if method == "common_needs" and not isinstance(resource, str):
        raise InvalidParams("не указан «resource» — услуга, по ОДПУ которой считается объём")
    expression = params.get("expression")
    if method == "formula" and not isinstance(expression, str):
        raise InvalidParams("не указано выражение «expression»")
    deducts = _deducts(params)
    services = _services(params) if method == "sum_of" else None
    return {
        "rule_id": rule_id,
        "increasing_factor": _number(params, "increasing_factor", DEFAULT_FACTOR, AREA),
        "band1": _number({"b": bands[0]}, "b", DEFAULT_BANDS[0], VOLUME),
        "band2": _number({"b": bands[1]}, "b", DEFAULT_BANDS[1], VOLUME),
        "mode": mode, "season_count": season_count, "in_season": in_season,
        "norm_is_uniform": bool(params.get("norm_is_uniform", False)),
        "resource": resource, "expression": expression,
        "deduct_average": "average" in deducts, "deduct_norm": "norm" in deducts, "services": services,
    }


def _services(params: dict[str, Any]) -> list[str]:
    """``sum_of``: the services whose volumes are summed."""
    services = params.get("services")
    if not isinstance(services, list) or not services or not all(isinstance(s, str) and s for s in services):
        raise InvalidParams("«services» должен быть непустым списком кодов услуг, например [\"cold_water\", \"hot_water\"]")
    return list(dict.fromkeys(services))


def validate_rules(rules: pl.DataFrame, month: int, parameter_keys: set[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed params per usable rule, bad rules with a problem code and its params)."""
    good, bad = [], []
    for rule_id, method, text in rules.select("rule_id", "method", "params").unique().iter_rows():
        if method not in METHODS:
            known = ", ".join(sorted(METHODS))
            bad.append((rule_id, "unknown_method", json.dumps({"method": method, "known": known})))
            continue
        try:
            parsed = parse_params(rule_id, method, text, month)
        except InvalidParams as error:
            detail = {"method": method, "rule": rule_id, "reason": str(error)}
            bad.append((rule_id, "invalid_params", json.dumps(detail, ensure_ascii=False)))
            continue
        if method == "formula":
            found = expression_problems(parsed["expression"], parameter_keys)
            if found:
                bad.append((rule_id, found[0][0], json.dumps(found[0][1], ensure_ascii=False)))
                continue
        good.append(parsed)
    return (
        pl.DataFrame(good, schema=PARAM_SCHEMA, orient="row"),
        pl.DataFrame(bad, schema=BAD_SCHEMA, orient="row"),
    )
