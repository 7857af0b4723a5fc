"""Small reportlab toolkit for the claims documents: A4 pages, the Cyrillic font, paragraphs and tables.

Low volumes (one debtor's documents at a time), so Platypus' flowables are fine; the mass payment
document renderer is another matter (H6's documents app).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from raschet.domain.money import format_money
from raschet.fonts import FAMILY, register_reportlab


def styles() -> dict[str, ParagraphStyle]:
    register_reportlab()
    base = ParagraphStyle("base", fontName=FAMILY, fontSize=10, leading=13)
    return {"base": base,
            "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
            "title": ParagraphStyle("title", parent=base, fontName=f"{FAMILY}-Bold", fontSize=13, leading=17,
                                    alignment=TA_CENTER, spaceAfter=6),
            "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
            "bold": ParagraphStyle("bold", parent=base, fontName=f"{FAMILY}-Bold")}


def rub(value: Decimal | str) -> str:
    return f"{format_money(Decimal(value))} ₽"


def escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: str = "base") -> Paragraph:
    return Paragraph(text, styles()[style])


def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None,
          total: Sequence[str] | None = None, shade: Sequence[int] = ()) -> Table:
    """A ruled table with a bold header and an optional bold total row; ``shade``: rows to grey."""
    small = styles()["small"]
    cells = [[Paragraph(f"<b>{escape(h)}</b>", small) for h in header]]
    cells += [[Paragraph(escape(c), small) for c in row] for row in rows]
    if total is not None:
        cells.append([Paragraph(f"<b>{escape(c)}</b>", small) for c in total])
    grid = Table(cells, colWidths=[w * mm for w in widths] if widths else None, repeatRows=1)
    commands = [("GRID", (0, 0), (-1, -1), 0.4, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))]
    commands += [("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#f3f3f3")) for i in shade]
    grid.setStyle(TableStyle(commands))
    return grid


def render(story: list, *, wide: bool = False, title: str = "") -> bytes:
    """The flowables as a PDF (A4, landscape when ``wide``)."""
    buffer = io.BytesIO()
    size = landscape(A4) if wide else A4
    document = SimpleDocTemplate(buffer, pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, title=title, author="Расчёт")
    document.build(story)
    return buffer.getvalue()


def gap(height: float = 4) -> Spacer:
    return Spacer(1, height * mm)
