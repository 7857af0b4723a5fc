"""Payment documents to PDF: the fonts and static forms made once per process, then pages.

:class:`Renderer` holds the two embedded faces (PT Sans Narrow and its bold) and the static forms;
:meth:`Renderer.pages` draws a document's pages once, and those same pages go into the document's
own one-page file (:meth:`Renderer.document_pdf`) and into its route's print file
(:meth:`Renderer.print_file`), so a batch renders each page once. docs/documents.md says why the
project writes its own content streams instead of using a layout library.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from raschet.documents.content import PaymentDocumentContent
from raschet.documents.layout import page_parts as layout_pages
from raschet.documents.layout import static_forms
from raschet.documents.pdf.fonts import EmbeddedFont, embedded_font
from raschet.documents.pdf.writer import PageParts, PdfFile, pdf_bytes
from raschet.fonts import font_path

FACES = {"R": ("narrow", "RSCHNA"), "B": ("narrow_bold", "RSCHNB")}


class Renderer:
    @cached_property
    def fonts(self) -> dict[str, EmbeddedFont]:
        return {name: embedded_font(font_path(face), tag) for name, (face, tag) in FACES.items()}

    @cached_property
    def forms(self) -> dict[str, bytes]:
        return static_forms(self.fonts)

    def pages(self, document: PaymentDocumentContent) -> list[PageParts]:
        return layout_pages(document, self.fonts)

    def document_pdf(self, document: PaymentDocumentContent, pages: list[PageParts] | None = None) -> bytes:
        """The document's own file (for the archive, the portal and e-mail)."""
        title = f"ЕПД № {document.number} за {document.period}"
        return pdf_bytes(pages or self.pages(document), self.fonts, self.forms, title)

    @cached_property
    def prefix(self) -> bytes:
        """The bytes every document file of this renderer begins with (header, catalog, fonts, forms)."""
        out = io.BytesIO()
        PdfFile(out).start(self.fonts, self.forms)
        return out.getvalue()

    @cached_property
    def prefix_sha256(self) -> str:
        return hashlib.sha256(self.prefix).hexdigest()

    def document_tail(self, pdf: bytes) -> bytes:
        """What of the document's file ``pdf`` follows the shared :attr:`prefix`."""
        if not pdf.startswith(self.prefix):
            raise ValueError("Файл документа начинается не с общего начала этого отрисовщика")
        return pdf[len(self.prefix):]

    def print_file(self, path: Path, pages: Iterable[PageParts], title: str) -> int:
        """A print file of many documents written to ``path`` (through a temporary file, so a file that
        exists is whole); returns its number of pages."""
        temporary = path.with_name(path.name + ".part")
        count = 0
        with temporary.open("wb") as out:
            pdf = PdfFile(out)
            pdf.start(self.fonts, self.forms)
            for page in pages:
                pdf.add_page(page)
                count += 1
            pdf.finish(title)
        temporary.replace(path)
        return count


_renderer: Renderer | None = None


def renderer() -> Renderer:
    """The process's renderer (fonts and forms are made on first use)."""
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer
