"""Russian registration and bank identifiers, checked by their control digits.

A typo in an ИНН or a bank account sends money nowhere, so every identifier is checked on
entry.  Each ``validate_*`` returns ``None`` or raises :class:`IdentifierError` saying what
is wrong (length, non-digits, control digit); each ``is_valid_*`` is its boolean twin.

Algorithms:

* ИНН: 10 digits (organisation) or 12 (individual); each control digit is a weighted sum
  mod 11 mod 10.
* КПП: ``NNNNPPXXX`` — 4 digits, 2 digits or capital Latin letters, 3 digits.
* БИК: 9 digits starting with ``04`` (a bank or a unit of the Bank of Russia), or with ``00``
  or ``01`` (a territorial body of the Federal Treasury, ТОФК, since 2021).
* Account (расчётный счёт): the last 3 digits of the BIC followed by the 20 account digits,
  weighted 7, 1, 3, 7, 1, 3…, must sum to a multiple of 10.  For a correspondent account
  the prefix is ``"0"`` and digits 5–6 of the BIC.
* Treasury payees: the payee's account is a treasury account (казначейский счёт) ``03…``,
  whose digits 9–13 carry a budget code where a bank account has its control key, so it is
  not keyed; the correspondent account is the treasury's single account (ЕКС) ``40102…``,
  keyed as a correspondent account.  A bank's correspondent account ends with the BIC's
  last 3 digits; an ЕКС does not.
* ОГРН: 13 digits, the first 12 as a number mod 11 mod 10; ОГРНИП: 15 digits, the first 14
  mod 13 mod 10.
* СНИЛС: 11 digits, optionally written ``123-456-789 01``; the control number is the sum of
  the first 9 digits weighted 9…1, taken mod 101, with 100 and 101 giving ``00``; numbers up
  to 001-001-998 were issued before check numbers and are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from raschet.domain.errors import Problem, problem

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
ACCOUNT_WEIGHTS = (7, 1, 3) * 8  # 23 digits are needed: 3 from the BIC and 20 from the account
BANK_BIC_PREFIX = "04"
TREASURY_BIC_PREFIXES = ("00", "01")
TREASURY_ACCOUNT_PREFIX = "03"
SINGLE_TREASURY_ACCOUNT_PREFIX = "40102"
SNILS_UNCHECKED_MAX = 1_001_998

_DIGITS = re.compile(r"[0-9]+")
_KPP = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")
_SNILS_PUNCTUATED = re.compile(r"([0-9]{3})-([0-9]{3})-([0-9]{3})[ -]([0-9]{2})")


class IdentifierError(ValueError):
    """An identifier failed validation; ``kind``, ``value`` and ``reason`` are kept for reports."""

    def __init__(self, kind: str, value: object, reason: str) -> None:
        self.kind, self.value, self.reason = kind, value, reason
        super().__init__(self.to_problem("").message)

    def to_problem(self, subject: str) -> Problem:
        return problem("invalid_identifier", subject, kind=self.kind, value=self.value, reason=self.reason)


def _digits(kind: str, value: object, lengths: Sequence[int], length_text: str) -> str:
    """Check that ``value`` is a string of ASCII digits of one of ``lengths``; return it."""
    if not isinstance(value, str):
        raise IdentifierError(kind, value, "ожидается строка цифр (число теряет ведущие нули)")
    if not _DIGITS.fullmatch(value):
        raise IdentifierError(kind, value, "допустимы только цифры 0–9, без пробелов и других знаков")
    if len(value) not in lengths:
        raise IdentifierError(kind, value, f"должно быть {length_text}, указано символов: {len(value)}")
    return value


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def _control_mismatch(kind: str, value: str) -> IdentifierError:
    return IdentifierError(kind, value, "не сходится контрольная цифра; проверьте номер на опечатку")


def validate_inn(value: str) -> None:
    """ИНН of an organisation (10 digits) or of an individual or sole trader (12 digits)."""
    inn = _digits("ИНН", value, (10, 12), "10 цифр (организация) или 12 цифр (физическое лицо, ИП)")
    if len(inn) == 10:
        expected = [_weighted(inn, INN10_WEIGHTS) % 11 % 10]
    else:
        expected = [_weighted(inn, INN12_WEIGHTS_11) % 11 % 10, _weighted(inn, INN12_WEIGHTS_12) % 11 % 10]
    if [int(d) for d in inn[-len(expected) :]] != expected:
        raise _control_mismatch("ИНН", inn)


def validate_kpp(value: str) -> None:
    """КПП: tax office (4 digits), reason (2 digits or capital Latin letters), number (3 digits)."""
    if not isinstance(value, str) or len(value) != 9:
        length = len(value) if isinstance(value, str) else "не строка"
        raise IdentifierError("КПП", value, f"должно быть 9 символов, указано символов: {length}")
    if not _KPP.fullmatch(value):
        raise IdentifierError(
            "КПП", value, "ожидается 4 цифры, 2 цифры или заглавные латинские буквы, затем 3 цифры"
        )


def validate_bic(value: str) -> None:
    """БИК: 9 digits, starting with 04 (a bank) or 00/01 (a body of the Federal Treasury)."""
    bic = _digits("БИК", value, (9,), "9 цифр")
    if not bic.startswith(BANK_BIC_PREFIX) and not bic.startswith(TREASURY_BIC_PREFIXES):
        raise IdentifierError(
            "БИК",
            bic,
            "БИК банка в России начинается с 04, БИК органа Федерального казначейства — с 00 или 01",
        )


def is_treasury_bic(bic: str) -> bool:
    """A BIC of a territorial body of the Federal Treasury (ТОФК): its payees hold treasury accounts."""
    return isinstance(bic, str) and len(bic) == 9 and bic.startswith(TREASURY_BIC_PREFIXES)


def validate_settlement_account(account: str, bic: str) -> None:
    """Расчётный счёт keyed with the last 3 digits of the bank's BIC, or a treasury account 03…."""
    validate_bic(bic)
    if is_treasury_bic(bic):
        number = _digits("казначейский счёт", account, (20,), "20 цифр")
        if not number.startswith(TREASURY_ACCOUNT_PREFIX):
            raise IdentifierError(
                "казначейский счёт",
                number,
                f"БИК {bic} — орган Федерального казначейства: счёт получателя в нём казначейский и "
                f"начинается с 03; проверьте счёт и БИК",
            )
        return  # digits 9–13 of a treasury account are a budget code, not a control key
    number = _digits("расчётный счёт", account, (20,), "20 цифр")
    if number.startswith(TREASURY_ACCOUNT_PREFIX):
        raise IdentifierError(
            "расчётный счёт",
            number,
            f"счёт 03… — казначейский, он открывается в органе Федерального казначейства (БИК 00… или "
            f"01…), а не в банке с БИК {bic}; проверьте счёт и БИК",
        )
    if _weighted(bic[-3:] + number, ACCOUNT_WEIGHTS) % 10 != 0:
        raise IdentifierError(
            "расчётный счёт", number, f"не сходится контрольный ключ с БИК {bic}; проверьте счёт и БИК"
        )


def validate_corr_account(account: str, bic: str) -> None:
    """Корреспондентский счёт (for a treasury BIC, the ЕКС 40102…), keyed with "0" and BIC digits 5–6."""
    validate_bic(bic)
    treasury = is_treasury_bic(bic)
    kind = "единый казначейский счёт" if treasury else "корреспондентский счёт"
    number = _digits(kind, account, (20,), "20 цифр")
    if treasury and not number.startswith(SINGLE_TREASURY_ACCOUNT_PREFIX):
        raise IdentifierError(
            kind,
            number,
            f"БИК {bic} — орган Федерального казначейства: корреспондентским счётом указывается единый "
            f"казначейский счёт, он начинается с 40102",
        )
    if _weighted("0" + bic[4:6] + number, ACCOUNT_WEIGHTS) % 10 != 0:
        raise IdentifierError(kind, number, f"не сходится контрольный ключ с БИК {bic}; проверьте счёт и БИК")


def validate_bank_requisites(bic: str, account: str, corresp: str) -> None:
    """A payee's BIC, account and correspondent account together, as a payment order carries them.

    ``corresp`` is ``"0"`` for a bank without one (a unit of the Bank of Russia); a bank's
    correspondent account ends with the last 3 digits of its BIC.  A treasury payee always has
    the ЕКС.
    """
    validate_settlement_account(account, bic)
    if corresp == "0":
        if not is_treasury_bic(bic):
            return
        raise IdentifierError(
            "единый казначейский счёт",
            corresp,
            f"БИК {bic} — орган Федерального казначейства: корреспондентским счётом указывается единый "
            f"казначейский счёт 40102…, «0» не допускается",
        )
    validate_corr_account(corresp, bic)
    if not is_treasury_bic(bic) and corresp[-3:] != bic[-3:]:
        raise IdentifierError(
            "корреспондентский счёт",
            corresp,
            f"последние три цифры должны совпадать с последними тремя цифрами БИК {bic}; проверьте счёт и БИК",
        )


def validate_ogrn(value: str) -> None:
    """ОГРН of an organisation (13 digits) or ОГРНИП of a sole trader (15 digits)."""
    ogrn = _digits("ОГРН", value, (13, 15), "13 цифр (ОГРН) или 15 цифр (ОГРНИП)")
    kind, modulus = ("ОГРН", 11) if len(ogrn) == 13 else ("ОГРНИП", 13)
    if int(ogrn[:-1]) % modulus % 10 != int(ogrn[-1]):
        raise _control_mismatch(kind, ogrn)


def validate_snils(value: str) -> None:
    """СНИЛС, as 11 digits or as ``123-456-789 01``."""
    snils = _normalize_snils(value)
    number = int(snils[:9])
    if number <= SNILS_UNCHECKED_MAX:
        return  # issued before control numbers existed
    if snils_control(snils[:9]) != int(snils[9:]):
        raise IdentifierError("СНИЛС", value, "не сходится контрольное число; проверьте номер на опечатку")


def _normalize_snils(value: object) -> str:
    if isinstance(value, str):
        match = _SNILS_PUNCTUATED.fullmatch(value)
        if match:
            return "".join(match.groups())
    return _digits("СНИЛС", value, (11,), "11 цифр (можно в виде 123-456-789 01)")


def snils_control(first_nine: str) -> int:
    """The two-digit control number for the first 9 digits of a СНИЛС."""
    total = _weighted(first_nine, range(9, 0, -1))
    # 100 and 101 both give 00; sums above 101 are reduced mod 101 first, which can give 100 again.
    return total % 101 % 100


def _is_valid(validate: Callable[..., None], *args: str) -> bool:
    try:
        validate(*args)
    except IdentifierError:
        return False
    return True


def is_valid_inn(value: str) -> bool:
    return _is_valid(validate_inn, value)


def is_valid_kpp(value: str) -> bool:
    return _is_valid(validate_kpp, value)


def is_valid_bic(value: str) -> bool:
    return _is_valid(validate_bic, value)


def is_valid_settlement_account(account: str, bic: str) -> bool:
    return _is_valid(validate_settlement_account, account, bic)


def is_valid_corr_account(account: str, bic: str) -> bool:
    return _is_valid(validate_corr_account, account, bic)


def is_valid_bank_requisites(bic: str, account: str, corresp: str) -> bool:
    return _is_valid(validate_bank_requisites, bic, account, corresp)


def is_valid_ogrn(value: str) -> bool:
    return _is_valid(validate_ogrn, value)


def is_valid_snils(value: str) -> bool:
    return _is_valid(validate_snils, value)
