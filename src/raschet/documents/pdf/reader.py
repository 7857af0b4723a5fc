"""The pages of a stored document back as :class:`PageParts`, for a print file made after a restart.

A batch stopped after its documents were stored but before its print file was written rebuilds the
file from the stored versions, so the paper copy is the archived document, byte for byte of its
page streams. The stored file is read with pikepdf (qpdf); the deflated streams are taken as they
are, never decoded and encoded again.
"""

from __future__ import annotations

import io

import pikepdf

from raschet.documents.pdf.writer import ImageMask, PageParts


def stored_pages(data: bytes) -> list[PageParts]:
    """The pages of a file written by :class:`raschet.documents.pdf.writer.PdfFile`."""
    pages = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            content = page.obj["/Contents"].read_raw_bytes()
            forms, images = [], []
            for name, xobject in page.obj["/Resources"]["/XObject"].items():
                if xobject.get("/Subtype") == "/Form":
                    forms.append(name[1:])
                else:
                    images.append(ImageMask(name[1:], int(xobject["/Width"]), int(xobject["/Height"]),
                                            xobject.read_raw_bytes()))
            pages.append(PageParts(content, tuple(images), tuple(forms)))
    return pages
