"""Registry layouts banks really send, each a hand-written fixture in tests/exchange/fixtures, read to the kopeck.

Encodings (KOI8-R, CP866) detected or declared; a Sberbank DBF with its own field names through a
saved dbf mapping; kopeck amounts; header / pack / payment records with totals checked; a registry
with a control-totals file; ``|``-separated with DD/MM/YYYY dates and readings packed in one field;
``key:value`` tagged fields; a 1CClientBankExchange statement named as such; an unrecognised CSV
described with the mapping to add.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import detect_format, parse_dbf, parse_mapped, parse_sber, validate_mapping
from raschet.exchange.reading import read_registry

FIXTURES = Path(__file__).parent / "fixtures"
D = Decimal


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mapping(name: str) -> dict:
    return json.loads(fixture(name))


def refused(call) -> list:
    with pytest.raises(ProblemsError) as error:
        call()
    return error.value.problems


def test_every_fixture_mapping_is_valid():
    for path in FIXTURES.glob("*.json"):
        assert validate_mapping(json.loads(path.read_bytes())) == [], path.name


def test_koi8r_registry_is_detected_and_read():
    parsed = parse_sber(fixture("sber_koi8r.txt"), "sber_koi8r.txt")
    assert (parsed.encoding, parsed.encoding_how) == ("koi8-r", "определена автоматически")
    assert [p.payer for p in parsed.payments][2] == "СИДОРОВ ПЁТР АЛЕКСЕЕВИЧ"
    assert parsed.totals == (3, D("6988.33"), D("6918.45"), D("69.88"))
    assert parsed.payments[0].readings == (("ХВС-1", D("123.456")),)


@pytest.mark.parametrize("encoding", ["cp866", "cp1251", "utf-8"])
def test_the_same_registry_in_every_bank_encoding(encoding):
    data = fixture("sber_koi8r.txt").decode("koi8-r").encode(encoding)
    parsed = parse_sber(data, "r.txt")
    assert parsed.encoding == encoding and parsed.payments[1].payer == "ПЕТРОВА МАРИЯ СЕРГЕЕВНА"


def test_a_wrong_declared_encoding_names_the_option():
    data = fixture("sber_koi8r.txt").decode("koi8-r").encode("cp1251")
    (problem,) = refused(lambda: parse_sber(data, "r.txt", "utf-8"))
    assert "--encoding utf-8, cp1251, cp866, koi8-r" in problem.message


def test_sberbank_dbf_with_its_own_field_names():
    data = fixture("sber_registry.dbf")
    (problem,) = refused(lambda: parse_dbf(data, "sber_registry.dbf"))
    assert "NLS" in problem.message and "mapping save" in problem.message and "--format mapping:" in problem.message
    parsed = parse_dbf(data, "sber_registry.dbf", mapping("sber_dbf.json"))
    first, second = parsed.payments
    assert (parsed.format, parsed.encoding) == ("mapping:sber-dbf", "cp866")
    assert (first.account, first.payer, first.paid_on, first.paid_at_time) == (
        "1000000001", "ИВАНОВ ИВАН ИВАНОВИЧ", date(2026, 3, 5), "09:15:07")
    assert (first.amount, first.fee, first.transferred, first.operation_id) == (
        D("1234.56"), D("12.35"), D("1222.21"), "86260001203")
    assert first.period == Period(2026, 2) and second.readings == (("ГВС-2", D("45.200")),)
    assert parsed.totals.paid == D("2214.56")


def test_amounts_in_kopecks():
    parsed = parse_mapped(fixture("kopecks.csv"), "kopecks.csv", mapping("kopecks.json"))
    assert [(p.amount, p.fee, p.transferred) for p in parsed.payments] == [
        (D("2070.50"), D("20.71"), D("2049.79")), (D("1500.00"), D("0.00"), D("1500.00"))]
    assert parsed.totals.paid == D("3570.50")


def test_a_rouble_amount_in_a_kopeck_file_is_refused():
    data = fixture("kopecks.csv").replace(b"207050", b"2070.50")
    (problem,) = refused(lambda: parse_mapped(data, "kopecks.csv", mapping("kopecks.json")))
    assert problem.subject == "kopecks.csv:1" and "копейках" in problem.message


def test_header_packs_and_payments_with_totals_checked():
    parsed = parse_mapped(fixture("packs.txt"), "packs.txt", mapping("packs.json"))
    assert [p.line for p in parsed.payments] == [3, 4, 6, 7]
    assert [p.amount for p in parsed.payments] == [D("2070.50"), D("1200.00"), D("2000.70"), D("540.00")]
    assert parsed.totals.paid == D("5811.20") and parsed.payments[2].fee == D("20.00")
    assert parsed.payments[3].period == Period(2026, 2) and parsed.payments[0].operation_id == "op-1001"


@pytest.mark.parametrize(
    ("old", "new", "code", "subject"),
    [
        (b"P;1;2;3270,50", b"P;1;2;3270,51", "registry_group_total", "packs.txt:2"),
        (b"P;2;2;2540,70", b"P;2;3;2540,70", "registry_group_count", "packs.txt:5"),
        (b";4;5811,20\r\nP", b";5;5811,20\r\nP", "registry_group_count", "packs.txt:1"),
        (b"T;4;5811,20", b"X;4;5811,20", "registry_unknown_record", "packs.txt:8"),
    ],
)
def test_pack_and_header_totals_refuse_the_file(old, new, code, subject):
    data = fixture("packs.txt")
    assert old in data
    problems = refused(lambda: parse_mapped(data.replace(old, new), "packs.txt", mapping("packs.json")))
    assert [(p.code, p.subject) for p in problems] == [(code, subject)]


def test_packs_after_their_payments():
    rows = fixture("packs.txt").decode("cp1251").splitlines()
    moved = [rows[0], rows[2], rows[3], rows[1], rows[5], rows[6], rows[4]]
    layout = mapping("packs.json")
    layout["records"]["pack_position"] = "after"
    parsed = parse_mapped("\n".join(moved).encode("cp1251"), "after.txt", layout)
    assert parsed.totals.paid == D("5811.20")
    problems = refused(lambda: parse_mapped("\n".join(moved[:-1]).encode("cp1251"), "after.txt", layout))
    assert "registry_outside_pack" in [p.code for p in problems]


def test_two_file_registry_with_control_totals():
    data, control = fixture("reestr_0503.txt"), (fixture("reestr_0503.ctl"), "reestr_0503.ctl")
    parsed = parse_mapped(data, "reestr_0503.txt", mapping("two_file.json"), control=control)
    assert [p.amount for p in parsed.payments] == [D("1250.00"), D("875.40"), D("3100.15")]
    assert parsed.payments[2].period == Period(2026, 2) and parsed.encoding == "utf-8"
    wrong = (b"3;5225,56\n", "reestr_0503.ctl")
    (problem,) = refused(lambda: parse_mapped(data, "reestr_0503.txt", mapping("two_file.json"), control=wrong))
    assert (problem.code, problem.subject) == ("registry_group_total", "reestr_0503.ctl:1")
    (missing,) = refused(lambda: parse_mapped(data, "reestr_0503.txt", mapping("two_file.json")))
    assert "reestr_0503.ctl" in missing.message and "--control" in missing.message


def test_pipe_separated_ddmmyyyy_with_packed_readings():
    parsed = parse_mapped(fixture("pipe.txt"), "pipe.txt", mapping("pipe.json"))
    first, second, third = parsed.payments
    assert (first.paid_on, first.period, first.amount) == (date(2026, 3, 5), Period(2026, 3), D("1520.75"))
    assert first.readings == (("ХВС-1", D("123.456")), ("ГВС-1", D("45.200")))
    assert second.readings == () and third.readings == (("ЭЛ-1", D("15230")),)
    assert parsed.totals.paid == D("2450.74") and parsed.encoding == "cp1251"


def test_tagged_fields():
    parsed = parse_mapped(fixture("tagged.txt"), "tagged.txt", mapping("tagged.json"))
    first, second = parsed.payments
    assert (first.account, first.payer, first.period) == ("1000000001", "ИВАНОВ И.И.", Period(2026, 3))
    assert (first.amount, first.fee, first.transferred) == (D("2070.50"), D("20.71"), D("2049.79"))
    assert (first.paid_on, first.paid_at_time, first.branch) == (date(2026, 3, 5), "10:15:00", "8626")
    assert first.readings == (("ХВС-1", D("123.456")),) and second.readings == ()
    assert second.payer == "СЕМЁНОВА Л.Д." and parsed.totals.paid == D("3055.80")


def test_a_missing_tag_is_a_missing_field():
    data = fixture("tagged.txt").replace(b"CLIENTNO:1000000009;", b"")
    (problem,) = refused(lambda: parse_mapped(data, "tagged.txt", mapping("tagged.json")))
    assert (problem.code, problem.subject) == ("registry_missing_field", "tagged.txt:2")


def test_1c_statement_is_named_not_reported_as_line_errors():
    data = fixture("statement_1c.txt")
    assert detect_format(data, "kl_to_1c.txt") == "1c"
    for fmt in ("1c", "sber", "csv"):
        (problem,) = refused(lambda fmt=fmt: read_registry(data, "kl_to_1c.txt", fmt))
        assert problem.code == "registry_bank_statement"
        assert "1CClientBankExchange" in problem.message and "40702810938000000001" in problem.message
        assert "документов 2 (платежное поручение) на 15 811,20 ₽" in problem.message


def test_unrecognised_csv_says_what_it_recognised_and_which_mapping_to_add():
    data = fixture("unknown.csv")
    assert detect_format(data, "unknown.csv") == "csv"
    (problem,) = refused(lambda: read_registry(data, "unknown.csv", "csv", saved=["bank-pipe"]))
    message = problem.message
    assert "кодировка cp1251" in message and "разделитель «;»" in message and "полей в строке: 5" in message
    assert "«Номер ЛС»" in message and "даты в колонках 0 (ДД.ММ.ГГГГ)" in message and "суммы в колонках 3, 4" in message
    assert '"delimiter": ";"' in message and "--format mapping:ИМЯ" in message and "bank-pipe" in message


def test_detection_looks_where_the_cyrillic_is():
    # 100 KB of ASCII-only lines before the first Cyrillic one: a sample of the file's head would say UTF-8.
    head = b"05-03-2026;09-15-00;8626;1001;1000000001;IVANOV;;0226;1,00;1,00;0,00\r\n" * 1500
    data = head + "05-03-2026;09-15-00;8626;1001;1000000002;Петрова Мария;г. Энск;0226;1,00;1,00;0,00\r\n".encode("koi8-r")
    from raschet.exchange.encodings import detect

    assert len(head) > 65536 and detect(data) == ("koi8-r", "определена автоматически")


def test_too_little_russian_text_to_tell_says_so():
    from raschet.exchange.encodings import detect

    assert detect("Ким".encode("koi8-r"))[0] == "cp1251"
    assert "слишком мало" in detect("Ким".encode("koi8-r"))[1]
