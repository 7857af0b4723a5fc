"""Tests for the error vocabulary: codes, templates, problems as data."""

import pytest

from raschet.domain.errors import CODES, Problem, ProblemsError, placeholders, problem

REQUIRED_CODES = {
    "overlap",
    "unknown_reference",
    "not_positive",
    "negative",
    "invalid_value",
    "invalid_date",
    "invalid_period",
    "missing_field",
    "unknown_method",
    "readings_backwards",
    "no_tariff",
    "no_norm",
    "no_rule",
    "no_reading_history",
    "invalid_identifier",
    "invalid_expression",
    "unknown_input",
    "not_supported",
}


def test_required_codes_exist():
    assert REQUIRED_CODES <= CODES.keys()


def test_overlap_message_says_what_and_how_to_fix():
    p = problem(
        "overlap",
        "tariffs[3]",
        what="тарифа",
        first="[2026-01-01, 2026-03-01)",
        second="[2026-02-01, бессрочно)",
    )
    assert p == Problem(
        code="overlap",
        message="Периоды тарифа пересекаются: [2026-01-01, 2026-03-01) и [2026-02-01, бессрочно). "
        "Исправьте даты valid_from/valid_to.",
        subject="tariffs[3]",
    )
    assert p.as_dict() == {"code": "overlap", "message": p.message, "subject": "tariffs[3]"}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_template_formats_with_its_placeholders(code):
    params = {name: f"<{name}>" for name in placeholders(code)}
    message = problem(code, "subject", **params).message
    assert "{" not in message and "}" not in message
    assert any("а" <= ch <= "я" for ch in message.lower())  # user-facing text is Russian


def test_unknown_code_and_missing_parameter_are_programming_errors():
    with pytest.raises(KeyError):
        problem("no_such_code", "x")
    with pytest.raises(KeyError, match="what"):
        problem("overlap", "x", first="a", second="b")


def test_problems_error_lists_one_per_line():
    problems = [
        problem("missing_field", "file.csv:12", field="account"),
        problem("no_tariff", "account 1000000001", service="ХВС", date="2026-03-01"),
    ]
    error = ProblemsError(problems)
    assert error.problems == problems
    assert str(error).splitlines() == [
        "file.csv:12: Не заполнено обязательное поле «account». [missing_field]",
        "account 1000000001: Нет тарифа для услуги «ХВС» на 2026-03-01. "
        "Добавьте тариф, действующий на эту дату. [no_tariff]",
    ]
