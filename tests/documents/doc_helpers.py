"""The documents tests' helpers: a small generated region with two months (the first closed and paid
through a bank registry, the second posted — the state in which a month's payment documents are
issued), and what a printer or a reader sees of a PDF (its pages as images, its text, its QR codes).

A module of its own name, imported by the tests (``from doc_helpers import …``): imported as
``conftest`` it was whichever tests directory's conftest.py pytest loaded first, so running
tests/backoffice and tests/documents together failed at collection."""

from dataclasses import dataclass

from raschet.billing.services import post_period
from raschet.domain.periods import Period
from raschet.generators.history import calculate_year
from raschet.generators.region import RegionSpec, load_region

PERIOD = Period(2026, 11)


@dataclass
class Region:
    period: Period
    spec: RegionSpec


def make_region(accounts: int = 12, months: int = 2, post: bool = True) -> Region:
    spec = RegionSpec(accounts=accounts, seed=7, last_period=PERIOD, months=months)
    load_region(spec, show_progress=False)
    calculate_year(spec, show_progress=False)
    if post:
        post_period(period=PERIOD)
    return Region(PERIOD, spec)


def rasterise(pdf: bytes, folder, dpi: int = 300) -> list:
    """The pages of ``pdf`` as gray PNG files made by pdftoppm (poppler), as a printer or a viewer would."""
    import subprocess
    from pathlib import Path

    source = Path(folder) / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "page")],
                   check=True, timeout=120)
    return sorted(Path(folder).glob("page*.png"))


def pdf_text(pdf: bytes, folder) -> str:
    """The text of ``pdf`` as pdftotext (poppler) extracts it, laid out."""
    import subprocess
    from pathlib import Path

    source = Path(folder) / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True,
                          timeout=120).stdout.decode("utf-8")


def decoded_qr_codes(png) -> list[str]:
    """Every QR code zxing-cpp finds on the page image, as the UTF-8 text of its bytes."""
    import zxingcpp
    from PIL import Image

    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [bytes(code.bytes).decode("utf-8") for code in found if code.valid]
