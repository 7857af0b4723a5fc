"""A small PDF file writer: shared fonts and forms written once, then pages, then the cross-reference.

Objects go to the output as they are made (a print file of 10,000 pages is never held in memory);
the page tree, whose kids are known only at the end, has its number reserved first. Nothing in the
file depends on the clock, so the same pages give the same bytes — the stored version of a document
can be compared byte for byte, and a re-render is a check, not a new document.

A page is given as :class:`PageParts` (its deflated content stream and its image masks), so one
rendering serves both the one-page file of an account and the print file of its route.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from raschet.documents.pdf.canvas import PAGE_BOX
from raschet.documents.pdf.fonts import EmbeddedFont

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PRODUCER = "Raschet"


@dataclass(frozen=True)
class ImageMask:
    """A one-bit image painted in the current colour where its bits are 0 (a QR code's dark modules)."""

    name: str
    width: int
    height: int
    data: bytes  # deflated rows, each padded to a whole byte


@dataclass(frozen=True)
class PageParts:
    content: bytes  # deflated operators
    images: tuple[ImageMask, ...] = ()
    forms: tuple[str, ...] = ("Static",)


class PdfFile:
    """Write a PDF to ``out``: :meth:`start` with the shared resources, :meth:`add_page` per page,
    :meth:`finish` once."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.next_number = 1
        self.kids: list[int] = []
        self.resources = ""
        self.written = 0

    def reserve(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def put(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.written
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        self.out.write(chunk)
        self.written += len(chunk)

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.put(number, body)
        return number

    def start(self, fonts: Mapping[str, EmbeddedFont], forms: Mapping[str, bytes]) -> None:
        """The header, the catalog, every font and every form (deflated operators drawing a whole page)."""
        self.out.write(HEADER)
        self.written = len(HEADER)
        self.catalog, self.pages = self.reserve(), self.reserve()
        self.put(self.catalog, b"<< /Type /Catalog /Pages %d 0 R /Lang (ru-RU) >>" % self.pages)
        font_refs = []
        for name, face in fonts.items():
            first = self.next_number
            for body in face.pdf_objects(first):
                self.add(body)
            font_refs.append(f"/{name} {first} 0 R")
        font_dict = f"/Font << {' '.join(font_refs)} >>"
        form_refs = []
        for name, data in forms.items():
            number = self.add(b"<< /Type /XObject /Subtype /Form /BBox %s /Resources << %s >> "
                              b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                              % (PAGE_BOX.encode(), font_dict.encode(), len(data), data))
            form_refs.append(f"/{name} {number} 0 R")
        self.fonts = font_dict
        self.forms = dict(zip(forms, form_refs, strict=True))

    def add_page(self, page: PageParts) -> None:
        content = self.add(b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                           % (len(page.content), page.content))
        xobjects = [self.forms[name] for name in page.forms]
        for image in page.images:
            number = self.add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ImageMask true "
                              b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                              % (image.width, image.height, len(image.data), image.data))
            xobjects.append(f"/{image.name} {number} 0 R")
        self.kids.append(self.add(
            f"<< /Type /Page /Parent {self.pages} 0 R /MediaBox {PAGE_BOX} /Contents {content} 0 R "
            f"/Resources << {self.fonts} /XObject << {' '.join(xobjects)} >> >> >>".encode("ascii")))

    def finish(self, title: str = "") -> None:
        kids = " ".join(f"{kid} 0 R" for kid in self.kids)
        self.put(self.pages, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.kids)} >>".encode("ascii"))
        info = self.add(b"<< /Producer (%s) /Title <FEFF%s> >>"
                        % (PRODUCER.encode(), title.encode("utf-16-be").hex().upper().encode()))
        xref = self.written
        size = self.next_number
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, size)]
        # a deterministic file identifier: a digest of the objects' positions and the title
        digest = hashlib.md5(b"".join(rows) + title.encode()).hexdigest().upper().encode()
        self.out.write(b"xref\n0 %d\n%s" % (size, b"".join(rows)))
        self.out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                       % (size, self.catalog, info, digest, digest, xref))


def pdf_bytes(pages: Sequence[PageParts], fonts: Mapping[str, EmbeddedFont], forms: Mapping[str, bytes],
              title: str = "") -> bytes:
    """A whole file in memory (one account's document)."""
    out = io.BytesIO()
    pdf = PdfFile(out)
    pdf.start(fonts, forms)
    for page in pages:
        pdf.add_page(page)
    pdf.finish(title)
    return out.getvalue()
