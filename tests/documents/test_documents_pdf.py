"""The PDF writer: embedded Cyrillic fonts, forms, fitted text, deterministic and valid files."""

import io

import pikepdf
from doc_helpers import pdf_text

from raschet.documents.pdf.canvas import Canvas
from raschet.documents.pdf.fonts import FALLBACK
from raschet.documents.pdf.writer import PageParts, PdfFile, pdf_bytes
from raschet.documents.render import renderer


def _page(text: str) -> PageParts:
    canvas = Canvas(renderer().fonts)
    canvas.form("Static")
    canvas.text(20, 40, text, "B", 12)
    return PageParts(canvas.stream())


def test_cyrillic_text_comes_back_out_of_the_pdf(tmp_path):
    pdf = pdf_bytes([_page("Итого к оплате: 5 230,45 руб. — ЛС № 1000123, ёЁ «ТКО»")], renderer().fonts,
                    renderer().forms, "ЕПД")
    text = pdf_text(pdf, tmp_path)
    assert "Итого к оплате: 5 230,45 руб. — ЛС № 1000123, ёЁ «ТКО»" in text
    assert "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ" in text  # from the static form


def test_same_pages_give_the_same_bytes_and_qpdf_finds_no_fault():
    render = renderer()
    first = pdf_bytes([_page("Страница")], render.fonts, render.forms, "т")
    assert first == pdf_bytes([_page("Страница")], render.fonts, render.forms, "т")
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) == 1
        fonts = pdf.pages[0].obj["/Resources"]["/Font"]
        assert {str(f["/BaseFont"]) for f in fonts.values()} == {"/RSCHNA+PTSans-Narrow",
                                                                 "/RSCHNB+PTSans-NarrowBold"}


def test_a_file_of_many_pages_carries_each_font_once():
    render, out = renderer(), io.BytesIO()
    pdf = PdfFile(out)
    pdf.start(render.fonts, render.forms)
    for number in range(50):
        pdf.add_page(_page(f"Документ {number}"))
    pdf.finish("маршрут")
    with pikepdf.open(io.BytesIO(out.getvalue())) as opened:
        assert len(opened.pages) == 50
        programs = {font["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"].objgen
                    for page in opened.pages for font in page.obj["/Resources"]["/Font"].values()}
        assert len(programs) == 2  # two faces, shared by every page
    assert len(out.getvalue()) < 50 * 2500 + 60_000


def test_a_long_name_is_shrunk_then_shortened_never_overflowing():
    canvas = Canvas(renderer().fonts)
    text, size, width = canvas.fit("ООО «Управляющая компания „Комфорт“» " * 3, 30, "R", 7)
    assert text.endswith("…") and size == 4.5 or size == 5.0
    assert width <= 30 * 72 / 25.4 + 0.01
    short, size, _ = canvas.fit("ТКО", 30, "R", 7)
    assert (short, size) == ("ТКО", 7)


def test_a_character_outside_the_font_is_drawn_as_the_fallback_not_refused():
    face = renderer().fonts["R"]
    assert face.encode("Ω") == face.encode(FALLBACK)
    assert face.width("Ω", 10) == face.width(FALLBACK, 10)
