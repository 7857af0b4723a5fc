"""The commands (penalties accrue/statement, claims select/advance/documents/check), the API and the
turnover sheet show penalties; bad input answers with a message, never a traceback."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.test import Client

from raschet.billing.turnover import turnover
from raschet.claims.models import DebtCase, SelectionRule, Stage
from raschet.domain.periods import Period

from .test_accrual import march_debt
from .world import build

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = stop.code
    return out.getvalue(), err.getvalue(), code


def test_statement_command_prints_json_and_writes_pdf_and_xlsx(tmp_path):
    march_debt()
    out, _, code = run("penalties", "statement", "--account", "1000000001", "--as-of", "2026-07-30",
                       "--pdf", str(tmp_path / "s.pdf"), "--xlsx", str(tmp_path / "s.xlsx"))
    assert code == 0
    assert json.loads(out)["total"] == "153.46"  # unpaid: the same rows as domain.md §6.4 up to 30.07
    assert (tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"
    assert (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"


def test_accrue_command_and_the_turnover_sheet_show_penalties():
    march_debt()
    out, _, code = run("penalties", "accrue", "--period", "2026-05")
    assert code == 0 and "пени за месяц 25.33 ₽" in out and "Прочитана вся история" in out
    [row] = turnover(Period.parse("2026-05"))
    assert row.penalty == D("25.33")
    out, _, code = run("penalties", "accrue", "--period", "2026-06")
    assert code == 0 and "Прочитаны проводки после начисления за прошлый месяц" in out
    out, err, code = run("penalties", "accrue", "--period", "2026-03")
    assert code == 2 and "закрыт" in err


@pytest.mark.parametrize("args", [
    ("penalties", "accrue", "--period", "2026-5"),
    ("penalties", "statement", "--account", "404", "--as-of", "2026-07-30"),
    ("penalties", "statement", "--account", "1", "--as-of", "30.07.2026"),
    ("claims", "advance", "--account", "404", "--stage", "warning"),
    ("claims", "select", "--rule", "нет такого"),
])
def test_bad_input_is_a_message_and_exit_2(args):
    _, err, code = run(*args)
    assert code == 2 and err.strip() and "Traceback" not in err


def test_claims_commands_select_open_advance_documents_check(tmp_path):
    build()
    SelectionRule.objects.create(name="крупные", min_debt=D("10000"))
    out, _, _ = run("claims", "select", "--rule", "крупные", "--on", "2026-05-20", "--open")
    assert "1000000001  долг     15000.00 ₽" in out and "Открыто дел: 1" in out
    out, _, code = run("claims", "advance", "--account", "1000000001", "--stage", "warning", "--service", "hot_water",
                       "--on", "2026-05-20")
    assert code == 0 and "срок 2026-06-09" in out
    _, err, code = run("claims", "advance", "--account", "1000000001", "--stage", "restriction", "--on", "2026-05-21")
    assert code == 2 and "не ранее 09.06.2026" in err
    out, _, _ = run("claims", "documents", "--account", "1000000001", "--on", "2026-05-20", "--out", str(tmp_path))
    assert (tmp_path / "1000000001_warning_20260520.pdf").exists()
    SelectionRule.objects.create(name="в работе", min_debt=D("1"), in_case="yes")
    out, _, _ = run("claims", "documents", "--rule", "в работе", "--on", "2026-05-21", "--out", str(tmp_path))
    assert (tmp_path / "1000000001_warning_20260521.pdf").exists()
    for bad in (["--months", "0"], ["--months", "12", "--interest", "1e30"], ["--months", "12", "--interest", "abc"]):
        _, err, code = run("claims", "instalment", "--account", "1000000001", "--number", "1", "--first-period",
                           "2026-06", "--on", "2026-05-25", *bad)
        assert code == 2 and "Traceback" not in err
    out, _, code = run("claims", "instalment", "--account", "1000000001", "--number", "1", "--months", "3",
                       "--first-period", "2026-06", "--interest", "7,5", "--on", "2026-05-25")
    assert code == 0 and "15000.00 ₽ на 3 мес., 7.5 % годовых" in out and "2026-06: до 10.07.2026" not in out
    assert "2026-06: до 15.07.2026 5000.00 + 93.75 ₽" in out  # 15,000 × 7.5 % / 12 = 93.75
    out, _, _ = run("claims", "check", "--on", "2026-07-16")
    assert "Просроченных рассрочек (дела возвращены в работу): 1" in out
    assert DebtCase.objects.get().stage == Stage.WARNING


def test_api_statement_and_summary(monkeypatch):
    march_debt()
    monkeypatch.setenv("RASCHET_API_KEYS", "k1")
    client = Client()
    answer = client.get("/api/v1/accounts/1000000001/penalties", {"as_of": "2026-07-30"}, HTTP_X_API_KEY="k1")
    assert answer.status_code == 200 and answer.json()["total"] == "153.46"
    summary = client.get("/api/v1/accounts/1000000001/claims", {"as_of": "2026-07-30"}, HTTP_X_API_KEY="k1").json()
    assert (summary["penalty_as_of"], summary["penalty_posted"], summary["case"]) == ("153.46", "0.00", None)
    assert client.get("/api/v1/accounts/1000000001/penalties", {"as_of": "2026-07-30"}).status_code == 401
    assert client.get("/api/v1/accounts/404/penalties", {"as_of": "2026-07-30"}, HTTP_X_API_KEY="k1").status_code \
        in (400, 404)
