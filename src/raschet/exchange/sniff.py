"""What an unrecognised registry file looks like, said in the refusal so the user knows which mapping to add.

A delimited file without a saved mapping cannot be imported (which column is the ЛС?), but the
refusal can say what was recognised: the encoding, the delimiter, the number of fields, whether
the first line is a header and what it says, which fields hold dates (and in which layout) and
amounts — and give the skeleton of the mapping to save.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from raschet.exchange.encodings import decode

DELIMITERS = (";", "|", "\t", ",")
_DATE_LAYOUTS = (
    (re.compile(r"\d{2}\.\d{2}\.\d{4}"), "%d.%m.%Y"),
    (re.compile(r"\d{2}/\d{2}/\d{4}"), "%d/%m/%Y"),
    (re.compile(r"\d{2}-\d{2}-\d{4}"), "%d-%m-%Y"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
)
_AMOUNT = re.compile(r"\d+[.,]\d{2}")
_SAMPLE_LINES = 20


def describe_text(data: bytes, saved: list[str]) -> str:
    """A Russian paragraph: what the file looks like and the mapping to save for it."""
    decoded = decode(data)
    lines = [line for line in decoded.text.splitlines() if line.strip()][:_SAMPLE_LINES]
    if not lines:
        return "файл пуст"
    delimiter = _delimiter(lines)
    rows = [[cell.strip() for cell in line.split(delimiter)] for line in lines]
    width = Counter(len(row) for row in rows).most_common(1)[0][0]
    header = rows[0] if len(rows) > 1 and not _has_data(rows[0]) else None
    body = rows[1:] if header else rows
    parts = [f"{decoded.describe()}, разделитель «{_name(delimiter)}», полей в строке: {width}"]
    if header:
        parts.append("первая строка — заголовок: " + ", ".join(f"«{t}»" for t in header[:12] if t))
    found, guesses = _columns(body)
    parts += [f"{what} в колонках {', '.join(map(str, cols))}" for what, cols in found.items() if cols]
    skeleton = _skeleton(delimiter, decoded.encoding, 1 if header else 0, guesses)
    advice = (
        f"сохраните шаблон реестра этого банка (raschet payments mapping save ФАЙЛ.json), например "
        f"{json.dumps(skeleton, ensure_ascii=False)}, указав номера колонок ЛС, суммы и даты, и загрузите "
        f"файл с --format mapping:ИМЯ"
    )
    if saved:
        advice += f"; уже сохранённые шаблоны: {', '.join(saved)}"
    return "; ".join(parts) + ". Чтобы загрузить его, " + advice


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the lines into the same, largest number of fields."""

    def steadiness(d: str) -> tuple[int, int]:
        counts = Counter(line.count(d) for line in lines)
        common, times = counts.most_common(1)[0]
        return (times if common else 0, common)

    return max(DELIMITERS, key=steadiness)


def _has_data(row: list[str]) -> bool:
    return any(_AMOUNT.fullmatch(c) or any(p.fullmatch(c) for p, _ in _DATE_LAYOUTS) for c in row)


def _columns(body: list[list[str]]) -> tuple[dict[str, list], dict[str, object]]:
    """What the columns hold (for the message), and first guesses for the mapping's skeleton."""
    dates: dict[int, str] = {}
    amounts: list[int] = []
    for index in range(max((len(r) for r in body), default=0)):
        cells = [r[index] for r in body if index < len(r) and r[index]]
        if not cells:
            continue
        layout = next((f for p, f in _DATE_LAYOUTS if all(p.fullmatch(c) for c in cells)), None)
        if layout:
            dates[index] = layout
        elif all(_AMOUNT.fullmatch(c) for c in cells):
            amounts.append(index)
    described = {
        "даты": [f"{i} ({_layout(layout)})" for i, layout in dates.items()],
        "суммы": amounts,
    }
    first_date = next(iter(dates.items()), ("?", "%d.%m.%Y"))
    return described, {"paid_on": first_date[0], "date_format": first_date[1], "amount": (amounts or ["?"])[0]}


def _layout(date_format: str) -> str:
    return date_format.replace("%d", "ДД").replace("%m", "ММ").replace("%Y", "ГГГГ")


def _skeleton(delimiter: str, encoding: str, skip: int, guesses: dict[str, object]) -> dict:
    return {
        "name": "bank-x",
        "format": "csv",
        "encoding": encoding,
        "delimiter": delimiter,
        "skip_rows": skip,
        "date_format": guesses["date_format"],
        "columns": {"paid_on": guesses["paid_on"], "account": "?", "amount": guesses["amount"]},
    }


def _name(delimiter: str) -> str:
    return {"\t": "табуляция"}.get(delimiter, delimiter)
