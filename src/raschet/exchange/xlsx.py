"""Reports as Excel workbooks (openpyxl): one way to lay out a titled table, used by every report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"


@dataclass
class SheetSpec:
    """One sheet: a bold title row, a bold heading row, the rows, an optional bold total row.
    ``widths`` are per column letter; ``money`` and ``dates`` name the columns formatted as such."""

    name: str
    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence]
    total: Sequence | None = None
    widths: dict[str, float] = field(default_factory=dict)
    money: str = ""
    dates: str = ""


def write_workbook(path: Path, sheets: Sequence[SheetSpec]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name[:31])  # Excel's limit on sheet names
        sheet.append([spec.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(list(spec.headings))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            sheet.append(list(row))
        if spec.total is not None:
            sheet.append(list(spec.total))
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for column, width in spec.widths.items():
            sheet.column_dimensions[column].width = width
        for columns, number_format in ((spec.money, MONEY_FORMAT), (spec.dates, DATE_FORMAT)):
            for column in columns:
                for cell in sheet[column][2:]:
                    cell.number_format = number_format
    book.save(path)
