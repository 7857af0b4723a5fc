"""Bank statements in the 1CClientBankExchange format: recognised and named, not read as a registry.

A statement (выписка) lists the payment orders credited to and debited from the company's
account; it is not a registry of payments by residents.  Posting its payment orders comes with
legal entities (domain.md §12).  Until then a statement given to the registry import is named as
what it is, with its account, dates, count of payment orders and their total, instead of being
reported as a hundred malformed registry lines.

The format is text, ``key=value`` lines (Windows-1251 by ``Кодировка=Windows``, else CP866 for
``Кодировка=DOS``): a file header, ``СекцияРасчСчет`` … ``КонецРасчСчет`` with the account's
balances, and one ``СекцияДокумент=<kind>`` … ``КонецДокумента`` per document.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from raschet.domain.money import format_money
from raschet.exchange.encodings import detect
from raschet.exchange.problems import exchange_problem

MARKER = b"1CClientBankExchange"


class StatementSummary(NamedTuple):
    account: str
    first: str
    last: str
    documents: int
    total: Decimal
    kinds: tuple[str, ...]


def is_statement(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(MARKER)


def summarize(data: bytes) -> StatementSummary:
    """The account, period and documents of a 1CClientBankExchange file (read leniently: it is only named)."""
    encoding = "cp866" if "Кодировка=DOS".encode("cp866") in data else detect(data)[0]
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode(encoding, "replace")
    header: dict[str, str] = {}
    documents, total, kinds = 0, Decimal("0.00"), []
    inside = False
    for line in text.splitlines():
        key, _, value = line.strip().partition("=")
        if key == "СекцияДокумент":
            inside, documents = True, documents + 1
            kinds.append(value.strip())
        elif key == "КонецДокумента":
            inside = False
        elif inside and key == "Сумма":
            total += _amount(value)
        elif not inside:
            header.setdefault(key, value.strip())
    return StatementSummary(
        header.get("РасчСчет", "—"),
        header.get("ДатаНачала", "?"),
        header.get("ДатаКонца", "?"),
        documents,
        total,
        tuple(dict.fromkeys(kinds)),
    )


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return Decimal(0)


def statement_problem(source: str, summary: StatementSummary):
    """The refusal that names the statement: account, dates, documents and their total."""
    return exchange_problem(
        "registry_bank_statement",
        source,
        account=summary.account,
        first=summary.first,
        last=summary.last,
        documents=summary.documents,
        kinds=", ".join(k.lower() for k in summary.kinds) or "документов нет",
        total=format_money(summary.total),
    )
