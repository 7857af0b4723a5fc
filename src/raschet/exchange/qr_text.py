"""The text layer of GOST R 56042 payment codes: the standard's keys, encodings and period spellings.

What scanners and receipts really hand over, and how each is read:

* keys in any letter case (``persAcc``, ``PERSACC``) are the standard's key; a key with
  Cyrillic look-alike letters (``ОКТМО``, ``Suм``) is not, and is named with the key it imitates;
* the encoding flag names the bytes' encoding (``1`` Windows-1251, ``2`` UTF-8, ``3`` KOI8-R);
  a code labelled Windows-1251 or KOI8-R whose bytes are valid UTF-8 is UTF-8 (Windows-1251
  Cyrillic text is practically never valid UTF-8);
* a scanner that decoded the bytes as Latin-1 (or Windows-1252, or read UTF-8 as Windows-1251)
  hands over mojibake: such text is turned back into its bytes and decoded properly;
* ``PaymPeriod`` as ``MMYYYY``, ``MYYYY``, ``MMYY``, ``MM.YYYY``, ``MM/YYYY``, ``YYYY-MM``, or a
  month name (``Март, 2021 г.``).
"""

from __future__ import annotations

import re

from raschet.domain.periods import Period

ENCODINGS = {"1": "cp1251", "2": "utf-8", "3": "koi8-r"}
FLAGS = {encoding: flag for flag, encoding in ENCODINGS.items()}

# Every key of GOST R 56042-2014 (required, additional and other), spelled as the standard does.
REQUIRED_KEYS = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
STANDARD_KEYS = REQUIRED_KEYS + (
    "Sum", "Purpose", "PayeeINN", "PayerINN", "DrawerStatus", "KPP", "CBC", "OKTMO", "PaytReason",
    "TaxPeriod", "DocNo", "DocDate", "TaxPaytKind",
    "LastName", "FirstName", "MiddleName", "PayerAddress", "PersonalAccount", "DocIdx", "PensAcc",
    "Contract", "PersAcc", "Flat", "Phone", "PayerIdType", "PayerIdNum", "ChildFio", "BirthDate",
    "PaymTerm", "PaymPeriod", "Category", "ServiceName", "CounterId", "CounterVal", "QuittId",
    "QuittDate", "InstNum", "ClassNum", "SpecFio", "AddAmount", "RuleId", "ExecId", "RegType", "UIN",
    "TechCode",
)  # fmt: skip
CANONICAL = {key.casefold(): key for key in STANDARD_KEYS}

# Cyrillic letters that look like Latin ones, as they turn up in hand-typed key names.
_LOOKALIKES = str.maketrans("АВСЕНІКМОРТХУаеіорсхуЅѕвкмнт", "ABCEHIKMOPTXYaeiopcxySsbkmht")
_MONTHS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
_MONTH_NAME = re.compile(r"([а-яё]+)\.?[\s,]*(\d{4}|\d{2})(?:\s*(?:г|года?)\.?)?", re.IGNORECASE)
_NUMERIC = re.compile(r"(\d{1,2})[./\-\s](\d{4}|\d{2})|(\d{4})[.\-/](\d{1,2})")


def canonical_key(key: str) -> str | None:
    """The standard's spelling of ``key`` matched without regard to case; ``None`` if it is not one."""
    return CANONICAL.get(key.casefold()) if key.isascii() else None


def imitated_key(key: str) -> str | None:
    """The standard key that a key with Cyrillic look-alike letters imitates (``ОКТМО`` → OKTMO)."""
    if key.isascii():
        return None
    latin = key.translate(_LOOKALIKES)
    return canonical_key(latin) if latin.isascii() else None


def read_period(text: str) -> Period | None:
    """A ``PaymPeriod`` in any spelling receipts use, or ``None`` when it names no month."""
    text = text.strip()
    try:
        if text.isdigit():
            return _digits_period(text)
        match = _NUMERIC.fullmatch(text)
        if match:
            month, year = (match[1], match[2]) if match[1] else (match[4], match[3])
            return Period(_year(year), int(month))
        match = _MONTH_NAME.fullmatch(text)
        if match:
            name = match[1].casefold()
            month = next((i for i, stem in enumerate(_MONTHS, 1) if name.startswith(stem)), None)
            return Period(_year(match[2]), month) if month else None
    except ValueError:  # month 13, year 0
        return None
    return None


def _digits_period(text: str) -> Period | None:
    if len(text) == 6:  # MMYYYY, or YYYYMM where that is the only reading
        month, year = int(text[:2]), int(text[2:])
        if not 1 <= month <= 12 and text[:2] in ("19", "20"):
            month, year = int(text[4:]), int(text[:4])
        return Period(year, month)
    if len(text) == 5:  # MYYYY
        return Period(int(text[1:]), int(text[0]))
    if len(text) == 4:  # MMYY
        return Period(_year(text[2:]), int(text[:2]))
    return None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


class QrError(ValueError):
    """The payload is not a GOST R 56042 payment code (reading), or a value cannot be written
    (building); the message says why and what to fix, in Russian."""


def strip_prefix(data: bytes) -> bytes:
    """Drop what scanners put before the header: a UTF-8 BOM, whitespace, an AIM id (``]Q1``)."""
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:2] == b"]Q" and data[2:3].isdigit():
        data = data[3:]
    return data.lstrip()


def strip_text_prefix(text: str) -> str:
    """:func:`strip_prefix` for text."""
    text = text.lstrip("\ufeff \t\r\n")
    if text[:2] == "]Q" and text[2:3].isdigit():
        text = text[3:]
    return text.lstrip()


def decode_bytes(data: bytes) -> tuple[str, str, str]:
    """Decode a code's raw bytes: ``(text, encoding used, note)``; the note says what was corrected."""
    flag = data[6:7].decode("ascii", errors="replace")
    declared = ENCODINGS.get(flag, "utf-8")
    if declared != "utf-8" and not data.isascii() and _is_utf8(data):
        return data.decode("utf-8"), "utf-8", f"в заголовке указана кодировка {declared}, а данные — в UTF-8"
    try:
        return data.decode(declared), declared, ""
    except UnicodeDecodeError:
        pass
    return data.decode("cp1251"), "cp1251", f"в заголовке указана кодировка {declared}, а данные — в cp1251"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def repair_text(text: str) -> tuple[str, str, str]:
    """Undo a scanner's wrong decoding: ``(text, encoding of the bytes, note)``; note "" if none was needed.

    Text is repaired only when the repaired text has Cyrillic letters and the original had none
    (Latin-1 / Windows-1252 mojibake), or when it is UTF-8 read as Windows-1251 (``РћРћРћ``).
    """
    if _has_cyrillic(text):
        raw = _encoded(text, "cp1251")
        if raw is not None and not raw.isascii() and _is_utf8(raw):
            fixed = raw.decode("utf-8")
            if _has_cyrillic(fixed):
                return fixed, "utf-8", "сканер передал UTF-8 как текст в cp1251"
        return text, "", ""
    for scanner in ("latin-1", "cp1252"):
        raw = _encoded(text, scanner)
        if raw is None or raw.isascii():
            continue
        fixed, encoding, _ = decode_bytes(raw)
        if _has_cyrillic(fixed):
            return fixed, encoding, f"сканер передал данные в {encoding} как текст в кодировке {scanner}"
    return text, "", ""


def _encoded(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)
