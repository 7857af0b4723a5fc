"""The scenario step ``penalty_statement``: an unknown account is reported in ``errors`` with its JSON
path and the timeline goes on; without ``key_rates`` the seeded Bank of Russia history applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from raschet.scenarios.loader import read_scenario
from raschet.scenarios.runner import run_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "pen_6_4_worked_example.json"
pytestmark = pytest.mark.django_db(transaction=True)


def test_unknown_account_is_an_error_with_its_path_and_the_rest_runs():
    data = read_scenario(SCENARIO)
    data["timeline"].insert(3, {"penalty_statement": {"account": "9999999999", "as_of": "2026-07-30"}})
    result = run_scenario(data)
    assert [(e["code"], e["subject"]) for e in result["errors"]] == [
        ("unknown_reference", "timeline[3].penalty_statement.account")]
    assert [s["total"] for s in result["accounts"]["1000000001"]["penalty_statements"]] == ["153.46", "0.00"]


def test_without_key_rates_the_seeded_history_gives_the_same_153_46():
    data = read_scenario(SCENARIO)
    data.pop("key_rates")
    statement = run_scenario(data)["accounts"]["1000000001"]["penalty_statements"][0]
    # the seeded key rate on 30.07.2026 is 15.5 % (from 16.02.2026): min(9.5, 15.5) = 9.5
    assert (statement["total"], {r["rate"] for r in statement["rows"]}) == ("153.46", {"9.5"})
    assert any("Банка России" in text for text in statement["legal_basis"])
