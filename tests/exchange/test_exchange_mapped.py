"""CSV and XLSX registries with a saved column mapping; mapping validation."""

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import detect_format, parse_mapped, validate_mapping

CSV_MAPPING = {
    "name": "bank-x",
    "format": "csv",
    "encoding": "cp1251",
    "delimiter": ";",
    "skip_rows": 1,
    "date_format": "%d.%m.%Y",
    "decimal": ",",
    "period_format": "MMYYYY",
    "columns": {
        "paid_on": "Дата",
        "account": 1,
        "amount": "Сумма",
        "payer": "ФИО",
        "period": "Период",
        "operation_id": "Номер операции",
        "fee": "Комиссия",
        "readings": [[6, 7]],
    },
}
CSV_TEXT = (
    "Дата;ЛС;ФИО;Период;Сумма;Комиссия;Прибор;Показание;Номер операции\r\n"
    "05.03.2026;1234567890;Иванов И.И.;022026;1 500,00;15,00;ХВС-1;123,456;op-1\r\n"
    ";;;;;;;;\r\n"
    '05.03.2026;1234567891;"Петрова; А.Б.";032026;2000,50;;;;op-2\r\n'
)


def test_csv_round_trip():
    parsed = parse_mapped(CSV_TEXT.encode("cp1251"), "bank.csv", CSV_MAPPING)
    first, second = parsed.payments
    assert (parsed.format, parsed.encoding) == ("mapping:bank-x", "cp1251")
    assert (first.line, first.paid_on, first.account, first.payer) == (
        2,
        date(2026, 3, 5),
        "1234567890",
        "Иванов И.И.",
    )
    assert (first.amount, first.fee, first.transferred) == (
        Decimal("1500.00"),
        Decimal("15.00"),
        Decimal("1485.00"),
    )
    assert first.period == Period(2026, 2) and first.operation_id == "op-1"
    assert first.readings == (("ХВС-1", Decimal("123.456")),)
    assert (second.line, second.payer, second.fee, second.readings) == (
        4,
        "Петрова; А.Б.",
        Decimal("0.00"),
        (),
    )
    assert parsed.totals == (2, Decimal("3500.50"), Decimal("3485.50"), Decimal("15.00"))
    assert detect_format(CSV_TEXT.encode("cp1251"), "bank.csv") == "csv"


def test_csv_refusals_name_the_row():
    text = CSV_TEXT.replace("05.03.2026;1234567891", "2026-03-05;1234567891").replace("1 500,00", "1 500.00")
    with pytest.raises(ProblemsError) as refused:
        parse_mapped(text.encode("cp1251"), "bank.csv", CSV_MAPPING)
    assert [(p.subject, p.code) for p in refused.value.problems] == [
        ("bank.csv:2", "registry_invalid_amount"),
        ("bank.csv:4", "registry_invalid_date"),
    ]
    assert "ДД.ММ.ГГГГ" in refused.value.problems[1].message


def test_unknown_header_is_refused():
    mapping = {**CSV_MAPPING, "columns": {**CSV_MAPPING["columns"], "amount": "Итого"}}
    with pytest.raises(ProblemsError) as refused:
        parse_mapped(CSV_TEXT.encode("cp1251"), "bank.csv", mapping)
    assert "Итого" in refused.value.problems[0].message and "Сумма" in refused.value.problems[0].message


def make_xlsx(tmp_path, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "reg.xlsx"
    book.save(path)
    return path.read_bytes()


XLSX_MAPPING = {
    "name": "bank-y",
    "format": "xlsx",
    "skip_rows": 2,
    "decimal": ".",
    "period_format": "MM.YYYY",
    "columns": {
        "paid_on": "Дата",
        "account": "ЛС",
        "amount": "Сумма",
        "transferred": "Перечислено",
        "fee": "Комиссия",
        "period": "Период",
    },
}


def test_xlsx_round_trip_with_typed_cells(tmp_path):
    data = make_xlsx(
        tmp_path,
        [
            ["Реестр платежей за 05.03.2026"],
            ["Дата", "ЛС", "Сумма", "Перечислено", "Комиссия", "Период"],
            [datetime(2026, 3, 5), 1234567890, 1500.5, 1485.5, 15, "02.2026"],
            ["06.03.2026", "0012", "2000.10", 2000.1, None, datetime(2026, 3, 1)],
        ],
    )
    parsed = parse_mapped(data, "bank.xlsx", XLSX_MAPPING)
    first, second = parsed.payments
    assert (first.line, first.paid_on, first.account) == (3, date(2026, 3, 5), "1234567890")
    assert (first.amount, first.transferred, first.fee) == (
        Decimal("1500.50"),
        Decimal("1485.50"),
        Decimal("15.00"),
    )
    assert first.period == Period(2026, 2) and second.period == Period(2026, 3)
    assert (second.paid_on, second.account, second.amount, second.fee) == (
        date(2026, 3, 6),
        "0012",
        Decimal("2000.10"),
        Decimal("0.00"),
    )
    assert parsed.totals.paid == Decimal("3500.60")
    assert detect_format(data, "x") == "xlsx"


def test_xlsx_refuses_fractional_kopecks_and_fee_mismatch(tmp_path):
    data = make_xlsx(
        tmp_path,
        [
            [],
            ["Дата", "ЛС", "Сумма", "Перечислено", "Комиссия", "Период"],
            [datetime(2026, 3, 5), "1", 100.123, 100, 0, "02.2026"],
            [datetime(2026, 3, 5), "2", 100, 90, 5, "02.2026"],
        ],
    )
    with pytest.raises(ProblemsError) as refused:
        parse_mapped(data, "bank.xlsx", XLSX_MAPPING)
    assert [(p.subject, p.code) for p in refused.value.problems] == [
        ("bank.xlsx:3", "registry_invalid_amount"),
        ("bank.xlsx:4", "registry_fee_mismatch"),
    ]


def test_validate_mapping_accepts_a_good_mapping():
    assert validate_mapping(CSV_MAPPING) == []
    assert validate_mapping(XLSX_MAPPING) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format": "pdf"}, "csv, xlsx или dbf"),
        ({"name": ""}, "name"),
        ({"encoding": "klingon"}, "кодировка"),
        ({"delimiter": ";;"}, "одним символом"),
        ({"skip_rows": -1}, "skip_rows"),
        ({"decimal": "'"}, "Десятичный разделитель"),
        ({"date_format": "%Y"}, "день, месяц и год"),
        ({"period_format": "YY"}, "period_format"),
        ({"columns": {"paid_on": 0, "account": 1}}, "amount"),
        ({"columns": {"paid_on": 0, "account": 1, "amount": -2}}, "номер колонки"),
        ({"columns": {"paid_on": 0, "account": 1, "amount": 2, "sum": 3}}, "Неизвестная колонка"),
        ({"columns": {"paid_on": 0, "account": 1, "amount": 2, "readings": [[1]]}}, "readings"),
        ({"skip_rows": 0}, "skip_rows"),
        ({"colour": "red"}, "Неизвестный параметр"),
    ],
)
def test_validate_mapping_names_the_problem(change, words):
    errors = validate_mapping({**CSV_MAPPING, **change})
    assert errors and any(words in e for e in errors), errors


def test_invalid_mapping_refuses_the_file():
    with pytest.raises(ProblemsError) as refused:
        parse_mapped(b"", "bank.csv", {**CSV_MAPPING, "format": "pdf"})
    assert refused.value.problems[0].subject == "mapping:bank-x"
