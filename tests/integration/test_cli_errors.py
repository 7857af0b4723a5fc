"""No tracebacks (issue 10, item 10), harmless ``--help`` (item 12) and safe settings (item 11): the
``raschet`` command as a user meets it, in real subprocesses."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from raschet.cli import PROJECT_COMMANDS, report_failure

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def environment(var: Path, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RASCHET_")}
    env.update({"RASCHET_VAR_DIR": str(var), "RASCHET_DATABASE_URL": f"sqlite:///{var}/cli.sqlite3",
                "TMPDIR": str(var / "tmp"), **extra})
    (var / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def run_all(commands: list[list[str]], env: dict) -> list[subprocess.CompletedProcess]:
    """Start every command at once (each is a fresh interpreter), then collect them."""
    started = [subprocess.Popen([sys.executable, "-m", "raschet.cli", *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for args in commands]
    done = []
    for args, process in zip(commands, started, strict=True):
        out, err = process.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return done


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_asking_any_project_command_for_help_changes_nothing(tmp_path):
    var = tmp_path / "var"
    env = environment(var)
    run_all([["--help"]], env)  # the installation's key is made once, on first use
    (var / "demo.sqlite3").write_bytes(b"the demo database of yesterday")
    (var / "cli.sqlite3").write_bytes(b"a database that must not be migrated by --help")
    before = snapshot(var)
    commands = [[name, "--help"] for name in PROJECT_COMMANDS] + [
        ["scenario", sub, "--help"] for sub in ("load", "check", "run")] + [
        ["period", sub, "--help"] for sub in ("status", "post", "close")] + [
        ["payments", "import", "--help"], ["payments", "transfers", "--help"], ["report", "turnover", "--help"],
        ["simulate", "tariff", "--help"], ["simulate", "norm", "--help"], ["demo", "-h", "--accounts", "5"]]
    for result in run_all(commands, env):
        assert result.returncode == 0 and result.stdout.strip(), (result.args, result.stderr)
    assert snapshot(var) == before


@pytest.fixture
def files(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "nan.json").write_text('{"format": "raschet-scenario/1", "x": NaN}')
    (tmp_path / "cp1251.json").write_bytes(
        (SCENARIOS / "cold_water_meter.json").read_text(encoding="utf-8").encode("cp1251", errors="replace"))
    return tmp_path


def test_expected_failures_are_russian_messages_with_exit_code_2(files, tmp_path):
    env = environment(tmp_path / "var")
    cases = {
        ("report", "turnover", "--period", "2026-03", "--xlsx", str(tmp_path / "missing" / "x.xlsx")): "папки",
        ("payments", "transfers", "--from", "garbage", "--to", "2026-01-31"): "не дата",
        ("simulate", "tariff", "--period", "2026-03", "--service", "cold_water", "--supplier", "VK", "--value", "abc",
         "--from", "2026-03-01"): "«abc»",
        ("demo", "--database"): "не указано значение",
        ("calc", "--period", "2026-13"): "2026-13",
        ("report", "turnover", "--period", "2026-03", "--to", "2026-01"): "раньше первого",
        ("scenario", "check", str(files / "deep.json")): "вложенность",
        ("scenario", "check", str(files / "nan.json")): "NaN",
        ("scenario", "check", str(files / "cp1251.json")): "Windows-1251",
        ("scenario", "check", str(files / "absent.json")): "absent.json",
        ("payments", "import", str(files / "absent.txt")): "absent.txt",
    }
    for result in run_all([list(args) for args in cases], env):
        expected = cases[tuple(result.args)]
        assert result.returncode == 2, (result.args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr, (result.args, result.stderr)


def test_a_database_that_cannot_be_opened_is_an_expected_failure(tmp_path):
    env = environment(tmp_path / "var", RASCHET_DATABASE_URL=f"sqlite:///{tmp_path}/no/such/folder/x.sqlite3")
    [result] = run_all([["period", "status"]], env)
    assert result.returncode == 2 and "Ошибка базы данных" in result.stderr and "Traceback" not in result.stderr


def test_an_unexpected_failure_is_logged_not_shown(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RASCHET_VAR_DIR", str(tmp_path))
    try:
        {}["missing"]
    except KeyError as error:
        code = report_failure(error, ["calc", "--period", "2026-03"])
    err = capsys.readouterr().err
    assert code == 1 and "Непредвиденная ошибка (KeyError)" in err and str(tmp_path / "errors.log") in err
    assert "Traceback" not in err and "Traceback" in (tmp_path / "errors.log").read_text(encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_unknown_codes_in_simulate_are_refused_not_silently_empty(scenario_path, live_database_env, tmp_path):
    from raschet.scenarios.loader import load_scenario, read_scenario

    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    env = {**live_database_env, "RASCHET_VAR_DIR": str(tmp_path)}
    base = ["simulate", "tariff", "--period", "2026-03", "--service", "cold_water", "--value", "60",
            "--from", "2026-03-01"]
    results = run_all([[*base, "--supplier", "NOPE"], [*base, "--supplier", "VK", "--building", "NOPE"],
                       [*base[:5], "NOPE", *base[6:], "--supplier", "VK"]], env)
    for result in results:
        assert result.returncode == 2 and "«NOPE»" in result.stderr and "Traceback" not in result.stderr, result


def test_production_settings_are_safe_by_default(tmp_path):
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS > 0, len(s.AUTH_PASSWORD_VALIDATORS), s.SECRET_KEY)")
    keys = []
    for name in ("one", "two"):
        env = {**environment(tmp_path / name), "DJANGO_SETTINGS_MODULE": "raschet.web.settings"}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240,
                             check=True).stdout.split()
        assert out[:6] == ["False", "True", "True", "True", "True", "4"]
        key_file = tmp_path / name / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and out[6] == key_file.read_text().strip()
        keys.append(out[6])
    assert keys[0] != keys[1] and len(keys[0]) >= 50  # one per installation, never a constant of the source
    source = Path(__file__).parents[2] / "src" / "raschet" / "web" / "settings.py"
    assert "change-me" not in source.read_text(encoding="utf-8")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = environment(tmp_path / "var", RASCHET_ALLOWED_HOSTS="billing.example.org")
    [result] = run_all([["check", "--deploy", "--fail-level", "WARNING"]], env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_demo_turns_debug_on_for_itself_only(tmp_path):
    from raschet import cli

    env = os.environ.copy()
    try:
        os.environ.pop("RASCHET_DEBUG", None)
        os.environ["RASCHET_VAR_DIR"] = str(tmp_path)
        cli.choose_database(["demo", "--no-server"])
        assert os.environ["RASCHET_DATABASE_URL"] == f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        assert cli.option_value(["demo", "--database"], "--database") is None
        assert cli.option_value(["demo", "--database=sqlite:///x"], "--database") == "sqlite:///x"
    finally:
        os.environ.clear()
        os.environ.update(env)
