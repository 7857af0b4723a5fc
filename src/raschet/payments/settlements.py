"""Settlements with suppliers under the agent scheme (domain.md §7): per supplier and day, what was
collected for it, the agent's commission (a dated percentage of its agent contract, HALF_UP per
supplier-day), and what is to be transferred. Money kept as an advance belongs to no supplier yet
and is listed apart.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from raschet.domain.money import round_money
from raschet.exchange.xlsx import SheetSpec, write_workbook
from raschet.payments.models import AgentContract
from raschet.store import ledger

HEADINGS = ("Дата", "Поставщик", "ИНН", "Собрано", "Вознаграждение агента, %", "Вознаграждение", "К перечислению")


@dataclass(frozen=True)
class TransferRow:
    day: date
    supplier: str
    name: str
    inn: str
    collected: Decimal
    percent: Decimal
    commission: Decimal
    to_transfer: Decimal

    def values(self) -> tuple:
        return (self.day, self.supplier and f"{self.name} ({self.supplier})" or self.name, self.inn, self.collected,
                Decimal(f"{self.percent.normalize():f}"), self.commission, self.to_transfer)


def _commission_percent(supplier_id: int | None, day: date, contracts: list[AgentContract]) -> Decimal:
    for contract in contracts:
        if contract.supplier_id == supplier_id and contract.valid_from <= day and (
                contract.valid_to is None or day < contract.valid_to):
            return contract.commission_percent
    return Decimal(0)


def transfers(first: date, last: date) -> list[TransferRow]:
    """One row per supplier and payment day in ``[first, last]`` (both included)."""
    rows = sorted(ledger.collected_by_supplier(first, last),
                  key=lambda r: (r[0], r[2] is None, r[2] or ""))  # the advance last on its day
    contracts = list(AgentContract.objects.all())
    result = []
    for day, supplier_id, code, name, inn, kopecks in rows:
        collected = Decimal(kopecks).scaleb(-2)
        if supplier_id is None:
            result.append(TransferRow(day, "", "Аванс (поставщик ещё не определён)", "", collected, Decimal(0),
                                      Decimal("0.00"), Decimal("0.00")))
            continue
        percent = _commission_percent(supplier_id, day, contracts)
        commission = round_money(collected * percent / 100)
        result.append(TransferRow(day, code, name, inn, collected, percent, commission, collected - commission))
    return result


def write_csv(rows: list[TransferRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # the BOM lets Excel read the Cyrillic
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADINGS)
        for row in rows:
            writer.writerow([str(value).replace(".", ",") if isinstance(value, Decimal) else value
                             for value in row.values()])


def write_xlsx(rows: list[TransferRow], path: Path, title: str) -> None:
    widths = dict(zip("ABCDEFG", (12, 48, 14, 16, 12, 16, 18), strict=True))
    write_workbook(path, [SheetSpec("Перечисления", title, HEADINGS, (row.values() for row in rows),
                                    widths=widths, money="DFG", dates="A")])
