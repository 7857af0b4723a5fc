"""A TrueType font cut to the characters of Russian documents and embedded as a CID font.

The subset is made once per process (fontTools, about 0.2 s a face) and its PDF objects are written
as the same bytes into every file, so a file of 10,000 pages carries each font once and a one-page
file carries a font of about 11 KB. Text is shown as two-byte glyph ids (``Identity-H``), which is
why :meth:`EmbeddedFont.encode` is a single ``str.translate``; a ``ToUnicode`` map lets viewers,
``pdftotext`` and screen readers get the text back.

A character the subset does not have is drawn as ``?`` (:data:`FALLBACK`) rather than refused: a
payer's name in another alphabet must never stop a month's printing.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FALLBACK = "?"
MEMO = 100_000
CHARACTERS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0xC0))
    + "".join(chr(c) for c in range(0x410, 0x450))
    + "ЁёІіЇїЄєЎў"
    + "№₽«»„“”‘’‚–—‑·•…°±×÷≤≥−²³€ "
)


@dataclass(frozen=True)
class EmbeddedFont:
    """One face ready to draw with: glyph ids, advance widths (1/1000 em) and its PDF objects."""

    name: str  # the PostScript name with a subset tag, as PDF wants it
    program: bytes  # the subset TrueType file
    gids: dict[str, int]
    widths: dict[str, float]
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    table: dict[int, str] = field(repr=False, default_factory=dict)  # ord(char) -> 4 hex digits
    # the same few thousand strings (sums, dates, service names) recur on every page of a batch: their
    # glyph ids and widths are kept once computed (at most MEMO strings a face)
    _hex: dict[str, str] = field(repr=False, compare=False, default_factory=dict)
    _units: dict[str, float] = field(repr=False, compare=False, default_factory=dict)

    def encode(self, text: str) -> str:
        """``text`` as the hex digits of its glyph ids (unknown characters as ``?``)."""
        hexed = self._hex.get(text)
        if hexed is None:
            hexed = text.translate(self.table)
            if len(hexed) != 4 * len(text):  # some character is not in the subset
                hexed = "".join(self.table.get(ord(c)) or self.table[ord(FALLBACK)] for c in text)
            if len(self._hex) < MEMO:
                self._hex[text] = hexed
        return hexed

    def width(self, text: str, size: float) -> float:
        """The advance width of ``text`` at ``size`` points, in points."""
        units = self._units.get(text)
        if units is None:
            try:
                units = sum(map(self.widths.__getitem__, text))
            except KeyError:  # a character drawn as the fallback
                fallback = self.widths[FALLBACK]
                units = sum(self.widths.get(c, fallback) for c in text)
            if len(self._units) < MEMO:
                self._units[text] = units
        return units * size / 1000.0

    def pdf_objects(self, first: int) -> list[bytes]:
        """The objects ``first`` … ``first + 4``: Type0 font, CID font, descriptor, program, ToUnicode.
        The font to name in a page's resources is object ``first``. Made once per number: every file
        of a batch puts its fonts at the same numbers, so each file copies the same bytes."""
        key = (self.name, first)
        if key not in _OBJECTS:
            _OBJECTS[key] = _objects(self, first)
        return _OBJECTS[key]


_OBJECTS: dict[tuple[str, int], list[bytes]] = {}


@cache
def embedded_font(path: Path, tag: str) -> EmbeddedFont:
    """The face at ``path`` cut to :data:`CHARACTERS`; ``tag`` (six capital letters) names the subset."""
    font = TTFont(str(path))
    options = subset.Options()
    options.hinting = False  # print and screens at document sizes do not need it; halves the size
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = [1, 2, 6]
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern", "DSIG", "FFTM", "BASE", "JSTF", "MATH"]
    cutter = subset.Subsetter(options)
    cutter.populate(text=CHARACTERS)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    gids, widths = {}, {}
    for code, glyph in font.getBestCmap().items():
        char = chr(code)
        if char in CHARACTERS:
            gids[char] = order[glyph]
            widths[char] = round(metrics[glyph][0] * 1000 / units, 1)
    head, os2 = font["head"], font["OS/2"]
    scale = 1000 / units
    post_name = font["name"].getDebugName(6) or path.stem
    return EmbeddedFont(
        name=f"{tag}+{post_name}", program=out.getvalue(), gids=gids, widths=widths,
        ascent=round(os2.sTypoAscender * scale), descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 0) * scale or 700),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        table={ord(c): f"{g:04X}" for c, g in gids.items()},
    )


def _stream(entries: str, data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return (f"<< {entries} /Filter /FlateDecode /Length {len(packed)} >>\nstream\n".encode("ascii")
            + packed + b"\nendstream")


def _objects(font: EmbeddedFont, first: int) -> list[bytes]:
    cid, descriptor, program, to_unicode = first + 1, first + 2, first + 3, first + 4
    by_gid = sorted((gid, char) for char, gid in font.gids.items())
    widths = " ".join(f"{gid} [{font.widths[char]:g}]" for gid, char in by_gid)
    bbox = " ".join(map(str, font.bbox))
    cmap = _to_unicode(by_gid)
    return [
        (f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
         f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>").encode("ascii"),
        (f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} "
         f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
         f"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 500 /W [{widths}] >>").encode("ascii"),
        (f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 32 /FontBBox [{bbox}] /ItalicAngle 0 "
         f"/Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.cap_height} /StemV 80 "
         f"/FontFile2 {program} 0 R >>").encode("ascii"),
        _stream(f"/Length1 {len(font.program)}", font.program),
        _stream("", cmap),
    ]


def _to_unicode(by_gid: list[tuple[int, str]]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(by_gid), 100):  # at most 100 entries per block
        block = by_gid[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines += [f"<{gid:04X}> <{''.join(f'{u:04X}' for u in _utf16(char))}>" for gid, char in block]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
