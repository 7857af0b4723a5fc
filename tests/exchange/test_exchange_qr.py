"""Payment QR codes (GOST R 56042-2014): the domain.md §9 example, refusals, round trip."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.identifiers import is_valid_settlement_account
from raschet.domain.periods import Period
from raschet.exchange import QrError, build_payment_qr, parse_payment_qr, payment_qr_bytes

# domain.md §9 verbatim; its PersonalAcc fails the account control key (see the test below).
EXAMPLE = (
    'ST00012|Name=ООО "УК Пример"|PersonalAcc=40702810900000012345|BankName=ПАО СБЕРБАНК|BIC=044525225|'
    "CorrespAcc=30101810400000000225|PayeeINN=7701234567|KPP=770101001|Sum=523045|"
    "Purpose=Оплата ЖКУ за 03.2026 ЛС 1234567890|PersAcc=1234567890|PaymPeriod=032026|LastName=Иванов|"
    "PayerAddress=г. Москва, ул. Примерная, д. 1, кв. 5"
)
KEYED = EXAMPLE.replace("40702810900000012345", "40702810200000012345")  # control digit corrected
BANK = {
    "Name": "ООО «УК Пример»",
    "PersonalAcc": "40702810200000012345",
    "BankName": "ПАО СБЕРБАНК",
    "BIC": "044525225",
    "CorrespAcc": "30101810400000000225",
}


def test_domain_example_parses():
    qr = parse_payment_qr(KEYED)
    assert qr.amount == Decimal("5230.45")
    assert qr.period == Period(2026, 3)
    assert qr.account == "1234567890"
    assert (qr.name, qr.bic, qr.corresp_acc) == ('ООО "УК Пример"', "044525225", "30101810400000000225")
    assert (qr.payee_inn, qr.kpp, qr.purpose) == (
        "7701234567",
        "770101001",
        "Оплата ЖКУ за 03.2026 ЛС 1234567890",
    )
    assert qr.get("LastName") == "Иванов" and qr.get("Flat") == ""
    assert parse_payment_qr(KEYED.encode("utf-8")) == qr
    assert parse_payment_qr(KEYED.replace("ST00012", "ST00011").encode("cp1251")).amount == Decimal("5230.45")


def test_domain_example_verbatim_is_read_with_a_warning():
    # Its PersonalAcc fails the control key: reading still gives the cashier account, period and sum.
    qr = parse_payment_qr(EXAMPLE)
    assert (qr.account, qr.period, qr.amount) == ("1234567890", Period(2026, 3), Decimal("5230.45"))
    assert [w.code for w in qr.warnings] == ["qr_bank_requisites"]
    assert "контрольный ключ" in qr.warnings[0].message


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (KEYED.replace("|BankName=ПАО СБЕРБАНК", ""), "qr_missing_keys"),
        (KEYED.replace("|BIC=044525225", "|BIC="), "qr_missing_keys"),
        (KEYED.replace("Sum=523045", "Sum=5230,45"), "qr_invalid_sum"),
        (KEYED.replace("Sum=523045", "Sum=-1"), "qr_invalid_sum"),
        (KEYED.replace("KPP=", "\u041a\u0420\u0420="), "qr_lookalike_key"),  # Cyrillic К, Р, Р
        (KEYED.replace("Sum=", "Suм="), "qr_lookalike_key"),
        (KEYED.replace("BIC=044525225", "BIC=044525226"), "qr_bank_requisites"),
        (KEYED.replace("BIC=044525225", "BIC=04452522"), "qr_bank_requisites"),
        (
            KEYED.replace("CorrespAcc=30101810400000000225", "CorrespAcc=30101810400000000226"),
            "qr_bank_requisites",
        ),
        (KEYED.replace("PaymPeriod=032026", "PaymPeriod=132026"), "qr_invalid_period"),
        (KEYED + "|Sum=1", "qr_duplicate_key"),
        (KEYED + "|garbage", "qr_fragment"),
    ],
)
def test_defects_are_warnings(payload, code):
    qr = parse_payment_qr(payload)
    assert code in [w.code for w in qr.warnings]
    assert qr.account == "1234567890"


def test_a_lookalike_sum_gives_no_amount():
    qr = parse_payment_qr(KEYED.replace("Sum=", "Suм="))
    assert qr.amount is None and qr.unknown == (("Suм", "523045"),)


def test_qr_error_is_a_value_error():
    assert issubclass(QrError, ValueError)


def test_corr_account_zero_means_none():
    assert (
        parse_payment_qr(KEYED.replace("CorrespAcc=30101810400000000225", "CorrespAcc=0")).corresp_acc == "0"
    )


def test_build_writes_required_keys_first_in_order():
    payload = build_payment_qr(
        {"Sum": Decimal("5230.45"), "PaymPeriod": Period(2026, 3), "PersAcc": "1234567890", **BANK}
    )
    assert payload == (
        "ST00012|Name=ООО «УК Пример»|PersonalAcc=40702810200000012345|BankName=ПАО СБЕРБАНК|BIC=044525225|"
        "CorrespAcc=30101810400000000225|Sum=523045|PaymPeriod=032026|PersAcc=1234567890"
    )


TREASURY = {
    "Name": "УФК по г. Москве (ГБУ, л/с 2605642000830080)",
    "PersonalAcc": "03224643450000007300",
    "BankName": "ГУ Банка России по ЦФО//УФК по г.Москве",
    "BIC": "004525988",
    "CorrespAcc": "40102810545370000003",
}


def test_build_treasury_payee():
    payload = build_payment_qr({**TREASURY, "Sum": Decimal("100.00"), "CBC": "05600000000131131022"})
    qr = parse_payment_qr(payload)
    assert qr.warnings == () and qr.amount == Decimal("100.00") and qr.corresp_acc == "40102810545370000003"


def test_build_cp1251_payload_for_a_bank_that_requires_it():
    payload = build_payment_qr({**BANK, "Sum": Decimal("5230.45"), "LastName": "Иванов"}, encoding="cp1251")
    assert payload.startswith("ST00011|")
    raw = payment_qr_bytes(payload)
    assert raw == payload.encode("cp1251") and "Иванов".encode("cp1251") in raw
    qr = parse_payment_qr(raw)
    assert qr.get("LastName") == "Иванов" and qr.encoding == "cp1251" and qr.warnings == ()


def test_build_refuses_a_character_the_encoding_lacks():
    with pytest.raises(QrError, match="koi8-r"):
        build_payment_qr({**BANK, "Purpose": "ЖКУ № 5"}, encoding="koi8-r")
    with pytest.raises(QrError, match="не предусмотрена"):
        build_payment_qr(BANK, encoding="latin-1")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"Purpose": "ЖКУ | март"}, "«\\|»"),
        ({"Sum": 5230}, "Decimal"),
        ({"Sum": Decimal("1.005")}, "доли копейки"),
        ({"Sum": Decimal("-1")}, "отрицательной"),
        ({"Name": ""}, "Name"),
        ({"BankName": "Б" * 46}, "длиннее 45"),
        ({"PaymPeriod": "2026-03"}, "ММГГГГ"),
        ({"Сумма": "1"}, "нелатинские"),
        ({"PersonalAcc": "40702810900000012345"}, "контрольный ключ"),
        ({"CorrespAcc": "30101810400000000225", "BIC": "044525226"}, "контрольный ключ"),
        ({"CorrespAcc": "0", "BIC": "004525988", "PersonalAcc": "03224643450000007300"}, "40102"),
        ({"BIC": "004525988", "CorrespAcc": "40102810545370000003"}, "казначейский"),
        ({"PersonalAcc": "03224643450000007300"}, "казначейский"),
        ({"BIC": "024525225"}, "начинается с 04"),
        ({"persAcc": "1"}, "пишется как PersAcc"),
        ({"Purpuse": "1"}, "не предусмотрен"),
        ({"Purpose": " ЖКУ"}, "пробелом"),
    ],
)
def test_build_refusals(change, words):
    with pytest.raises(QrError, match=words):
        build_payment_qr({**BANK, **change})


def keyed_account(digits: str, bic: str) -> str:
    """A settlement account with its control digit (the 9th) set to make the key valid."""
    return next(a for d in "0123456789" if is_valid_settlement_account(a := digits[:8] + d + digits[8:], bic))


text_values = st.text(
    alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), max_size=40
).map(str.strip)  # a value we write has no surrounding spaces (reading drops them)


@given(
    name=text_values.filter(bool),
    # 03… is a treasury account, which a bank (BIC 04…) does not hold
    account_digits=st.text(alphabet="0123456789", min_size=19, max_size=19).filter(lambda d: d[:2] != "03"),
    kopecks=st.integers(min_value=0, max_value=10**15),
    period=st.builds(Period, st.integers(2000, 2100), st.integers(1, 12)),
    purpose=text_values,
    pers_acc=st.text(alphabet="0123456789", min_size=1, max_size=20),
)
def test_build_parse_round_trip(name, account_digits, kopecks, period, purpose, pers_acc):
    fields = {
        **BANK,
        "Name": name,
        "PersonalAcc": keyed_account(account_digits, "044525225"),
        "Sum": Decimal(kopecks).scaleb(-2),
        "PaymPeriod": period,
        "Purpose": purpose,
        "PersAcc": pers_acc,
    }
    qr = parse_payment_qr(build_payment_qr(fields))
    assert (qr.name, qr.personal_acc, qr.purpose, qr.account) == (
        name,
        fields["PersonalAcc"],
        purpose,
        pers_acc,
    )
    assert qr.amount == fields["Sum"] and qr.period == period
    assert [k for k, _ in qr.fields][:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]
