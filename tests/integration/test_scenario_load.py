"""``raschet scenario load``: a valid file is written whole; a bad one writes nothing and names each problem."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from raschet.domain.errors import ProblemsError
from raschet.housing.models import Account, Building, PremisesArea, ResidentCount
from raschet.metering.models import Meter, Reading
from raschet.scenarios.loader import check_scenario, load_scenario, read_scenario
from raschet.tariffs.models import AccountService, Organization, Service, Tariff

pytestmark = pytest.mark.django_db(transaction=True)


def table_counts():
    models = [Organization, Service, Tariff, Building, Account, PremisesArea, ResidentCount, AccountService,
              Meter, Reading]
    return {model.__name__: model.objects.count() for model in models}


def test_valid_scenario_is_loaded_with_exact_values(scenario_path):
    call_command("scenario", "load", str(scenario_path("cold_water_meter.json")))
    account = Account.objects.get(number="1000000001")
    assert account.premises.building.address == "г. Энск, ул. Ленина, д. 1"
    assert str(account.premises.areas.get().value) == "60.0000"
    assert account.resident_counts.get().count == 3
    readings = list(Reading.objects.filter(meter__code="CW-1").order_by("date").values_list("value", flat=True))
    assert [str(v) for v in readings] == ["123.4560000", "130.7890000"]
    assert Tariff.objects.get().value.as_tuple().exponent == -6
    assert str(Tariff.objects.get().value.normalize()) == "52.3"


def test_three_problems_are_listed_with_paths_and_nothing_is_written(scenario_path, capsys):
    before = table_counts()
    with pytest.raises(SystemExit) as stop:
        call_command("scenario", "load", str(scenario_path("invalid_three_problems.json")))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "найдено ошибок: 3" in err
    assert "tariffs[1]: Периоды тарифа пересекаются: tariffs[0] и tariffs[1]" in err
    assert "buildings[0].premises[0].area[0].value: Значение «value» должно быть больше нуля, указано -60" in err
    assert "buildings[0].premises[0].accounts[0].services[1].service: Неизвестный код «hot_watr»" in err
    assert table_counts() == before


def test_command_line_exit_code_is_2(scenario_path, tmp_path):
    env_db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "raschet.cli", "scenario", "load", str(scenario_path("invalid_three_problems.json"))],
        capture_output=True, text=True, env={"RASCHET_DATABASE_URL": env_db, "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n  ") == 3


def test_structure_errors_name_their_json_paths():
    problems = check_scenario({"format": "raschet-scenario/1", "organizations": [], "services": [
        {"code": "x", "name": "X", "kind": "steam", "unit": "m3"}], "tariffs": [{"service": "x", "supplier": "y",
        "value": "abc", "valid_from": "2026-13-01"}], "norms": [], "rules": [], "buildings": [], "timeline": [
        {"calculate": "2026-03", "close": "2026-03"}]})
    by_path = {p.subject: p.message for p in problems}
    assert "steam" in by_path["services[0].kind"]
    assert "формат" in by_path["tariffs[0].value"]
    assert "timeline[0]" in by_path
    assert "ровно одно действие" in by_path["timeline[0]"]


def test_meaning_checks_catch_backward_readings_and_impossible_dates(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    account = data["buildings"][0]["premises"][0]["accounts"][0]
    account["meters"][0]["readings"].append({"date": "2026-04-25", "value": "100"})
    data["tariffs"][0]["valid_to"] = "2025-12-01"
    problems = {p.subject: p for p in check_scenario(data)}
    backwards = problems["buildings[0].premises[0].accounts[0].meters[0].readings[2]"]
    assert backwards.code == "readings_backwards"
    assert "100 на 25.04.2026 меньше предыдущего 130,789 на 25.03.2026" in backwards.message
    assert problems["tariffs[0].valid_to"].code == "invalid_range"
    data["tariffs"][0]["valid_to"] = "2026-02-30"
    assert [p.code for p in check_scenario(data)] == ["invalid_date"]


def test_rollover_is_not_backwards_on_a_meter_with_digits(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    meter = data["buildings"][0]["premises"][0]["accounts"][0]["meters"][0]
    meter["digits"] = 3
    meter["readings"].append({"date": "2026-04-25", "value": "5"})
    assert check_scenario(data) == []


def test_loading_the_same_codes_twice_is_refused_whole(scenario_path):
    data = read_scenario(scenario_path("cold_water_meter.json"))
    load_scenario(data)
    before = table_counts()
    with pytest.raises(ProblemsError) as refused:
        load_scenario(json.loads(json.dumps(data, default=str)))
    assert {p.code for p in refused.value.problems} == {"duplicate"}
    assert table_counts() == before


def test_bulk_write_refuses_a_dangling_reference():
    from django.db import IntegrityError, transaction

    from raschet.bulk import Tables, write_tables
    from raschet.housing.models import Premises

    tables = Tables({Premises: 1})
    tables.add(Premises, ("building_id", "number", "kind", "meter_possible"), 987654, "1", "residential", True)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            write_tables(tables)
    assert not Premises.objects.exists()
