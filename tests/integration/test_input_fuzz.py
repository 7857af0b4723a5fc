"""Bounded fuzz of what comes from outside (issue 10, acceptance): the scenario checker agrees with the
loader and never raises; the registry parsers (Sber text, mapped CSV, DBF) never raise anything but a
refusal whose every problem points at the file (and its line, for a problem of a line).

The examples are few and the files small, so this runs in seconds on each database.
"""

import copy
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import dbf
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raschet.domain.errors import ProblemsError
from raschet.exchange import parse_dbf, parse_mapped, parse_sber
from raschet.scenarios.loader import check_scenario, load_scenario, read_scenario

QUICK = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NASTY_TEXT = ["", " ", "1e30", "1E+3", "1_000.00", "１２３", "NaN", "-Infinity", "2026-13", "2026-02-30", "0000-01-01",
              "9999-12-31", "9" * 60, "-1", "0", "0,5", "1,234.5", "4" * 40, "А" * 400, "null", "\x00", ";", "|"]
NASTY = st.one_of(st.sampled_from(NASTY_TEXT), st.integers(min_value=-10**30, max_value=10**30),
                  st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d) < 10**200),
                  st.booleans(), st.none(), st.text(max_size=50), st.just([]), st.just({}),
                  st.sampled_from([Decimal("1E+30"), Decimal("1E-30"), 10**12, 2**63]))


NUMBER_TEXT = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d) < 10**40).map(str),
    st.integers(min_value=-10**25, max_value=10**25).map(str),
    st.decimals(min_value=0, max_value=10**7, places=4).map(str))
DATE_TEXT = st.dates(min_value=date(1, 1, 1)).map(date.isoformat)


def value_like(current):
    """Mostly a value of the same JSON type as ``current`` (so the mutation reaches the bounds and the
    loader, not only the schema), sometimes anything nasty."""
    if isinstance(current, bool):
        same = st.booleans()
    elif isinstance(current, int):
        same = st.integers(min_value=-10**15, max_value=10**15)
    elif isinstance(current, Decimal):
        same = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d) < 10**40)
    elif isinstance(current, str) and len(current) == 10 and current[4] == "-":
        same = DATE_TEXT
    elif isinstance(current, str) and current[:1].isdigit():
        same = NUMBER_TEXT
    else:
        same = st.text(max_size=60)
    return st.integers(0, 9).flatmap(lambda roll: NASTY if roll == 0 else same)


def leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path


def at(data, path):
    for part in path:
        data = data[part]
    return data


def with_value(data, path, value):
    changed = copy.deepcopy(data)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


@pytest.fixture(scope="module")
def base():
    data = read_scenario(Path(__file__).parent.parent / "scenarios" / "cold_water_meter.json")
    data["timeline"] += [{"pay": {"account": "1000000001", "date": "2026-04-20", "amount": "100.00"}},
                         {"change": {"meter": "CW-1", "readings": [{"date": "2026-04-25", "value": "140"}]}}]
    return data


def agree(data) -> None:
    """``scenario check`` and ``scenario load`` accept exactly the same files, and neither raises
    anything but a refusal."""
    problems = check_scenario(data)
    with transaction.atomic():
        if problems:
            with pytest.raises(ProblemsError) as refused:
                load_scenario(data)
            assert refused.value.problems == problems
        else:
            load_scenario(data)
        transaction.set_rollback(True)


@pytest.mark.django_db
@QUICK
@given(data=st.data())
def test_scenario_check_and_load_agree_on_mutated_files(base, data):
    paths = [path for path in leaves(base) if path != ("format",)]
    changed = base
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from(paths))
        changed = with_value(changed, path, data.draw(value_like(at(changed, path))))
    agree(changed)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [Decimal("9999999.9999"), Decimal("100000"), Decimal("100000.0001"),
                                   Decimal("0.0001"), 10**5, 10**15])
def test_scenario_check_and_load_agree_at_the_edges(base, value):
    for path in (("buildings", 0, "premises", 0, "area", 0, "value"), ("tariffs", 0, "value"),
                 ("buildings", 0, "total_area"), ("norms", 0, "value"),
                 ("buildings", 0, "premises", 0, "accounts", 0, "residents", 0, "count")):
        agree(with_value(base, path, value))


LINE = ["25-04-2026", "10-15-00", "8626", "1001", "1000000001", "Иванов И. И.", "г. Энск", "0326", "100,00",
        "100,00", "0,00", "CW-1", "140.5"]
FIELD = st.one_of(st.sampled_from(NASTY_TEXT), st.text(alphabet="0123456789,.-e_=; \u0661１Ааz", max_size=25))
LINE_PROBLEM = re.compile(r"r\.(txt|csv|dbf):(record )?[0-9]+")
WHOLE_FILE = {"invalid_file", "invalid_structure", "registry_empty"}


def refusal_points_at_the_file(call, source: str) -> None:
    try:
        call()
    except ProblemsError as refused:
        assert refused.problems
        for item in refused.problems:
            assert item.subject.startswith(source) and item.message, item
            assert item.code in WHOLE_FILE or LINE_PROBLEM.fullmatch(item.subject), item


def sber_text(rows: list[list[str]], footer: str) -> str:
    return "\n".join([";".join(row) for row in rows] + [footer]) + "\n"


@QUICK
@given(data=st.data())
def test_sber_parser_refuses_with_lines_or_parses(data):
    rows = [list(LINE) for _ in range(data.draw(st.integers(1, 3)))]
    for _ in range(data.draw(st.integers(0, 4))):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.integers(0, len(row) - 1))] = data.draw(FIELD)
    footer = data.draw(st.sampled_from(["=1;100.00;100.00;0.00;7;25-04-2026", "", "=x", f"={len(rows)};;;"]))
    encoding = data.draw(st.sampled_from(["cp1251", "utf-8", "koi8_r"]))
    raw = sber_text(rows, footer).encode(encoding, errors="replace")
    refusal_points_at_the_file(lambda: parse_sber(raw, "r.txt"), "r.txt")


@QUICK
@given(raw=st.binary(max_size=400))
def test_sber_parser_survives_arbitrary_bytes(raw):
    refusal_points_at_the_file(lambda: parse_sber(raw, "r.txt"), "r.txt")


MAPPING = {"name": "bank-x", "format": "csv", "delimiter": ";", "skip_rows": 1, "date_format": "%d.%m.%Y",
           "decimal": ",", "columns": {"paid_on": "Дата", "account": 1, "amount": "Сумма", "fee": 3,
                                       "operation_id": 4, "readings": [[5, 6]]}}


@QUICK
@given(data=st.data())
def test_mapped_csv_parser_refuses_with_lines_or_parses(data):
    header = data.draw(st.sampled_from(["Дата;ЛС;Сумма;Комиссия;Операция;Прибор;Показание", "Date;LS;Sum", ""]))
    rows = [["25.04.2026", "1000000001", "100,00", "0,00", f"op-{i}", "CW-1", "140"] for i in range(3)]
    for _ in range(data.draw(st.integers(0, 4))):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.integers(0, len(row) - 1))] = data.draw(FIELD)
    raw = "\n".join([header, *(";".join(row) for row in rows)]).encode("utf-8")
    refusal_points_at_the_file(lambda: parse_mapped(raw, "r.csv", MAPPING), "r.csv")


@pytest.fixture(scope="module")
def dbf_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("dbf") / "reg.dbf"
    table = dbf.Table(str(path), "DATA D; LS C(20); SUMMA N(12,2); KOMIS N(12,2); COUNTER1 C(20); VALUE1 N(12,3)",
                      codepage="cp866")
    table.open(dbf.READ_WRITE)
    for number in range(3):
        table.append((date(2026, 4, 25), f"100000000{number}", Decimal("100.00"), Decimal("0"), "CW-1",
                      Decimal("140.5")))
    table.close()
    return path.read_bytes()


@QUICK
@given(data=st.data())
def test_dbf_parser_survives_damaged_files(dbf_file, data):
    raw = bytearray(dbf_file)
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    refusal_points_at_the_file(lambda: parse_dbf(bytes(raw[:cut] if data.draw(st.booleans()) else raw), "r.dbf"),
                               "r.dbf")
