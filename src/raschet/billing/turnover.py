"""The turnover sheet (оборотно-сальдовая ведомость): opening balance, charged, recalculated, penalties,
paid and closing balance for a range of posting periods, grouped by account, building, service or
supplier — one aggregate query over the ledger's rows as the store gives them
(:func:`raschet.store.ledger.balances_and_entries`), so its totals are the ledger's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import connection

from raschet.domain.periods import Period
from raschet.exchange.xlsx import SheetSpec, write_workbook
from raschet.store import ledger

KOPECKS = "e.kopecks"
GROUPS = {
    "account": ("a.number", "a.payer"),
    "building": ("b.code", "b.address"),
    "service": ("COALESCE(s.code, 'advance')", "COALESCE(s.name, 'Аванс (не распределено)')"),
    "supplier": ("COALESCE(o.code, 'advance')", "COALESCE(o.name, 'Аванс (не распределено)')"),
}
COLUMNS = ("opening", "charged", "recalculated", "penalty", "paid", "closing")
HEADINGS = {"opening": "Сальдо на начало", "charged": "Начислено", "recalculated": "Перерасчёт",
            "penalty": "Пени", "paid": "Оплачено", "closing": "Сальдо на конец"}


@dataclass(frozen=True)
class TurnoverRow:
    key: str
    name: str
    opening: Decimal
    charged: Decimal
    recalculated: Decimal
    penalty: Decimal
    paid: Decimal
    closing: Decimal


def turnover(first: Period, last: Period | None = None, by: str = "account") -> list[TurnoverRow]:
    """Rows of the sheet for posting periods ``first``..``last``. The opening balance starts from the
    latest balance snapshot before ``first`` (closed periods keep one) plus the entries after it."""
    if by not in GROUPS:
        raise ValueError(f"Группировка «{by}» неизвестна; допустимы: {', '.join(GROUPS)}.")
    last = last or first
    key, name = GROUPS[by]
    start = str(first)
    # the snapshot's balances as opening rows (period '' sorts before every period), then the entries after it
    movements, params = ledger.balances_and_entries(ledger.last_snapshot(first), last)
    inside = "e.period >= %s"
    sql = f"""
        SELECT {key}, {name},
          SUM(CASE WHEN e.period < %s THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'charge' THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind IN ('recalc', 'correction') THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'penalty' THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'payment' THEN -{KOPECKS} ELSE 0 END),
          SUM({KOPECKS})
        FROM ({movements}) e
        JOIN housing_account a ON a.id = e.account_id
        JOIN housing_premises p ON p.id = a.premises_id
        JOIN housing_building b ON b.id = p.building_id
        LEFT JOIN tariffs_service s ON s.id = e.service_id
        LEFT JOIN tariffs_organization o ON o.id = e.supplier_id
        GROUP BY {key}, {name} ORDER BY {key}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, start, start, start, start, *params])
        rows = cursor.fetchall()
    return [TurnoverRow(str(k), str(n), *(Decimal(v or 0).scaleb(-2) for v in values)) for k, n, *values in rows]


def totals(rows: list[TurnoverRow]) -> dict[str, Decimal]:
    return {column: sum((getattr(r, column) for r in rows), Decimal(0)) for column in COLUMNS}


def write_xlsx(rows: list[TurnoverRow], path: Path, title: str) -> None:
    """The sheet as an Excel workbook: a header, one row per group, a total row, money formatted."""
    sums = totals(rows)
    write_workbook(path, [SheetSpec(
        "ОСВ", title, ["Код", "Наименование", *(HEADINGS[c] for c in COLUMNS)],
        ([row.key, row.name, *(getattr(row, c) for c in COLUMNS)] for row in rows),
        total=["Итого", "", *(sums[c] for c in COLUMNS)],
        widths={"B": 40, **{c: 16 for c in "CDEFGH"}}, money="CDEFGH")])
