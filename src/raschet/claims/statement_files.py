"""The penalty statement (расчёт пеней) as a court accepts it, in PDF and XLSX: per accrual period its
rows (debt, from, to, days, fraction, rate, amount) with the payments as rows of their own, the total,
the due dates and the legal basis of every rule used. Built from :func:`penalty_statement`'s dict.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from raschet.claims import pdf
from raschet.domain.money import format_money

HEADER = ["Период начисления", "Задолженность, ₽", "С", "По", "Дней", "Доля ставки", "Ставка, %", "Пени, ₽"]
GROUPS = {"capital_repair": "взнос на капремонт"}


def _d(text: str) -> str:
    return date.fromisoformat(text).strftime("%d.%m.%Y")


def _period(text: str) -> str:
    return f"{text[5:7]}.{text[:4]}"


def lines(statement: dict) -> list[tuple[str, list[str]]]:
    """The table's lines in order, each ``(kind, cells)``: kind is ``row`` or ``payment``; the payments
    of a period follow the row they end (by date)."""
    groups = statement.get("groups") or ["standard"] * len(statement["rows"])
    by_period: dict[str, list[tuple[str, str, list[str]]]] = {}
    for row, group in zip(statement["rows"], groups, strict=True):
        label = _period(row["ref_period"]) + (f" ({GROUPS[group]})" if group in GROUPS else "")
        by_period.setdefault(row["ref_period"], []).append((row["to"], "0", [
            label, format_money(Decimal(row["base"])), _d(row["from"]), _d(row["to"]), str(row["days"]),
            row["fraction"], row["rate"].replace(".", ","), format_money(Decimal(row["amount"]))]))
    for pay in statement.get("payments", []):
        by_period.setdefault(pay["ref_period"], []).append((pay["date"], "1", [
            _period(pay["ref_period"]), f"−{format_money(Decimal(pay['amount']))}", _d(pay["date"]), "", "",
            "оплата", "", ""]))
    out = []
    for period in sorted(by_period):
        for _, kind, cells in sorted(by_period[period], key=lambda item: (item[0], item[1])):
            out.append(("payment" if kind == "1" else "row", cells))
    return out


def statement_pdf(statement: dict, header: dict) -> bytes:
    """``header``: ``account``, ``payer``, ``address``, ``creditor`` (plain strings)."""
    table_lines = lines(statement)
    shade = [i for i, (kind, _) in enumerate(table_lines) if kind == "payment"]
    story = [pdf.para(f"Расчёт пеней по лицевому счёту № {pdf.escape(header['account'])}", "title"),
             pdf.para(f"Плательщик: {pdf.escape(header['payer'])}"),
             pdf.para(f"Адрес: {pdf.escape(header['address'])}"),
             pdf.para(f"Взыскатель: {pdf.escape(header.get('creditor', ''))}"),
             pdf.para(f"Расчёт на {_d(statement['as_of'])} (включительно)"), pdf.gap(),
             pdf.table(HEADER, [cells for _, cells in table_lines], [28, 34, 22, 22, 12, 18, 16, 24],
                       total=["Итого пени", "", "", "", "", "", "", format_money(Decimal(statement["total"]))],
                       shade=shade),
             pdf.gap(), pdf.para(f"Итого пени: <b>{pdf.rub(statement['total'])}</b>"), pdf.gap(),
             pdf.para("Пени = задолженность × ставка × доля ставки × дней; каждая строка округлена до копеек, итог — "
                      "сумма строк. Пени на пени не начисляются.", "small")]
    if statement.get("due_dates"):
        dues = "; ".join(f"{_period(d['ref_period'])} — {_d(d['due'])}" for d in statement["due_dates"])
        story.append(pdf.para(f"Сроки оплаты: {pdf.escape(dues)}", "small"))
    story += [pdf.gap(2), pdf.para("Правовые основания:", "bold")]
    story += [pdf.para(f"• {pdf.escape(text)}", "small") for text in statement.get("legal_basis", [])]
    return pdf.render(story, title=f"Расчёт пеней {header['account']}")


def statement_xlsx(statement: dict, header: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Расчёт пеней"
    sheet.append([f"Расчёт пеней по лицевому счёту № {header['account']} на {_d(statement['as_of'])}"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([f"Плательщик: {header['payer']}"])
    sheet.append([f"Адрес: {header['address']}"])
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for kind, cells in lines(statement):
        values = [_number(c) if i in (1, 4, 7) and c else c for i, c in enumerate(cells)]
        sheet.append(values)
        if kind == "payment":
            sheet.cell(sheet.max_row, 6).font = Font(italic=True)
    sheet.append(["Итого пени", None, None, None, None, None, None, Decimal(statement["total"])])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    for text in statement.get("legal_basis", []):
        sheet.append([text])
    for column, width in zip("ABCDEFGH", (26, 18, 12, 12, 8, 12, 10, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(text: str) -> Decimal | int:
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("−", "-").replace(",", ".")
    return int(cleaned) if cleaned.lstrip("-").isdigit() and "." not in cleaned else Decimal(cleaned)
