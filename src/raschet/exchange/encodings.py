"""Text encodings of bank files: the four that banks send, and telling them apart by their bytes.

UTF-8 is recognised by its structure (Cyrillic in Windows-1251, KOI8-R or CP866 is practically
never valid UTF-8).  The three single-byte Cyrillic encodings decode any bytes, so each is tried
and scored by how Russian the text it gives reads: the share of the ten commonest Russian letters
(о е а и н т с р в л, about 55 % of the letters of any Russian text, names and addresses included)
among its Cyrillic letters, with letter case ignored (registries are often in capitals).  The
same bytes read in the wrong one of the three give rare letters and pseudo-graphics instead, and
score far lower; a file too short to tell (fewer than 8 Cyrillic letters) is read as Windows-1251,
the banks' usual choice, and the user is told so.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

ENCODINGS = ("utf-8", "cp1251", "cp866", "koi8-r")
SINGLE_BYTE = ("cp1251", "koi8-r", "cp866")
_COMMON = set("оеаинтсрвл")
_MIN_LETTERS = 8
_SAMPLE = 16384
_NON_ASCII = re.compile(rb"[\x80-\xff]")


class Decoded(NamedTuple):
    text: str
    encoding: str
    how: str  # "указана" (declared), "определена автоматически", "по умолчанию" (too little text to tell)

    def describe(self) -> str:
        return f"кодировка {self.encoding} ({self.how})"


def normalize(encoding: str) -> str | None:
    """One of :data:`ENCODINGS` for any spelling Python knows (``windows-1251``, ``KOI8_R``); else None."""
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        return None
    return name if name in ENCODINGS else None


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data`` in the declared encoding, else in the one :func:`detect` finds.

    Raises ``UnicodeDecodeError`` only when a declared encoding (or UTF-8 with a BOM) does not fit.
    """
    if declared:
        name = normalize(declared) or declared
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            return Decoded(data.decode("utf-8-sig"), "utf-8", "указана")
        return Decoded(data.decode(name), name, "указана")
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data.decode("utf-8-sig"), "utf-8", "определена автоматически")
    encoding, how = detect(data)
    return Decoded(data.decode(encoding), encoding, how)


def detect(data: bytes) -> tuple[str, str]:
    """The encoding of ``data`` and how it was chosen."""
    if data.isascii() or _is_utf8(data):
        return "utf-8", "определена автоматически"
    # Score the text where the Cyrillic is: a file may open with thousands of ASCII-only lines.
    start = _NON_ASCII.search(data).start()  # type: ignore[union-attr]
    sample = data[start : start + _SAMPLE]
    scores = {name: _score(sample.decode(name)) for name in SINGLE_BYTE}
    best = max(scores, key=lambda name: scores[name][0])
    if scores[best][1] < _MIN_LETTERS:
        return "cp1251", "по умолчанию: слишком мало русского текста, чтобы определить"
    return best, "определена автоматически"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _score(text: str) -> tuple[float, int]:
    """(share of common Russian letters among Cyrillic letters, number of Cyrillic letters)."""
    letters = [c for c in text.casefold() if "а" <= c <= "я" or c == "ё"]
    if not letters:
        return 0.0, 0
    # Pseudo-graphics and other non-letters above ASCII count against the encoding.
    noise = sum(1 for c in text if ord(c) > 127 and not c.isalpha() and c not in "№«»–—…\u00a0")
    common = sum(1 for c in letters if c in _COMMON)
    return (common - noise) / (len(letters) + noise), len(letters)
