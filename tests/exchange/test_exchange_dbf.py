"""DBF registries: default and mapped field names, readings, computed totals, refusals."""

from datetime import date
from decimal import Decimal

import dbf
import pytest

from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import detect_format, parse_dbf

SPEC = (
    "DATA D; TIME C(8); FILIAL C(10); KASSA C(10); LS C(20); FIO C(60); ADRES C(100); PERIOD C(6); "
    "SUMMA N(12,2); TRANSFER N(12,2); KOMIS N(12,2); COUNTER1 C(20); VALUE1 N(12,3)"
)
ROWS = [
    (
        date(2026, 3, 5),
        "09:15:00",
        "8607",
        "00123",
        "1234567890",
        "Иванов И.И.",
        "ул. Ленина, 1-5",
        "0226",
        Decimal("1500.00"),
        Decimal("1485.00"),
        Decimal("15.00"),
        "ХВС-1",
        Decimal("123.456"),
    ),
    (
        date(2026, 3, 5),
        "10:20:30",
        "8607",
        "00124",
        "1234567891",
        "Петрова А.Б.",
        "ул. Ленина, 1-6",
        "022026",
        Decimal("2000.50"),
        Decimal("1980.50"),
        Decimal("20.00"),
        "",
        None,
    ),
]


def make_dbf(tmp_path, rows, spec=SPEC, codepage="cp866") -> bytes:
    path = tmp_path / "reg.dbf"
    table = dbf.Table(str(path), spec, codepage=codepage)
    table.open(dbf.READ_WRITE)
    for row in rows:
        table.append(row)
    table.close()
    return path.read_bytes()


def test_dbf_round_trip(tmp_path):
    data = make_dbf(tmp_path, ROWS)
    parsed = parse_dbf(data, "reg.dbf")
    first, second = parsed.payments
    assert (parsed.format, parsed.encoding, parsed.payment_order) == ("dbf", "cp866", None)
    assert (first.line, first.paid_on, first.paid_at_time) == (1, date(2026, 3, 5), "09:15:00")
    assert (first.branch, first.terminal, first.account, first.payer) == (
        "8607",
        "00123",
        "1234567890",
        "Иванов И.И.",
    )
    assert first.period == Period(2026, 2) and second.period == Period(2026, 2)
    assert (first.amount, first.transferred, first.fee) == (
        Decimal("1500.00"),
        Decimal("1485.00"),
        Decimal("15.00"),
    )
    assert first.readings == (("ХВС-1", Decimal("123.456")),) and second.readings == ()
    assert parsed.totals == (2, Decimal("3500.50"), Decimal("3465.50"), Decimal("35.00"))
    assert first.operation_id.startswith("h1:")
    assert detect_format(data, "registry.bin") == "dbf"


def test_mapping_overrides_field_names_and_fee_defaults_to_zero(tmp_path):
    spec = "PAYDATE C(10); LSCHET C(20); SUM N(12,2); OPER C(20)"
    data = make_dbf(tmp_path, [("05.03.2026", "77", Decimal("100.00"), "op-1")], spec=spec, codepage="cp1251")
    mapping = {"paid_on": "paydate", "account": "LSCHET", "amount": "Sum", "operation_id": "OPER"}
    [payment] = parse_dbf(data, "reg.dbf", mapping).payments
    assert (payment.paid_on, payment.account, payment.amount) == (date(2026, 3, 5), "77", Decimal("100.00"))
    assert (payment.fee, payment.transferred, payment.operation_id) == (
        Decimal("0.00"),
        Decimal("100.00"),
        "op-1",
    )


def test_bad_values_are_refused_with_record_subjects(tmp_path):
    bad = list(ROWS[1])
    bad[9] = Decimal("1900.50")  # transferred + fee != paid
    worse = list(ROWS[0])
    worse[7] = "1326"
    worse[4] = ""
    with pytest.raises(ProblemsError) as refused:
        parse_dbf(make_dbf(tmp_path, [tuple(worse), tuple(bad)]), "reg.dbf")
    assert [(p.subject, p.code) for p in refused.value.problems] == [
        ("reg.dbf:record 1", "registry_missing_field"),
        ("reg.dbf:record 1", "registry_invalid_period"),
        ("reg.dbf:record 2", "registry_fee_mismatch"),
    ]
    assert "LS" in refused.value.problems[0].message


def test_missing_required_field_names_the_fields(tmp_path):
    data = make_dbf(tmp_path, [("1",)], spec="X C(5)")
    with pytest.raises(ProblemsError) as refused:
        parse_dbf(data, "reg.dbf")
    [found] = refused.value.problems
    assert found.code == "invalid_structure" and "DATE или DATA" in found.message and "X" in found.message


def test_not_a_dbf_is_refused():
    with pytest.raises(ProblemsError) as refused:
        parse_dbf(b"not a dbf at all, just text" * 3, "reg.dbf")
    assert refused.value.problems[0].code == "invalid_file"
