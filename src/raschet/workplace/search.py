"""One search box: account number, address (with or without «ул.», «д.», «кв.» and punctuation),
payer, phone or meter serial — in any letter case, on SQLite and PostgreSQL alike.

Each account has one normalised text (:class:`raschet.workplace.models.SearchEntry`) in segments:
`` number | address and flat | payer | phone | meter serials |``. The query is normalised the same
way (:func:`normalise`) and every word of it must begin a word of the text; a number of up to four
digits (a house, a flat) must be a whole word, so «огородная 2 6» finds flat 6 of house 2 and not
flat 61. Results where the words follow one another as typed, ending the address («огородная 2 6»
in «… огородная 2 6 |»), are *precise*: one precise result opens the card directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from raschet.workplace.models import SearchEntry

# Address words that carry no information of their own: dropped from the text and from queries alike.
ADDRESS_WORDS = frozenset(
    "г гор город ул улица д дом кв квартира корп корпус к стр строение пр пр-т пр-кт просп проспект "
    "пер переулок б-р бульвар наб набережная мкр мкрн микрорайон пос поселок п пгт обл область р-н район "
    "пом помещение лит литера ком комната".split())
_HYPHENATED = re.compile(r"\b(пр-т|пр-кт|б-р|р-н)\b")
_NON_WORD = re.compile(r"[^0-9a-zа-я]+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-zа-я])|(?<=[a-zа-я])(?=\d)")
_PHONE_LIKE = re.compile(r"^[\d\s()+\-.]+$")
WHOLE_NUMBER_DIGITS = 4  # a number this short is a house or a flat: matched whole, never as a prefix
CANDIDATES = 500
SHOWN = 50


def normalise(text: str) -> list[str]:
    """The words of ``text``: lower case, «ё» as «е», punctuation dropped, digits parted from letters
    («2а» → 2 а), address words («ул.», «д.», «кв.» …) left out."""
    text = (text or "").lower().replace("ё", "е")
    text = _HYPHENATED.sub(" ", text)
    text = _DIGIT_LETTER.sub(" ", _NON_WORD.sub(" ", text))
    return [word for word in text.split() if word not in ADDRESS_WORDS]


def phone_digits(phone: str) -> str:
    """A Russian phone as its ten national digits (+7 / 8 dropped); other numbers as their digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]
    return digits


def entry_text(number: str, address: str, flat: str, payer: str, phone: str, serials: list[str]) -> str:
    segments = [normalise(number), normalise(address) + normalise(flat), normalise(payer),
                [phone_digits(phone)] if phone_digits(phone) else [], [w for s in serials for w in normalise(s)]]
    return " " + " | ".join(" ".join(words) for words in segments) + " |"


@dataclass(frozen=True)
class Parsed:
    words: list[str]
    alternatives: list[str]  # for a number-like query: the digit strings that may begin a word


def parse(query: str) -> Parsed:
    query = (query or "").strip()
    if _PHONE_LIKE.match(query) and len(re.sub(r"\D", "", query)) > WHOLE_NUMBER_DIGITS:
        digits = re.sub(r"\D", "", query)
        if len(digits) == 11 and digits[0] in "78":  # a whole phone: its ten national digits, nothing else
            return Parsed([digits], [digits[1:]])
        national = {phone_digits(query)}
        if query.startswith(("+7", "8")) and len(digits) < 11:  # the beginning of a phone, typed as dialled
            national.add(digits[1:])
        return Parsed([digits], sorted({digits} | national))
    return Parsed(normalise(query), [])


def _word_condition(word: str) -> Q:
    if word.isdigit() and len(word) <= WHOLE_NUMBER_DIGITS:
        return Q(text__contains=f" {word} ")
    return Q(text__contains=f" {word}")


def condition(parsed: Parsed) -> Q | None:
    if parsed.alternatives:
        either = Q()
        for digits in parsed.alternatives:
            either |= Q(text__contains=f" {digits}")
        return either
    if not parsed.words:
        return None
    both = Q()
    for word in parsed.words:
        both &= _word_condition(word)
    return both


def _in_order(words: list[str], text: str) -> bool:
    position = 0
    for word in words:
        found = text.find(f" {word}", position)
        if found < 0:
            return False
        position = found + len(word) + 1
    return True


def _matches(word: str, typed: str) -> bool:
    if typed.isdigit() and len(typed) <= WHOLE_NUMBER_DIGITS:
        return word == typed
    return word.startswith(typed)


def rank(parsed: Parsed, text: str) -> int:
    """2 — precise (the words as typed, ending the address); 1 — in the order typed; 0 — anywhere."""
    if parsed.alternatives or not parsed.words:
        return 1
    parts = text.split(" | ")
    address = parts[1].split() if len(parts) > 1 else []
    tail = address[-len(parsed.words):]
    if len(tail) == len(parsed.words) and all(map(_matches, tail, parsed.words)):
        return 2
    return 1 if _in_order(parsed.words, text) else 0


@dataclass(frozen=True)
class Found:
    account_ids: list[int]  # best first, at most SHOWN
    precise: list[int]
    more: bool  # more candidates than shown: the operator should say more


def find(query: str) -> Found:
    """The accounts matching ``query``, best first (see the module's docstring)."""
    from raschet.workplace.indexing import top_up

    parsed = parse(query)
    where = condition(parsed)
    if where is None:
        return Found([], [], False)
    top_up()
    rows = list(SearchEntry.objects.filter(where).values_list("account_id", "text")[:CANDIDATES])
    ranked = sorted(((rank(parsed, text), text, pk) for pk, text in rows), key=lambda r: (-r[0], r[1]))
    return Found([pk for _, _, pk in ranked[:SHOWN]], [pk for score, _, pk in ranked if score == 2],
                 len(rows) > SHOWN)
