"""The tables of the payment document: their columns, and their headers drawn once as PDF forms.

A header (titles over two or three lines, the grid of the header cells) is the same on every page,
so it is drawn once per file as a form XObject and placed at the table's height on each page with
one ``cm`` and one ``Do``; only the rows are drawn per page. The columns add up to the 190 mm
between the page margins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from raschet.documents.pdf.canvas import Canvas
from raschet.documents.pdf.fonts import EmbeddedFont

LEFT, WIDTH = 10.0, 190.0
ROW = 3.6  # mm, a row of 6.5 pt text
TEXT = 6.5
HEAD = 5.6
HEADER_FILL = 0.9


@dataclass(frozen=True)
class Column:
    title: str  # lines separated by "\n"
    width: float
    align: str = "right"  # of the cell's text


@dataclass(frozen=True)
class Table:
    name: str  # the form's resource name
    columns: tuple[Column, ...]
    header_height: float

    def edges(self) -> list[float]:
        """The x of each column's left edge, then the right edge of the last one."""
        xs, x = [], LEFT
        for column in self.columns:
            xs.append(x)
            x += column.width
        return xs + [x]


def _table(name: str, height: float, *columns: tuple) -> Table:
    table = Table(name, tuple(Column(*c) for c in columns), height)
    assert abs(sum(c.width for c in table.columns) - WIDTH) < 0.01, name
    return table


RECIPIENTS = _table(
    "HRecipients", 6.4, ("№", 5, "center"), ("Получатель платежа", 55, "left"), ("ИНН / КПП", 27, "left"),
    ("Банк получателя, БИК", 44, "left"), ("Расчётный счёт /\nкорр. счёт", 34, "left"),
    ("Сумма к оплате,\nруб.", 25))
SERVICES = _table(
    "HServices", 10.0, ("№\nпол.", 5, "center"), ("Виды услуг", 38, "left"), ("Ед.\nизм.", 9, "center"),
    ("Объём услуг\nиндивид.\nпотребление", 14), ("Объём\nна содерж.\nобщ. имущ.", 13), ("Спо-\nсоб*", 8, "center"),
    ("Тариф,\nруб./ед.", 14), ("Начислено\nза период,\nруб.", 17), ("Повыш.\nкоэфф.", 9, "center"),
    ("Размер\nпревыш.,\nруб.", 13), ("Перерас-\nчёты (+/−),\nруб.", 15), ("Льготы,\nсубсидии,\nруб.", 12),
    ("Итого\nк оплате\nза период, руб.", 23))
SUMMARY = _table(
    "HSummary", 6.4, ("№", 5, "center"), ("Получатель платежа", 64, "left"),
    ("Долг (+) / аванс (−)\nна начало периода", 26), ("Начислено за период\nс перерасчётами", 26),
    ("Пени", 16), ("Оплачено\nв периоде", 24), ("Итого к оплате,\nруб.", 29))
METERS = _table(
    "HMeters", 6.4, ("Услуга", 40, "left"), ("№ прибора учёта", 25, "left"), ("Зона", 13, "center"),
    ("Предыдущие\nпоказания", 24), ("дата", 16, "center"), ("Текущие\nпоказания", 24), ("дата", 16, "center"),
    ("Расход", 17), ("Ед. изм.", 15, "center"))
BUILDING = _table(
    "HBuilding", 6.4, ("Коммунальный ресурс", 45, "left"), ("Норматив на содержание\nобщего имущества", 35),
    ("Объём по дому:\nиндивидуальный", 28), ("Объём по дому:\nобщее имущество", 28),
    ("Показания ОДПУ:\nпредыдущие", 27), ("Показания ОДПУ:\nтекущие", 27))
RECALCULATIONS = _table(
    "HRecalculations", 3.8, ("Услуга", 48, "left"), ("За период", 18, "center"), ("Основание перерасчёта", 99, "left"),
    ("Сумма, руб.", 25))
INSTALMENTS = _table(
    "HInstalments", 6.4, ("Услуга", 48, "left"), ("От платы за\nрасчётный период", 28), ("От платы за\nпрошлые периоды", 28),
    ("Плата за\nрассрочку, руб.", 26), ("Плата за\nрассрочку, %", 20), ("Сумма к оплате\nс рассрочкой, руб.", 40))
TABLES = (RECIPIENTS, SERVICES, SUMMARY, METERS, BUILDING, RECALCULATIONS, INSTALMENTS)


def header_form(table: Table, fonts: Mapping[str, EmbeddedFont]) -> bytes:
    """The header of ``table`` with its top at y = 0 (the page's top edge), to be shifted into place."""
    canvas = Canvas(fonts)
    edges = table.edges()
    canvas.rect(LEFT, 0, WIDTH, table.header_height, fill=HEADER_FILL, stroke=True)
    for x in edges[1:-1]:
        canvas.line(x, 0, x, table.header_height, 0.2)
    for column, x in zip(table.columns, edges, strict=False):
        lines = column.title.split("\n")
        top = (table.header_height - len(lines) * 2.2) / 2 + 1.8
        for index, text in enumerate(lines):
            canvas.fitted(x + column.width / 2, top + index * 2.2, text, column.width - 1, "B", HEAD, "center", 4.5)
    return canvas.stream()


def header_forms(fonts: Mapping[str, EmbeddedFont]) -> dict[str, bytes]:
    return {table.name: header_form(table, fonts) for table in TABLES}


def rows(canvas: Canvas, table: Table, top: float, cells: list[list[str]], bold_last: bool = False,
         shade: set[int] | None = None) -> float:
    """The rows under the header placed at ``top``: the header form, each row's cells fitted to their
    columns, the grid; returns the y under the table."""
    canvas.parts.append(f"q 1 0 0 1 0 {-top * 72 / 25.4:.2f} cm /{table.name} Do Q")
    edges = table.edges()
    columns = [(x, column.width, column.align) for column, x in zip(table.columns, edges, strict=False)]
    y = top + table.header_height
    for index, row in enumerate(cells):
        font = "B" if bold_last and index == len(cells) - 1 else "R"
        if shade and index in shade:
            canvas.rect(LEFT, y, WIDTH, ROW, fill=0.96, stroke=False)
        canvas.row(columns, y + ROW - 1.0, row, font, TEXT)
        y += ROW
    bottom = y
    first = top + table.header_height  # the grid as one path: a rule under each row, a line at each edge
    canvas.segments([(LEFT, first + ROW * (n + 1), LEFT + WIDTH, first + ROW * (n + 1)) for n in range(len(cells))]
                    + [(x, first, x, bottom) for x in edges], 0.15, 0.55)
    canvas.rect(LEFT, top, WIDTH, bottom - top, width=0.3)
    return bottom


# ---------------------------------------------------------------- numbers as a Russian reader writes them

NBSP = "\u00a0"


_MONEY: dict[Decimal, str] = {}  # the same sums recur on thousands of pages; kept once written


def money(value: Decimal | None, blank_zero: bool = False) -> str:
    """``1 234,56``; negative with a minus sign; empty for None (and for zero when ``blank_zero``)."""
    if value is None or (blank_zero and value == 0):
        return ""
    text = _MONEY.get(value)
    if text is None:
        text = _money(value)
        if len(_MONEY) < 100_000:
            _MONEY[value] = text
    return text


def _money(value: Decimal) -> str:
    sign = "−" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{NBSP.join(groups)},{cents}"


def number(value: Decimal | None, places: int = 3) -> str:
    """A volume or reading with at most ``places`` decimals, trailing zeros dropped: ``5,123``, ``54,3``."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−").replace(".", ",")


def rate(value: Decimal | None) -> str:
    """A tariff: two decimals, more only when the tariff has them (``52,30``, ``3,1234``)."""
    if value is None:
        return ""
    places = max(2, min(6, -value.normalize().as_tuple().exponent))
    return f"{value:.{places}f}".replace(".", ",")


def day(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""
