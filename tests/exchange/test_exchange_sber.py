"""The Sberbank-style text registry: exact parsing, every refusal with its subject, encodings, ids."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import PaymentOrder, detect_format, parse_sber

LINES = [
    "05-03-2026;09-15-00;8607;00123;1234567890;Иванов И.И.;г. Пример, ул. Ленина, д. 1, кв. 5;0226;1500,00;1485,00;15,00",
    "05-03-2026;10-20-30;8607;00124;1234567891;Петрова А.Б.;г. Пример, ул. Ленина, д. 1, кв. 6;022026;"
    "2000.50;1980.50;20.00;ХВС-1;123,456;ГВС-2;45.5",
]
FOOTER = "=2;3500,50;3465,50;35,00;12345;06-03-2026"


def registry(*lines: str, footer: str | None = FOOTER, encoding: str = "cp1251") -> bytes:
    rows = list(lines) + ([footer] if footer is not None else [])
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


def problems(data: bytes, **kwargs) -> list:
    with pytest.raises(ProblemsError) as refused:
        parse_sber(data, "reg.txt", **kwargs)
    return refused.value.problems


def test_valid_registry_parses_exactly():
    parsed = parse_sber(registry(*LINES), "reg.txt")
    first, second = parsed.payments
    assert (parsed.source, parsed.encoding, parsed.format) == ("reg.txt", "cp1251", "sber")
    assert first.line == 1 and second.line == 2
    assert first.paid_on == date(2026, 3, 5) and first.paid_at_time == "09:15:00"
    assert (first.branch, first.terminal, first.account) == ("8607", "00123", "1234567890")
    assert first.payer == "Иванов И.И." and first.address.endswith("кв. 5")
    assert first.period == Period(2026, 2) and second.period == Period(2026, 2)
    assert (first.amount, first.transferred, first.fee) == (
        Decimal("1500.00"),
        Decimal("1485.00"),
        Decimal("15.00"),
    )
    assert str(second.amount) == "2000.50"
    assert first.readings == ()
    assert second.readings == (("ХВС-1", Decimal("123.456")), ("ГВС-2", Decimal("45.5")))
    assert parsed.totals == (2, Decimal("3500.50"), Decimal("3465.50"), Decimal("35.00"))
    assert parsed.payment_order == PaymentOrder("12345", date(2026, 3, 6))


def test_blank_lines_and_padded_fields_are_ignored():
    padded = LINES[0].replace(";", " ; ")
    parsed = parse_sber(registry("", padded, "   ", LINES[1], ""), "reg.txt")
    assert [p.line for p in parsed.payments] == [2, 4]
    assert parsed.payments[0].account == "1234567890"


def test_trailing_empty_reading_fields_and_meter_without_value_are_skipped():
    parsed = parse_sber(registry(LINES[0] + ";ХВС-1;;", LINES[1]), "reg.txt")
    assert parsed.payments[0].readings == ()


def test_utf8_with_bom_and_without():
    with_bom = b"\xef\xbb\xbf" + registry(*LINES, encoding="utf-8")
    assert parse_sber(with_bom, "reg.txt").encoding == "utf-8"
    assert parse_sber(with_bom, "reg.txt").payments[0].payer == "Иванов И.И."
    plain = parse_sber(registry(*LINES, encoding="utf-8"), "reg.txt")
    assert plain.encoding == "utf-8" and plain.payments[0].payer == "Иванов И.И."


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "cp866", "utf-8"])
def test_every_bank_encoding_declared_or_detected(encoding):
    # KOI8-R files were stored garbled (read as Windows-1251) before detection.
    data = registry(*LINES, encoding=encoding)
    assert parse_sber(data, "reg.txt", encoding=encoding).payments[0].payer == "Иванов И.И."
    detected = parse_sber(data, "reg.txt")
    assert (detected.encoding, detected.payments[0].payer) == (encoding, "Иванов И.И.")
    assert detected.encoding_text() == f"кодировка {encoding} (определена автоматически)"
    assert parse_sber(data, "reg.txt", encoding=encoding).encoding_how == "указана"


def test_same_bytes_same_hash_and_operation_ids():
    data = registry(*LINES)
    a, b = parse_sber(data, "a.txt"), parse_sber(data, "b.txt")
    assert a.sha256 == b.sha256 and len(a.sha256) == 64
    assert [p.operation_id for p in a.payments] == [p.operation_id for p in b.payments]
    assert a.payments[0].operation_id.startswith("h1:")


def test_operation_id_ignores_amount_notation():
    dotted = LINES[0].replace("1500,00", "1500.00").replace("1485,00", "1485").replace("15,00", "15")
    a = parse_sber(registry(LINES[0], LINES[1]), "reg.txt").payments[0]
    b = parse_sber(registry(dotted, LINES[1]), "reg.txt").payments[0]
    assert a.operation_id == b.operation_id


def test_two_identical_payments_get_different_ids():
    footer = "=3;5000,50;4950,50;50,00;12345;06-03-2026"
    parsed = parse_sber(registry(LINES[0], LINES[1], LINES[0], footer=footer), "reg.txt")
    ids = [p.operation_id for p in parsed.payments]
    assert len(set(ids)) == 3
    assert ids[0].rsplit(":", 1)[1] == "1" and ids[2].rsplit(":", 1)[1] == "2"


def test_bad_date_is_refused_with_line_and_field():
    [found] = problems(registry(LINES[0].replace("05-03-2026", "31-02-2026"), LINES[1]))
    assert found.subject == "reg.txt:1"
    assert found.code == "registry_invalid_date"
    assert "31-02-2026" in found.message and "дата платежа" in found.message and "ДД-ММ-ГГГГ" in found.message


def test_bad_amount_is_refused_naming_the_line_and_field():
    [found] = problems(registry(LINES[0], LINES[1].replace("2000.50", "20O0.50")))
    assert (found.subject, found.code) == ("reg.txt:2", "registry_invalid_amount")
    assert "20O0.50" in found.message and "оплачено (поле 9)" in found.message


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("09-15-00", "25-15-00", "registry_invalid_time"),
        (";0226;", ";1326;", "registry_invalid_period"),
        ("1485,00", "1485,001", "registry_invalid_amount"),
        ("15,00", "-15,00", "registry_invalid_amount"),
        (";1234567890;", ";;", "registry_missing_field"),
    ],
)
def test_malformed_fields_are_refused(old, new, code):
    found = problems(registry(LINES[0].replace(old, new), LINES[1]))
    assert [(p.subject, p.code) for p in found] == [("reg.txt:1", code)]


def test_every_problem_is_listed():
    bad = LINES[0].replace("05-03-2026", "5/3/26").replace("1500,00", "x")
    found = problems(registry(bad, LINES[1].replace("45.5", "abc"), "05-03-2026;short"))
    # the unreadable reading "abc" of line 2 is not among them: a reading never refuses the registry,
    # the import makes it an error row of that line and still takes the payment (issue 10, item 7)
    assert [(p.subject, p.code) for p in found] == [
        ("reg.txt:1", "registry_invalid_date"),
        ("reg.txt:1", "registry_invalid_amount"),
        ("reg.txt:3", "registry_field_count"),
        ("reg.txt:4", "registry_count_mismatch"),
    ]


def test_paid_not_transferred_plus_fee_is_refused():
    [found] = problems(registry(LINES[0].replace("1485,00", "1480,00"), LINES[1]))
    assert (found.subject, found.code) == ("reg.txt:1", "registry_fee_mismatch")
    assert "1 500,00" in found.message and "1 480,00" in found.message and "15,00" in found.message


def test_footer_count_mismatch_names_expected_and_found():
    [found] = problems(registry(*LINES, footer="=3;3500,50;3465,50;35,00;12345;06-03-2026"))
    assert (found.subject, found.code) == ("reg.txt:3", "registry_count_mismatch")
    assert "3" in found.message and "2" in found.message


def test_footer_total_mismatch_names_the_total_expected_and_found():
    [found] = problems(registry(*LINES, footer="=2;3500,50;3400,00;35,00;12345;06-03-2026"))
    assert (found.subject, found.code) == ("reg.txt:3", "registry_total_mismatch")
    assert "перечислено" in found.message and "3 400,00" in found.message and "3 465,50" in found.message


def test_missing_footer_is_refused():
    [found] = problems(registry(*LINES, footer=None))
    assert (found.subject, found.code) == ("reg.txt:3", "registry_no_footer")


def test_payment_after_footer_is_refused():
    found = problems(
        registry(
            LINES[0],
            FOOTER.replace("=2", "=1").replace("3500,50;3465,50;35,00", "1500;1485;15"),
            LINES[1],
            footer=None,
        )
    )
    assert ("reg.txt:3", "registry_extra_footer") in [(p.subject, p.code) for p in found]


def test_footer_without_payment_order():
    parsed = parse_sber(registry(*LINES, footer="=2;3500,50;3465,50;35,00"), "reg.txt")
    assert parsed.payment_order is None


def test_undecodable_bytes_are_refused():
    [found] = problems(registry(*LINES) + b"\x98", encoding="utf-8")
    assert found.code == "invalid_file" and found.subject == "reg.txt"


def test_detect_format():
    assert detect_format(registry(*LINES), "reg.txt") == "sber"
    assert detect_format(b"\xef\xbb\xbf" + registry(*LINES, encoding="utf-8"), "reg.txt") == "sber"
    assert detect_format(b"PK\x03\x04rest", "x.xlsx") == "xlsx"
    assert detect_format("Дата;ЛС;Сумма\n".encode("cp1251"), "x.csv") == "csv"
    assert detect_format(b"", "x") == "unknown"
