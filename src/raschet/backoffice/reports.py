"""The back office's reports: the turnover sheet (``billing.turnover``), debt ageing, and collections
and transfers by supplier (``payments.settlements``), each with its Excel workbook. Each is one
aggregate query over the ledger (the ageing's is the store's, ``store.ledger.debt_by_age``), so its
totals are the ledger's totals, in exact kopecks.

Reading a report needs the permission ``access.view_reports`` (checked here, as every use case is).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from raschet import access
from raschet.access import require
from raschet.billing import turnover as turnover_sheet
from raschet.domain.periods import Period
from raschet.exchange.xlsx import SheetSpec, write_workbook
from raschet.payments import settlements
from raschet.store import ledger

AGE_BUCKETS = ((0, 0, "текущий месяц"), (1, 2, "1–2 месяца"), (3, 5, "3–5 месяцев"), (6, 11, "6–11 месяцев"),
               (12, 35, "1–3 года"), (36, None, "более 3 лет"))


def turnover(first: Period, last: Period, by: str, *, actor=None) -> list[turnover_sheet.TurnoverRow]:
    require(actor, access.VIEW_REPORTS)
    return turnover_sheet.turnover(first, last, by)


@dataclass(frozen=True)
class AgeRow:
    bucket: str
    accounts: int
    amount: Decimal


def debt_ageing(as_of: Period, building: str = "", *, actor=None) -> list[AgeRow]:
    """Outstanding principal (after payments, penalties apart) by the age of its accrual period at
    ``as_of``: accounts owing in each bucket and the amount; optionally for one building's code."""
    require(actor, access.VIEW_REPORTS)
    found = ledger.debt_by_age(as_of, [(low, high) for low, high, _name in AGE_BUCKETS], building)
    return [AgeRow(name, *found.get(n, (0, Decimal(0).scaleb(-2))))
            for n, (_low, _high, name) in enumerate(AGE_BUCKETS)]


@dataclass(frozen=True)
class SupplierRow:
    supplier: str
    collected: Decimal
    commission: Decimal
    to_transfer: Decimal


def collections(first: date, last: date, *, actor=None) -> tuple[list[SupplierRow], list[settlements.TransferRow]]:
    """Money collected for each supplier in ``[first, last]``, the agent's commission and what is to be
    transferred: totals by supplier, and the rows by supplier and day."""
    require(actor, access.VIEW_REPORTS)
    days = settlements.transfers(first, last)
    by_supplier: dict[str, list[Decimal]] = {}
    for row in days:
        name = f"{row.name} ({row.supplier})" if row.supplier else row.name
        sums = by_supplier.setdefault(name, [Decimal("0.00")] * 3)
        sums[0] += row.collected
        sums[1] += row.commission
        sums[2] += row.to_transfer
    return [SupplierRow(name, *sums) for name, sums in by_supplier.items()], days


def workbook_bytes(write: Callable[[Path], None]) -> bytes:
    """The bytes of a workbook that ``write(path)`` makes (openpyxl writes to a file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write(path)
        return path.read_bytes()


def turnover_xlsx(rows, title: str) -> bytes:
    return workbook_bytes(lambda path: turnover_sheet.write_xlsx(rows, path, title))


def ageing_xlsx(rows: list[AgeRow], title: str) -> bytes:
    total = ["Итого", sum(r.accounts for r in rows), sum((r.amount for r in rows), Decimal("0.00"))]
    return workbook_bytes(lambda path: write_workbook(path, [SheetSpec(
        "Возраст долга", title, ["Возраст долга", "Лицевых счетов с долгом", "Долг, ₽"],
        ([r.bucket, r.accounts, r.amount] for r in rows), total=total, widths={"A": 24, "B": 24, "C": 18},
        money="C")]))


def collections_xlsx(days: list[settlements.TransferRow], title: str) -> bytes:
    return workbook_bytes(lambda path: settlements.write_xlsx(days, path, title))
