"""The turnover sheet (оборотно-сальдовая ведомость): opening balance, charged, recalculated, penalties,
paid and closing balance for a range of posting periods, grouped by account, building, service or
supplier — one aggregate query over the ledger, so its totals are the ledger's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import connection

from raschet.billing.exact import units
from raschet.billing.models import Balance
from raschet.domain.periods import Period
from raschet.exchange.xlsx import SheetSpec, write_workbook

KOPECKS = units("e.amount")
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
    snapshot = Balance.objects.filter(period__lt=start).order_by("-period").values_list("period", flat=True).first()
    inside = "e.period >= %s"
    sql = f"""
        SELECT {key}, {name},
          SUM(CASE WHEN e.period < %s THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'charge' THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind IN ('recalc', 'correction') THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'penalty' THEN {KOPECKS} ELSE 0 END),
          SUM(CASE WHEN {inside} AND e.kind = 'payment' THEN -{KOPECKS} ELSE 0 END),
          SUM({KOPECKS})
        FROM ({_MOVEMENTS}) e
        JOIN housing_account a ON a.id = e.account_id
        JOIN housing_premises p ON p.id = a.premises_id
        JOIN housing_building b ON b.id = p.building_id
        LEFT JOIN tariffs_service s ON s.id = e.service_id
        LEFT JOIN tariffs_organization o ON o.id = e.supplier_id
        GROUP BY {key}, {name} ORDER BY {key}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, start, start, start, start, snapshot or "", snapshot or "", str(last)])
        rows = cursor.fetchall()
    return [TurnoverRow(str(k), str(n), *(Decimal(v or 0).scaleb(-2) for v in values)) for k, n, *values in rows]


# the snapshot's balances as opening entries (period '' sorts before every period), then the entries after it
_MOVEMENTS = """
    SELECT account_id, service_id, supplier_id, '' AS period, 'balance' AS kind, closing AS amount
      FROM billing_balance WHERE period = %s
    UNION ALL
    SELECT account_id, service_id, supplier_id, period, kind, amount
      FROM billing_entry WHERE period > %s AND period <= %s"""


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
