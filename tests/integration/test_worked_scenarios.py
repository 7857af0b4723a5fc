"""The worked examples of domain.md, played as scenario files and checked against their expected figures.

Every ``tests/scenarios/NAME.json`` that has a ``NAME.expected.json`` next to it is run through
``run_scenario`` and compared with the expected file:

``{"accounts": {"NUMBER": {"entries": [...], "balances": {...}}}, "errors": [{"code": ...}]}``

- ``entries``: the account's result entries, projected on the keys each expected entry uses, must
  equal the expected list exactly and in order (so an expected file lists ALL entries of an account).
  A key whose expected value is ``null`` must be absent (e.g. ``"excess_amount": null``: no excess);
  the value ``"*"`` only asks for a present, non-empty value (e.g. a recalculation's ``reason``).
- ``balances``: each named period's named fields must match.
- ``allocations``, ``advance``, ``designated_advance``: when given, equal to the result's (``null``:
  the key must be absent).
- ``errors``: when given, the set of error codes must equal the expected one.
- ``penalty_statements``: when given, the account's statements in timeline order; each expected key
  (``as_of``, ``total``, ``rows`` — every row, in order —, ``payments``) must equal the result's.

The expected figures come from domain.md, never from what the program printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from raschet.scenarios.loader import read_scenario
from raschet.scenarios.runner import run_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
ANY = "*"


def expected_files() -> list[Path]:
    return sorted(p for p in SCENARIOS.glob("*.json")
                  if not p.name.endswith(".expected.json") and p.with_suffix(".expected.json").exists())


def project(entry: dict, keys) -> dict:
    return {key: entry.get(key) for key in keys}


def entry_matches(actual: dict, expected: dict) -> bool:
    for key, want in expected.items():
        got = actual.get(key)
        if want == ANY:
            if got in (None, ""):
                return False
        elif got != want:
            return False
    return True


def _lines(entries: list[dict]) -> str:
    return "\n".join(f"    [{i}] {json.dumps(e, ensure_ascii=False, sort_keys=True)}" for i, e in enumerate(entries))


def entry_problems(number: str, actual: list[dict], expected: list[dict]) -> list[str]:
    if len(actual) == len(expected) and all(entry_matches(a, e) for a, e in zip(actual, expected, strict=True)):
        return []
    union = list(dict.fromkeys(key for e in expected for key in e))
    shown = [project(a, expected[i].keys() if i < len(expected) else union) for i, a in enumerate(actual)]
    diffs = []
    for i in range(max(len(actual), len(expected))):
        want = expected[i] if i < len(expected) else None
        got = shown[i] if i < len(shown) else None
        if want is None or got is None or not entry_matches(actual[i], want):
            if want is not None and got is not None:
                fields = ", ".join(f"{k}: expected {want[k]!r}, got {got.get(k)!r}"
                                   for k in want if not entry_matches({k: got.get(k)}, {k: want[k]}))
                diffs.append(f"    entry [{i}]: {fields}")
            elif want is None:
                diffs.append(f"    entry [{i}]: unexpected {json.dumps(got, ensure_ascii=False)}")
            else:
                diffs.append(f"    entry [{i}]: missing {json.dumps(want, ensure_ascii=False)}")
    return [f"account {number}: entries differ ({len(actual)} got, {len(expected)} expected)\n" + "\n".join(diffs)
            + f"\n  expected:\n{_lines(expected)}\n  got (projected):\n{_lines(shown)}"]


def balance_problems(number: str, actual: dict, expected: dict) -> list[str]:
    found = []
    for period, fields in expected.items():
        got = actual.get(period)
        if got is None:
            found.append(f"account {number}: no balance for {period} (have {sorted(actual)})")
            continue
        for name, want in fields.items():
            if got.get(name) != want:
                found.append(f"account {number}: balance {period}.{name} expected {want!r}, got {got.get(name)!r}")
    return found


def statement_problems(number: str, actual: list[dict], expected: list[dict]) -> list[str]:
    if len(actual) != len(expected):
        return [f"account {number}: {len(actual)} penalty statements, expected {len(expected)}"]
    found = []
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        for key, value in want.items():
            if got.get(key) != value:
                found.append(f"account {number}: penalty_statements[{index}].{key} expected\n"
                             f"{json.dumps(value, ensure_ascii=False, indent=1)}\n  got\n"
                             f"{json.dumps(got.get(key), ensure_ascii=False, indent=1)}")
    return found


def compare(result: dict, expected: dict) -> list[str]:
    found = []
    for number, want in expected.get("accounts", {}).items():
        account = result["accounts"].get(number)
        if account is None:
            found.append(f"account {number}: not in the result (have {sorted(result['accounts'])})")
            continue
        if "entries" in want:
            found += entry_problems(number, account["entries"], want["entries"])
        if "balances" in want:
            found += balance_problems(number, account["balances"], want["balances"])
        for key in ("allocations", "advance", "designated_advance"):
            if key in want and account.get(key) != want[key]:
                found.append(f"account {number}: {key} expected {json.dumps(want[key], ensure_ascii=False)}, "
                             f"got {json.dumps(account.get(key), ensure_ascii=False)}")
        if "penalty_statements" in want:
            found += statement_problems(number, account["penalty_statements"], want["penalty_statements"])
    if "errors" in expected:
        want_codes = {e["code"] for e in expected["errors"]}
        got_codes = {e["code"] for e in result["errors"]}
        if want_codes != got_codes:
            found.append(f"errors: expected codes {sorted(want_codes)}, got {sorted(got_codes)}: "
                         + json.dumps(result["errors"], ensure_ascii=False))
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", expected_files(), ids=lambda p: p.stem)
def test_worked_scenario(path: Path):
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = run_scenario(read_scenario(path))
    assert result["format"] == "raschet-result/1"
    problems = compare(result, expected)
    title = read_scenario(path).get("title", "")
    assert not problems, f"{path.name} ({title}):\n" + "\n".join(problems)


def test_every_worked_example_has_a_file():
    names = {p.stem for p in expected_files()}
    assert "cold_water_meter" in names
    assert sum(name.startswith("we_") for name in names) >= 17


def test_command_line_run_prints_a_result(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RASCHET_DATABASE_URL"}
    env["TMPDIR"] = str(tmp_path)
    run = subprocess.run([sys.executable, "-m", "raschet.cli", "scenario", "run", str(SCENARIOS / "we_5_5_gas.json")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["format"] == "raschet-result/1"
    assert [e["amount"] for e in result["accounts"]["1000000001"]["entries"]] == ["160.00"]
