"""Payment QR codes as banks, receipts and scanners really write them: one table, fields and warnings.

Each row is a payload in a style met on real receipts or in public GOST R 56042 libraries'
test vectors (the requisites are real public ones: Sberbank Moscow, Sberbank Udmurtia, the
treasury bodies of Moscow and Bashkortostan), with the account, period and sum the cash desk
must fill, the warning codes the cashier must see, and the keys kept aside.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from raschet.domain.periods import Period
from raschet.exchange import QrError, parse_payment_qr

SBER = "Name=ООО «УК Пример»|PersonalAcc=40702810200000012345|BankName=ПАО СБЕРБАНК|BIC=044525225|CorrespAcc=30101810400000000225"
SBER_BAD_KEY = SBER.replace("40702810200000012345", "40702810900000012345")
IZHEVSK = (
    "Name=ООО ИВЦ|PersonalAcc=40702810268000010356|BankName=Удмуртское отделение №8618|BIC=049401601|"
    "CorrespAcc=30101810400000000601|PayeeINN=1841008627"
)
MOSCOW_TREASURY = (
    "Name=Департамент финансов города Москвы (ГБУДО ДШИ, л/с 2605642000830080)|"
    "PersonalAcc=03224643450000007300|BankName=ГУ Банка России по ЦФО//УФК по г.Москве г.Москва|"
    "BIC=004525988|CorrespAcc=40102810545370000003"
)
BASHKIR_TREASURY = (
    "Name=УФК по Республике Башкортостан (филиал, л/с 20016НЖУЦ30)|PersonalAcc=03214643000000010100|"
    "BankName=ОТДЕЛЕНИЕ-НБ РЕСПУБЛИКА БАШКОРТОСТАН|BIC=018073401|CorrespAcc=40102810045370000067"
)


@dataclass(frozen=True)
class Row:
    payload: str | bytes
    account: str
    period: Period | None
    amount: Decimal | None
    warnings: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def utf8(text: str) -> str:
    return "ST00012|" + text


TABLE = {
    "standard": Row(utf8(SBER + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026"), "1234567890", Period(2026, 3), Decimal("5230.45")),
    "lower_camel_receipt": Row(
        utf8(SBER + "|sum=512345|persAcc=100200300|paymPeriod=0926|lastName=Петров|payerAddress=ул. Ленина, 1"),
        "100200300", Period(2026, 9), Decimal("5123.45"),
    ),
    "upper_case_keys": Row(
        "ST00012|" + SBER.replace("Name=", "NAME=").replace("BankName=", "BANKNAME=").replace("PersonalAcc=", "PERSONALACC=")
        + "|SUM=100000|PERSACC=555|PAYMPERIOD=122025",
        "555", Period(2025, 12), Decimal("1000.00"),
    ),
    "period_mm_dot_yyyy": Row(utf8(SBER + "|PersAcc=77|PaymPeriod=03.2026|Sum=1"), "77", Period(2026, 3), Decimal("0.01")),
    "period_myyyy": Row(utf8(SBER + "|PersAcc=77|PaymPeriod=32026|Sum=100"), "77", Period(2026, 3), Decimal("1.00")),
    "period_mmyy_izhevsk": Row(
        utf8(IZHEVSK + "|PersAcc=210042076|Sum=299441|PaymPeriod=0521|LastName=КАМАЕВ|UIN=20МВ875415-07-1051|TechCode=02"),
        "210042076", Period(2021, 5), Decimal("2994.41"),
    ),
    "period_month_name_treasury_00": Row(
        utf8(MOSCOW_TREASURY + "|Sum=340000|Purpose= Оплата за март|CBC=05600000000131131022|OKATO=|lastName=Иванова"
             "|persAcc=03992|childFio=Иванова Анна|paymPeriod=Март, 2021 г.|instNum=ДШИ|classNum=Ноты"),
        "03992", Period(2021, 3), Decimal("3400.00"),
        ("qr_unknown_key",), ("OKATO",),
    ),
    "treasury_01_upper_category": Row(
        utf8(BASHKIR_TREASURY + "|PayeeINN=0274975591|KPP=025743001|OKTMO=80613101|CATEGORY=OBSHNAIM|PersAcc=4711|Sum=250000"),
        "4711", None, Decimal("2500.00"),
    ),
    "cyrillic_key": Row(
        utf8(MOSCOW_TREASURY + "|Sum=1000000|PersAcc=12|ОКТМО=45367000"), "12", None, Decimal("10000.00"),
        ("qr_lookalike_key",), ("ОКТМО",),
    ),
    "misspelt_key": Row(
        utf8(SBER + "|Purpuse=ЖКУ|PaymPeriod=1221|Sum=150050|PersAcc=42|"), "42", Period(2021, 12), Decimal("1500.50"),
        ("qr_unknown_key",), ("Purpuse",),
    ),
    "trailing_crlf": Row(utf8(SBER + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026\r\n"), "1234567890", Period(2026, 3), Decimal("5230.45")),
    "junk_after_last_field": Row(
        utf8(SBER + "|PersAcc=1234567890|PaymPeriod=032026|Sum=523045|||garbage\r\n\x00"),
        "1234567890", Period(2026, 3), Decimal("5230.45"), ("qr_fragment",),
    ),
    "cp1251_bytes": Row(
        ("ST00011|" + SBER + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026|LastName=Иванов").encode("cp1251"),
        "1234567890", Period(2026, 3), Decimal("5230.45"),
    ),
    "koi8r_bytes": Row(
        ("ST00013|" + SBER.replace("«", '"').replace("»", '"') + "|Sum=7|PersAcc=9|PaymPeriod=012026").encode("koi8-r"),
        "9", Period(2026, 1), Decimal("0.07"),
    ),
    "cp1251_as_latin1_text": Row(
        ("ST00011|" + SBER + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026").encode("cp1251").decode("latin-1"),
        "1234567890", Period(2026, 3), Decimal("5230.45"), ("qr_encoding",),
    ),
    "utf8_as_latin1_text": Row(
        utf8(SBER + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026").encode("utf-8").decode("latin-1"),
        "1234567890", Period(2026, 3), Decimal("5230.45"), ("qr_encoding",),
    ),
    "utf8_bytes_labelled_cp1251": Row(
        ("ST00011|" + SBER + "|Sum=100|PersAcc=5").encode("utf-8"), "5", None, Decimal("1.00"), ("qr_encoding",),
    ),
    "account_key_fails": Row(
        utf8(SBER_BAD_KEY + "|Sum=523045|PersAcc=1234567890|PaymPeriod=032026"),
        "1234567890", Period(2026, 3), Decimal("5230.45"), ("qr_bank_requisites",),
    ),
    "sum_in_roubles": Row(
        utf8(SBER + "|Sum=5230.45|PersAcc=1234567890|PaymPeriod=032026"), "1234567890", Period(2026, 3), None,
        ("qr_invalid_sum",),
    ),
    "duplicate_account_key": Row(
        utf8(MOSCOW_TREASURY + "|PersonalAcc=0322464345|Sum=1000000|PersAcc=3"), "3", None, Decimal("10000.00"),
        ("qr_duplicate_key", "qr_missing_keys"),
    ),
    "multiline_sum_zero": Row(
        "ST00012|\n" + BASHKIR_TREASURY.replace("|", "| \n") + "|\nLastName=ИВАНОВ|\nSum=0", "", None, Decimal("0.00"),
    ),
    "scanner_aim_prefix": Row("]Q1" + utf8(SBER + "|PersAcc=8|Sum=1000"), "8", None, Decimal("10.00")),
    "unreadable_period": Row(
        utf8(SBER + "|PersAcc=8|PaymPeriod=000000"), "8", None, None, ("qr_invalid_period",),
    ),
    "missing_bank_name": Row(
        utf8(SBER.replace("|BankName=ПАО СБЕРБАНК", "") + "|PersAcc=8|Sum=1"), "8", None, Decimal("0.01"), ("qr_missing_keys",),
    ),
}  # fmt: skip


@pytest.mark.parametrize("row", TABLE.values(), ids=TABLE.keys())
def test_payload_table(row):
    qr = parse_payment_qr(row.payload)
    assert (qr.account, qr.period, qr.amount) == (row.account, row.period, row.amount)
    assert tuple(w.code for w in qr.warnings) == row.warnings, [w.message for w in qr.warnings]
    assert tuple(key for key, _ in qr.unknown) == row.unknown


def test_table_is_wide_enough():
    assert len(TABLE) >= 15


def test_lower_camel_keys_read_as_the_standard_spells_them():
    qr = parse_payment_qr(TABLE["lower_camel_receipt"].payload)
    assert qr.get("LastName") == "Петров" and qr.get("lastname") == "Петров"
    assert ("PayerAddress", "ул. Ленина, 1") in qr.fields


def test_encodings_decoded_from_the_raw_bytes():
    assert parse_payment_qr(TABLE["cp1251_bytes"].payload).get("LastName") == "Иванов"
    assert parse_payment_qr(TABLE["cp1251_bytes"].payload).encoding == "cp1251"
    assert parse_payment_qr(TABLE["koi8r_bytes"].payload).name == 'ООО "УК Пример"'
    assert parse_payment_qr(TABLE["koi8r_bytes"].payload).encoding == "koi8-r"


@pytest.mark.parametrize("style", ["cp1251_as_latin1_text", "utf8_as_latin1_text"])
def test_mojibake_from_a_scanner_is_decoded_not_stored(style):
    qr = parse_payment_qr(TABLE[style].payload)
    assert qr.name == "ООО «УК Пример»" and qr.bank_name == "ПАО СБЕРБАНК"
    assert "сканер" in qr.warnings[0].message


def test_cp1252_mojibake_is_decoded_too():
    # A Windows scanner maps 0x80–0x9F through Windows-1252: "Т" (0xD2) stays, «…» (0x85) becomes "…".
    raw = ("ST00011|" + SBER + "|Purpose=Оплата…|PersAcc=1").encode("cp1251")
    qr = parse_payment_qr(raw.decode("cp1252"))
    assert qr.purpose == "Оплата…" and qr.encoding == "cp1251"


def test_unknown_keys_keep_their_values():
    qr = parse_payment_qr(TABLE["period_month_name_treasury_00"].payload)
    assert qr.unknown == (("OKATO", ""),) and qr.get("ChildFio") == "Иванова Анна"
    assert qr.purpose == "Оплата за март"  # the leading space of "Purpose= Оплата…" dropped


def test_treasury_payee_is_valid_when_read():
    qr = parse_payment_qr(TABLE["treasury_01_upper_category"].payload)
    assert (qr.bic, qr.personal_acc, qr.corresp_acc) == (
        "018073401",
        "03214643000000010100",
        "40102810045370000067",
    )
    assert qr.get("Category") == "OBSHNAIM"


def test_lookalike_warning_names_the_imitated_key():
    (warning,) = parse_payment_qr(TABLE["cyrillic_key"].payload).warnings
    assert "OKTMO" in warning.message and warning.subject == "ОКТМО"


def test_failed_control_key_is_a_warning_naming_the_defect():
    (warning,) = parse_payment_qr(TABLE["account_key_fails"].payload).warnings
    assert "контрольный ключ" in warning.message and "принимается" in warning.message


def test_duplicate_with_different_values_gives_no_value():
    qr = parse_payment_qr(TABLE["duplicate_account_key"].payload)
    assert qr.personal_acc == "" and "0322464345" in qr.warnings[0].message


def test_same_value_twice_is_no_defect():
    qr = parse_payment_qr(utf8(SBER + "|Sum=100|Sum=100|PersAcc=1"))
    assert qr.amount == Decimal("1.00") and qr.warnings == ()


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("hello", "ST0001"),
        ("", "ST0001"),
        ("ST00022|" + SBER, "ST0001"),
        ("ST00019|" + SBER, "признака кодировки"),
        ("ST00012Name=x", "разделитель"),
    ],
)
def test_only_a_payload_that_is_no_gost_code_is_refused(payload, words):
    with pytest.raises(QrError, match=words):
        parse_payment_qr(payload)
