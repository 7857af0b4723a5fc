"""validate_expression: unknown inputs and functions are named in Russian; safe text passes."""

from __future__ import annotations

from raschet.engine import validate_expression


def test_good_expressions_pass():
    assert validate_expression("area * share * tariff * days / period_days") == []
    assert validate_expression("round(greatest(norm, 0.5) * residents * tariff, 2)") == []
    assert validate_expression("CASE WHEN residents > 0 THEN residents ELSE 1 END * norm * tariff") == []
    assert validate_expression("coef * area * tariff", parameters=["coef"]) == []


def test_unknown_input_is_named():
    (message,) = validate_expression("area * rate")
    assert "rate" in message and "Неизвестная входная величина" in message


def test_unknown_or_unsafe_function_is_refused():
    (message,) = validate_expression("sqrt(area) * tariff")
    assert "sqrt" in message
    assert validate_expression("area::float")
    assert validate_expression("area; drop table x")
    assert validate_expression("(select 1)")
    assert validate_expression("'text'")


def test_syntax_error_is_reported():
    (message,) = validate_expression("area * ")
    assert "Ошибка в формуле" in message


def test_formula_amount_is_rounded_half_up_once():
    from decimal import Decimal as D

    from engine_helpers import add, amounts, run, supply, world

    t = world(area="100")
    supply(t, "maintenance", supplier="UK")
    add(t, "tariffs", service="maintenance", supplier="UK", valid_from="2026-01-01", value="1")
    add(t, "rules", service="maintenance", method="formula", valid_from="2026-01-01",
        params={"expression": "area * 0.00025"})
    assert amounts(run(t, "2026-03")) == [D("0.03")]  # 0.025: HALF_UP, not banker's 0.02


def test_formula_without_tariff_needs_no_tariff():
    from decimal import Decimal as D

    from engine_helpers import add, amounts, run, supply, world

    t = world(area="60")
    supply(t, "maintenance", supplier="UK")
    add(t, "rules", service="maintenance", method="formula", valid_from="2026-01-01",
        params={"expression": "area * 10 * days / period_days"})
    result = run(t, "2026-03")
    assert result.problems.is_empty()
    assert amounts(result) == [D("600.00")]
    assert result.lines["tariff"].to_list() == [None]
