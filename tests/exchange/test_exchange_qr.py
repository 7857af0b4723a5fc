"""Payment QR codes (GOST R 56042-2014): the domain.md §9 example, refusals, round trip."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raschet.domain.identifiers import is_valid_settlement_account
from raschet.domain.periods import Period
from raschet.exchange import QrError, build_payment_qr, parse_payment_qr

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


def test_domain_example_verbatim_fails_the_account_key():
    with pytest.raises(QrError, match="контрольный ключ"):
        parse_payment_qr(EXAMPLE)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (KEYED.replace("ST00012", "ST00022"), "ST0001"),
        (KEYED.replace("ST00012", "ST00019"), "признака кодировки"),
        ("hello", "ST0001"),
        (KEYED.replace("|BankName=ПАО СБЕРБАНК", ""), "BankName"),
        (KEYED.replace("|BIC=044525225", "|BIC="), "BIC"),
        (KEYED.replace("Sum=523045", "Sum=5230.45"), "копеек"),
        (KEYED.replace("Sum=523045", "Sum=5230,45"), "копеек"),
        (KEYED.replace("Sum=523045", "Sum=-1"), "копеек"),
        (KEYED.replace("KPP=", "\u041a\u0420\u0420="), "нелатинские"),  # Cyrillic К, Р, Р
        (KEYED.replace("Sum=", "Suм="), "CYRILLIC SMALL LETTER EM"),
        (KEYED.replace("BIC=044525225", "BIC=044525226"), "Неверные банковские реквизиты"),
        (KEYED.replace("BIC=044525225", "BIC=04452522"), "9 цифр"),
        (
            KEYED.replace("CorrespAcc=30101810400000000225", "CorrespAcc=30101810400000000226"),
            "корреспондентский",
        ),
        (KEYED.replace("PaymPeriod=032026", "PaymPeriod=03.2026"), "ММГГГГ"),
        (KEYED.replace("PaymPeriod=032026", "PaymPeriod=132026"), "ММГГГГ"),
        (KEYED + "|Sum=1", "дважды"),
        (KEYED + "|garbage", "реквизит=значение"),
    ],
)
def test_refusals(payload, words):
    with pytest.raises(QrError, match=words):
        parse_payment_qr(payload)


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
)


@given(
    name=text_values.filter(bool),
    account_digits=st.text(alphabet="0123456789", min_size=19, max_size=19),
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
