"""Tests for Russian identifiers, against public examples and independently coded check digits."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from raschet.domain.identifiers import (
    IdentifierError,
    is_treasury_bic,
    is_valid_bank_requisites,
    is_valid_bic,
    is_valid_corr_account,
    is_valid_inn,
    is_valid_kpp,
    is_valid_ogrn,
    is_valid_settlement_account,
    is_valid_snils,
    validate_bank_requisites,
    validate_bic,
    validate_inn,
    validate_kpp,
    validate_ogrn,
    validate_settlement_account,
    validate_snils,
)

# Reference routines written differently from the implementation on purpose.
# The ИНН weights are the tail of one published sequence, one digit shorter per check digit.
INN_SEQUENCE = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def ref_inn_digit(prefix: str) -> int:
    return sum(int(d) * w for d, w in zip(prefix, INN_SEQUENCE[-len(prefix) :], strict=True)) % 11 % 10


def ref_make_inn(body: str) -> str:
    """Append one check digit to 9 digits, or two to 10 digits."""
    if len(body) == 9:
        return body + str(ref_inn_digit(body))
    first = body + str(ref_inn_digit(body))
    return first + str(ref_inn_digit(first))


def ref_account_key(prefix3: str, account: str) -> int:
    """Bank of Russia procedure: key digit (position 9) zeroed, low digits of products summed, ×3."""
    digits = prefix3 + account[:8] + "0" + account[9:]
    weights = (7, 1, 3) * 8
    low_digit_sum = sum(int(d) * w % 10 for d, w in zip(digits, weights, strict=False))
    return low_digit_sum % 10 * 3 % 10


def ref_snils_sum(first_nine: str) -> int:
    return sum(int(d) * (9 - i) for i, d in enumerate(first_nine))


def ref_snils_control(first_nine: str) -> int:
    """As worded in the rules: below 100 itself; 100 or 101 → 00; above 101 → mod 101, 100 → 00."""
    total = ref_snils_sum(first_nine)
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


SBER_BIC = "044525225"


@pytest.mark.parametrize("inn", ["7707083893", "500100732259"])
def test_known_valid_inns(inn):
    assert validate_inn(inn) is None
    assert ref_make_inn(inn[:-1] if len(inn) == 10 else inn[:-2]) == inn


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("7707083894", "контрольная цифра"),
        ("500100732258", "контрольная цифра"),
        ("77070838", "указано символов: 8"),
        ("770708389a", "только цифры"),
        ("7707 083893", "только цифры"),
        ("７７０７０８３８９３", "только цифры"),
        (7707083893, "строка"),
    ],
)
def test_invalid_inns_say_what_is_wrong(value, reason):
    with pytest.raises(IdentifierError, match=reason) as info:
        validate_inn(value)
    assert info.value.kind == "ИНН"
    assert str(info.value).startswith("Неверный ИНН")
    assert not is_valid_inn(value)


def test_identifier_error_becomes_a_problem():
    with pytest.raises(IdentifierError) as info:
        validate_inn("7707083894")
    found = info.value.to_problem("organizations[0].inn")
    assert found.code == "invalid_identifier"
    assert found.subject == "organizations[0].inn"
    assert "7707083894" in found.message


@pytest.mark.parametrize(
    ("kpp", "ok"),
    [
        ("773601001", True),
        ("7736AB001", True),
        ("7736ab001", False),
        ("77360100", False),
        ("A73601001", False),
    ],
)
def test_kpp(kpp, ok):
    assert is_valid_kpp(kpp) is ok


def test_kpp_message():
    with pytest.raises(IdentifierError, match="9 символов"):
        validate_kpp("12345")


@pytest.mark.parametrize(
    ("bic", "ok"),
    [(SBER_BIC, True), ("034525225", False), ("024525225", False), ("04452522", False), ("04452522x", False),
     ("004525988", True), ("018073401", True)],
)
def test_bic(bic, ok):
    assert is_valid_bic(bic) is ok


def test_bic_message_explains_prefix():
    with pytest.raises(IdentifierError, match="начинается с 04"):
        validate_bic("034525225")


# Treasury payees as public payment requisites print them (ТОФК BIC, treasury account, ЕКС).
TREASURY = [
    ("004525988", "03224643450000007300", "40102810545370000003"),  # УФК по г. Москве
    ("018073401", "03214643000000010100", "40102810045370000067"),  # Республика Башкортостан
    ("012520101", "03100643000000013400", "40102810145370000026"),  # Иркутская область
    ("015773997", "03214643000000015600", "40102810145370000048"),  # Пермский край
    ("007162163", "03224643718000008700", "40102810245370000007"),  # Ханты-Мансийск
]


@pytest.mark.parametrize(("bic", "account", "corresp"), TREASURY)
def test_treasury_payees_are_valid(bic, account, corresp):
    assert is_valid_bic(bic) and is_treasury_bic(bic) and not is_treasury_bic(SBER_BIC)
    assert is_valid_settlement_account(account, bic)
    assert is_valid_corr_account(corresp, bic)
    assert validate_bank_requisites(bic, account, corresp) is None
    # The ЕКС is keyed as a correspondent account: one changed digit fails.
    assert not is_valid_corr_account(corresp[:-1] + str((int(corresp[-1]) + 1) % 10), bic)


@pytest.mark.parametrize(
    ("bic", "account", "corresp", "words"),
    [
        ("004525988", "40702810938000000001", "40102810545370000003", "начинается с 03"),
        ("004525988", "03224643450000007300", "30101810400000000225", "40102"),
        ("004525988", "03224643450000007300", "0", "40102"),
        (SBER_BIC, "03224643450000007300", "30101810400000000225", "казначейский"),
        (SBER_BIC, "40702810938000000001", "30101810400000000226", "контрольный ключ"),
        ("044525226", "40702810938000000001", "30101810400000000225", "контрольный ключ"),
    ],
)
def test_bank_requisites_that_do_not_agree(bic, account, corresp, words):
    with pytest.raises(IdentifierError, match=words):
        validate_bank_requisites(bic, account, corresp)
    assert not is_valid_bank_requisites(bic, account, corresp)


def test_bank_without_correspondent_account_and_last_three_digits():
    assert is_valid_bank_requisites(SBER_BIC, "40702810938000000001", "0")
    assert is_valid_bank_requisites(SBER_BIC, "40702810938000000001", "30101810400000000225")


def test_known_correspondent_account():
    account = "30101810400000000225"
    assert ref_account_key("0" + SBER_BIC[4:6], account) == int(account[8])
    assert is_valid_corr_account(account, SBER_BIC)
    assert not is_valid_corr_account("30101810500000000225", SBER_BIC)
    # A correspondent account is keyed differently from a settlement account.
    assert not is_valid_settlement_account(account, SBER_BIC)


def test_settlement_account_keyed_with_bic():
    account = "40702810938000000001"
    assert ref_account_key(SBER_BIC[-3:], account) == int(account[8])
    assert validate_settlement_account(account, SBER_BIC) is None
    with pytest.raises(IdentifierError, match="контрольный ключ"):
        validate_settlement_account("40702810938000000002", SBER_BIC)
    with pytest.raises(IdentifierError, match="БИК"):
        validate_settlement_account(account, "12345")


@pytest.mark.parametrize("ogrn", ["1027700132195"])
def test_known_ogrn(ogrn):
    assert validate_ogrn(ogrn) is None


def test_ogrnip_and_ogrn_errors():
    body = "30450011600015"
    assert is_valid_ogrn(body + str(int(body) % 13 % 10))
    with pytest.raises(IdentifierError, match="ОГРНИП"):
        validate_ogrn(body + str((int(body) % 13 + 1) % 10))
    with pytest.raises(IdentifierError, match="13 цифр"):
        validate_ogrn("12345")


@pytest.mark.parametrize("snils", ["112-233-445 95", "11223344595", "112-233-445-95"])
def test_known_snils_formats(snils):
    assert validate_snils(snils) is None


@pytest.mark.parametrize("snils", ["112-233-445 96", "112 233 445 95", "1122334459", "112-233-44595"])
def test_invalid_snils(snils):
    assert not is_valid_snils(snils)


def test_old_snils_numbers_are_not_checked():
    assert is_valid_snils("001-001-998 00")
    assert not is_valid_snils("001-001-999 00")


@pytest.mark.parametrize(
    ("body", "weighted_sum"), [("001019989", 100), ("001019998", 101), ("222222256", 100)]
)
def test_snils_sums_100_and_101_give_00(body, weighted_sum):
    assert ref_snils_sum(body) == weighted_sum
    assert is_valid_snils(body + "00")
    assert not is_valid_snils(body + "01")


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _mutate(value: str, position: int, digit: str) -> str:
    assume(value[position] != digit)
    return value[:position] + digit + value[position + 1 :]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9), digits)
def test_generated_inn10_valid_and_single_digit_changes_fail(body, position, digit):
    inn = ref_make_inn(body)
    assert is_valid_inn(inn)
    changed = _mutate(inn, position, digit)
    remainders = {
        sum(int(d) * w for d, w in zip(s, INN_SEQUENCE[2:], strict=False)) % 11 for s in (inn, changed)
    }
    # mod 11 always notices the change, but remainders 10 and 0 both fold to the check digit 0.
    if remainders != {0, 10} or position == 9:
        assert not is_valid_inn(changed)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 11), digits)
def test_generated_inn12_valid_and_agrees_with_reference_after_change(body, position, digit):
    inn = ref_make_inn(body)
    assert is_valid_inn(inn)
    changed = _mutate(inn, position, digit)
    assert is_valid_inn(changed) == (ref_make_inn(changed[:10]) == changed)
    if position >= 10:
        assert not is_valid_inn(changed)


@given(st.integers(min_value=1_002_000, max_value=999_999_999), st.integers(0, 10), digits)
def test_generated_snils_valid_and_single_digit_changes_fail(number, position, digit):
    body = f"{number:09d}"
    snils = body + f"{ref_snils_control(body):02d}"
    assert is_valid_snils(snils)
    assert is_valid_snils(f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}")
    changed = _mutate(snils, position, digit)
    assume(int(changed[:9]) > 1_001_998)
    folded = {ref_snils_sum(s[:9]) % 101 for s in (snils, changed)} == {0, 100}
    if not folded or position >= 9:
        assert not is_valid_snils(changed)


# 03… is a treasury account, held only at a treasury BIC (tested below)
@given(st.text(alphabet="0123456789", min_size=20, max_size=20).filter(lambda d: d[:2] != "03"),
       st.integers(0, 19), digits)
def test_generated_settlement_accounts_valid_and_single_digit_changes_fail(raw, position, digit):
    account = raw[:8] + str(ref_account_key(SBER_BIC[-3:], raw)) + raw[9:]
    assert is_valid_settlement_account(account, SBER_BIC)
    # Weights 7, 1, 3 are coprime with 10, so any single changed digit changes the sum mod 10.
    assert not is_valid_settlement_account(_mutate(account, position, digit), SBER_BIC)


@given(st.integers(min_value=10**11, max_value=10**12 - 1), st.integers(0, 12), digits)
def test_generated_ogrn_valid_and_control_digit_changes_fail(number, position, digit):
    ogrn = f"{number}{number % 11 % 10}"
    assert is_valid_ogrn(ogrn)
    changed = _mutate(ogrn, position, digit)
    assert is_valid_ogrn(changed) == (int(changed[:12]) % 11 % 10 == int(changed[12]))
