"""The Cyrillic TrueType fonts Raschet embeds in the documents it prints, found in one place.

The fonts come from Debian's ``fonts-paratype`` package (PT Sans, PT Sans Narrow: ParaType's free
fonts made for Russian text), which ``scripts/setup`` installs when it is missing. A deployment
without that package may point ``RASCHET_FONT_DIR`` at a folder holding the same files.

The payment documents use the faces through their own PDF writer; the low-volume documents of debt
work (claims) draw with reportlab, under the family name :data:`FAMILY` (:func:`register_reportlab`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts/truetype/paratype"),)
# face -> file of fonts-paratype
FILES = {
    "regular": "PTS55F.ttf",  # PT Sans
    "bold": "PTS75F.ttf",  # PT Sans Bold
    "narrow": "PTN57F.ttf",  # PT Sans Narrow
    "narrow_bold": "PTN77F.ttf",  # PT Sans Narrow Bold
}
PACKAGE = "fonts-paratype"
FAMILY = "RaschetSans"


class FontMissing(RuntimeError):
    """A font file is not installed; the message says which package brings it."""


@dataclass(frozen=True)
class FontFace:
    name: str
    path: Path


def font_dirs() -> tuple[Path, ...]:
    extra = os.environ.get("RASCHET_FONT_DIR")
    return ((Path(extra),) if extra else ()) + FONT_DIRS


def font_path(face: str) -> Path:
    """The file of ``face`` (regular, bold, narrow, narrow_bold), or :class:`FontMissing`."""
    file = FILES[face]
    for folder in font_dirs():
        if (folder / file).is_file():
            return folder / file
    raise FontMissing(
        f"Не найден шрифт {file} ({face}) для печати документов: установите пакет {PACKAGE} "
        f"(apt-get install {PACKAGE}, его ставит scripts/setup) или укажите папку со шрифтами "
        f"в RASCHET_FONT_DIR."
    )


def faces(*names: str) -> tuple[FontFace, ...]:
    return tuple(FontFace(name, font_path(name)) for name in names)


@cache
def register_reportlab() -> str:
    """Register PT Sans with reportlab once (regular, bold; italic drawn upright); returns the family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FAMILY, str(font_path("regular"))))
    pdfmetrics.registerFont(TTFont(f"{FAMILY}-Bold", str(font_path("bold"))))
    for bold, italic, name in ((0, 0, FAMILY), (1, 0, f"{FAMILY}-Bold"), (0, 1, FAMILY), (1, 1, f"{FAMILY}-Bold")):
        addMapping(FAMILY, bold, italic, name)
    return FAMILY
