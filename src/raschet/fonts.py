"""The Cyrillic TrueType fonts documents are drawn with: one place that knows their paths.

DejaVu (Debian package ``fonts-dejavu-core``, installed by ``scripts/setup`` when missing) covers
Cyrillic and the ₽ sign. ``font_path(style)`` returns the file; ``register_reportlab()`` registers
the family with reportlab under the names ``RaschetSans`` / ``RaschetSans-Bold``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/dejavu"))
FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf"}
FAMILY = "RaschetSans"


def font_path(style: str = "regular") -> Path:
    """The font file of ``style`` (regular, bold, italic); a clear message when it is not installed."""
    name = FILES[style]
    for folder in FOLDERS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"Не найден шрифт {name}: установите пакет fonts-dejavu-core (scripts/setup).")


@cache
def register_reportlab() -> str:
    """Register the family with reportlab once; returns the regular font's name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FAMILY, str(font_path("regular"))))
    pdfmetrics.registerFont(TTFont(f"{FAMILY}-Bold", str(font_path("bold"))))
    pdfmetrics.registerFont(TTFont(f"{FAMILY}-Italic", str(font_path("italic"))))
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
    addMapping(FAMILY, 0, 1, f"{FAMILY}-Italic")
    addMapping(FAMILY, 1, 1, f"{FAMILY}-Bold")
    return FAMILY
