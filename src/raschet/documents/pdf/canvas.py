"""Drawing operators of a PDF content stream, in millimetres from the top left of an A4 page.

A page of a payment document is a few hundred strings and lines; writing their operators directly
(``BT /R 7 Tf x y Td <0123…> Tj ET``) costs a few microseconds each, where a general-purpose layout
library spends tens (docs/documents.md has the measurements). The canvas knows nothing of documents:
:mod:`raschet.documents.layout` says what goes where.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from raschet.documents.pdf.fonts import EmbeddedFont

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
PAGE_BOX = f"[0 0 {PAGE_WIDTH * MM:.2f} {PAGE_HEIGHT * MM:.2f}]"
ELLIPSIS = "…"
COMPRESSION = 3  # zlib level: 6 makes pages 4 % smaller at twice the time


class Canvas:
    """Operators accumulated as text; ``fonts`` maps the resource names used here to their faces."""

    def __init__(self, fonts: Mapping[str, EmbeddedFont]) -> None:
        self.fonts = fonts
        self.parts: list[str] = []

    # ---------------------------------------------------------------- text
    def text(self, x: float, y: float, text: str, font: str = "R", size: float = 7.0,
             align: str = "left", natural: float | None = None) -> None:
        """``text`` on the baseline ``y`` (mm from the top); ``align`` left, right or centre of ``x``
        (``natural``: its width in points when the caller knows it)."""
        if not text:
            return
        face = self.fonts[font]
        if align != "left":
            width = face.width(text, size) / MM if natural is None else natural / MM
            x -= width if align == "right" else width / 2
        self.parts.append(f"BT /{font} {size:g} Tf {x * MM:.2f} {(PAGE_HEIGHT - y) * MM:.2f} Td "
                          f"<{face.encode(text)}> Tj ET")

    def fit(self, text: str, width: float, font: str = "R", size: float = 7.0, smallest: float = 5.0
            ) -> tuple[str, float, float]:
        """``text``, a size at which it fits ``width`` mm and its width there in points: smaller down to
        ``smallest`` points, then shortened with an ellipsis — a long name must never run into the next
        column."""
        face = self.fonts[font]
        room = width * MM
        natural = face.width(text, size)
        if natural <= room:
            return text, size, natural
        fitted = round(max(smallest, size * room / natural) - 0.05, 1)
        if fitted >= smallest and face.width(text, fitted) <= room:
            return text, fitted, face.width(text, fitted)
        while text and face.width(text + ELLIPSIS, smallest) > room:
            text = text[:-1]
        text = text.rstrip() + ELLIPSIS
        return text, smallest, face.width(text, smallest)

    def fitted(self, x: float, y: float, text: str, width: float, font: str = "R", size: float = 7.0,
               align: str = "left", smallest: float = 5.0) -> None:
        """:meth:`text` made to fit ``width`` mm (see :meth:`fit`); ``x`` is the left edge for left
        alignment and the right edge for right alignment."""
        if text:
            text, size, natural = self.fit(text, width, font, size, smallest)
            self.text(x, y, text, font, size, align, natural)

    def cell(self, left: float, width: float, y: float, text: str, font: str = "R", size: float = 7.0,
             align: str = "left", pad: float = 0.8) -> None:
        """``text`` in a table cell from ``left`` over ``width`` mm, ``pad`` inside its edges: the fast
        path of :meth:`fitted` for the hundreds of cells of a page (one width computed per cell)."""
        if not text:
            return
        face = self.fonts[font]
        room = (width - 2 * pad) * MM
        natural = face.width(text, size)
        if natural > room:
            text, size, natural = self.fit(text, width - 2 * pad, font, size, 4.5)
        x = left * MM + pad * MM if align == "left" else (
            (left + width - pad) * MM - natural if align == "right" else (left + width / 2) * MM - natural / 2)
        self.parts.append(f"BT /{font} {size:g} Tf {x:.2f} {(PAGE_HEIGHT - y) * MM:.2f} Td <{face.encode(text)}> Tj ET")

    def row(self, columns: list[tuple[float, float, str]], y: float, texts: list[str], font: str = "R",
            size: float = 7.0, pad: float = 0.8) -> None:
        """A table row at once: ``texts`` in the cells ``columns`` (left, width mm, align) on the baseline
        ``y``, each placed as :meth:`cell` places it, in one text object that selects the font once —
        the hundreds of cells of a page cost less to write and to deflate."""
        face = self.fonts[font]
        base = f"{(PAGE_HEIGHT - y) * MM:.2f} Tm <"
        shown, current = [f"BT /{font} {size:g} Tf"], size
        for (left, width, align), text in zip(columns, texts, strict=False):
            if not text:
                continue
            wanted, natural = size, face.width(text, size)
            if natural > (width - 2 * pad) * MM:
                text, wanted, natural = self.fit(text, width - 2 * pad, font, size, 4.5)
            if wanted != current:
                shown.append(f"/{font} {wanted:g} Tf")
                current = wanted
            x = (left + pad) * MM if align == "left" else (
                (left + width - pad) * MM - natural if align == "right" else (left + width / 2) * MM - natural / 2)
            shown.append(f"1 0 0 1 {x:.2f} {base}{face.encode(text)}> Tj")
        if len(shown) > 1:
            self.parts.append(" ".join(shown) + " ET")

    def lines(self, x: float, y: float, texts: list[str], width: float, font: str = "R", size: float = 7.0,
              leading: float = 3.0) -> float:
        """Several lines from ``y`` down, each fitted to ``width``; returns the baseline after the last."""
        for text in texts:
            self.fitted(x, y, text, width, font, size)
            y += leading
        return y

    def wrap(self, text: str, width: float, font: str = "R", size: float = 7.0) -> list[str]:
        """``text`` broken at spaces into lines that fit ``width`` mm."""
        face, room = self.fonts[font], width * MM
        out, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if line and face.width(candidate, size) > room:
                out.append(line)
                line = word
            else:
                line = candidate
        return out + ([line] if line else [])

    # ---------------------------------------------------------------- shapes
    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.25, gray: float = 0.0) -> None:
        self.parts.append(f"{gray:g} G {width:g} w {x1 * MM:.2f} {(PAGE_HEIGHT - y1) * MM:.2f} m "
                          f"{x2 * MM:.2f} {(PAGE_HEIGHT - y2) * MM:.2f} l S")

    def segments(self, lines: list[tuple[float, float, float, float]], width: float = 0.25, gray: float = 0.0) -> None:
        """Straight lines (x1, y1, x2, y2) of one width and gray, stroked as one path."""
        if lines:
            path = " ".join(f"{x1 * MM:.2f} {(PAGE_HEIGHT - y1) * MM:.2f} m {x2 * MM:.2f} {(PAGE_HEIGHT - y2) * MM:.2f} l"
                            for x1, y1, x2, y2 in lines)
            self.parts.append(f"{gray:g} G {width:g} w {path} S")

    def rect(self, x: float, y: float, w: float, h: float, fill: float | None = None, stroke: bool = True,
             width: float = 0.25) -> None:
        """A rectangle with its top left at (``x``, ``y``); ``fill`` a gray level (0 black, 1 white)."""
        box = f"{x * MM:.2f} {(PAGE_HEIGHT - y - h) * MM:.2f} {w * MM:.2f} {h * MM:.2f} re"
        if fill is not None:
            self.parts.append(f"{fill:g} g {box} {'B' if stroke else 'f'} 0 g")
        else:
            self.parts.append(f"{width:g} w {box} S")

    def image(self, name: str, x: float, y: float, w: float, h: float) -> None:
        """The image XObject ``name`` in the box with its top left at (``x``, ``y``)."""
        self.parts.append(f"q {w * MM:.2f} 0 0 {h * MM:.2f} {x * MM:.2f} {(PAGE_HEIGHT - y - h) * MM:.2f} cm "
                          f"/{name} Do Q")

    def form(self, name: str) -> None:
        self.parts.append(f"q /{name} Do Q")

    def stream(self) -> bytes:
        """The operators, deflated: the data of a content stream or form XObject."""
        return zlib.compress("\n".join(self.parts).encode("ascii"), COMPRESSION)
