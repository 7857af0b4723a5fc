"""JSON from outside (a scenario file, an API body): numbers as ``Decimal`` (never float), no NaN or
Infinity, a bounded nesting depth, and a problem — never an exception of the parser — when it is
not such JSON. Bytes that are not UTF-8 are named by their likely encoding, so the user knows what
to re-save the file as.
"""

from __future__ import annotations

import json
from decimal import Decimal

from raschet.domain.errors import ProblemsError, problem

MAX_DEPTH = 64


def _refuse_constant(name: str):
    raise ValueError(f"{name} не является числом: укажите число, например 0")


def depth(node: object) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack += [(value, level + 1) for value in item.values()]
        elif isinstance(item, list):
            stack += [(value, level + 1) for value in item]
    return deepest


def guess_encoding(data: bytes) -> str:
    """A Russian name of the encoding ``data`` is most likely in (it is not UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    text = data.decode("cp1251", errors="replace")
    cyrillic = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text)
    koi = data.decode("koi8_r", errors="replace")
    koi_lower = sum("а" <= ch <= "я" for ch in koi)
    cp_lower = sum("а" <= ch <= "я" for ch in text)
    if cyrillic and koi_lower > cp_lower:
        return "KOI8-R"
    return "Windows-1251 (cp1251)" if cyrillic else "не UTF-8 (неизвестная кодировка)"


def decode_utf8(data: bytes, subject: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProblemsError([problem("invalid_file", subject, reason=(
            f"файл не в кодировке UTF-8 (байт 0x{data[error.start]:02x} в позиции {error.start}); похоже, это "
            f"{guess_encoding(data)}: пересохраните файл в UTF-8"))]) from None


def load_json(text: str | bytes, subject: str, max_depth: int = MAX_DEPTH) -> object:
    """Parse JSON; a ``ProblemsError`` naming ``subject`` (and the line and column) on any failure."""
    if isinstance(text, bytes):
        text = decode_utf8(text, subject)
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError:
        raise ProblemsError([problem("invalid_file", subject, reason=f"вложенность JSON больше {max_depth} уровней")]) \
            from None
    except json.JSONDecodeError as error:
        raise ProblemsError([problem("invalid_file", f"{subject}:{error.lineno}:{error.colno}",
                                     reason=f"это не JSON ({error.msg})")]) from None
    except ValueError as error:  # NaN, Infinity; an integer too long for Python to convert
        raise ProblemsError([problem("invalid_file", subject, reason=f"это не JSON Расчёта ({error})")]) from None
    if depth(value) > max_depth:
        raise ProblemsError([problem("invalid_file", subject, reason=f"вложенность JSON больше {max_depth} уровней")])
    return value
