"""The same payment-document pages drawn by reportlab and by Raschet's own content-stream writer.

    python bench/documents_options.py [--pages 300]

A representative document (ten services, six recipients, three meters, the building's figures) is
laid out once by ``raschet.documents.layout``; every text, line, rectangle and image it draws is
recorded and replayed into a reportlab canvas — with the static parts as a reportlab form XObject
drawn once and reused, fonts embedded once, the QR codes as images, many pages in one file — and
written by the project's writer. Both run in this one process; CPU time per page is printed (the
machine is shared, so wall time is printed too but means less).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import date
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")

D = Decimal


def sample_document(index: int):
    from raschet.documents.content import (
        BuildingFigure,
        MeterReading,
        Organisation,
        Payer,
        PaymentDocumentContent,
        RecipientPart,
        ServiceLine,
    )
    from raschet.documents.qr import payment_payload
    from raschet.domain.periods import Period

    period = Period(2026, 11)
    names = ["ООО «УК „Комфорт“»", "НКО «Фонд капремонта»", "ПАО «Теплосеть»", "АО «Водоканал»", "АО «Энергосбыт»",
             "ООО «Регоператор ТКО»"]
    orgs = [Organisation(code=f"O{i}", name=n, inn="7707083893", kpp="773601001", bank_name="ПАО Сбербанк",
                         bic="044525225", settlement_account="40702810938000012345",
                         corr_account="30101810400000000225") for i, n in enumerate(names)]
    number = f"{1000000 + index}"
    services, parts = [], []
    for i, org in enumerate(orgs):
        amount = D(1000 + index % 97 + i * 111) + D("0.37")
        services.append(ServiceLine(service_code=f"s{i}", service=f"Услуга {i}", recipient=org.code, unit="м³",
                                    individual_volume=D("12.345"), common_volume=None, basis="M", tariff=D("52.30"),
                                    charged=amount, payable=amount))
        parts.append(RecipientPart(recipient=org, opening=D("0.00"), charged=amount, recalculation=D("0.00"),
                                   benefits=D("0.00"), payable=amount, penalties=D("0.00"), state_fees=D("0.00"),
                                   court_costs=D("0.00"), paid=D("0.00"), total=amount,
                                   qr_payload=payment_payload(org, amount=amount, account_number=number, period=period)))
    meters = tuple(MeterReading(service="Холодное водоснабжение", gis_code=1, serial=f"9146{i}", zone="", unit="м³",
                                previous=D("973.861"), previous_date=date(2026, 10, 20), current=D("988.957"),
                                current_date=date(2026, 11, 24)) for i in range(3))
    building = tuple(BuildingFigure(service="Холодное водоснабжение", unit="м³", common_norm=D("0.03"),
                                    norm_unit="м³/м²", individual_total=D("694.635"), common_total=D("33.168"),
                                    meter_previous=D("8985.738"), meter_current=D("9714.827")) for _ in range(2))
    total = sum((p.total for p in parts), D("0.00"))
    return PaymentDocumentContent(
        period=period, number=f"202611-{number}", issued_on=date(2026, 12, 1),
        payer=Payer(account_number=number, name="Орехова Алевтина Вячеславовна", address="г. Энск, ул. Огородная, д. 2, кв. 1",
                    total_area=D("85.08"), residents=4),
        executor=orgs[0], recipients=tuple(parts), services=tuple(services * 2)[:10], meters=meters,
        building=building, ledger_balance=total, payments_taken_until=date(2026, 11, 30))


def replay_reportlab(pages_calls: list[list[tuple]], static_calls: list[tuple]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas as rl

    from raschet.fonts import font_path

    for name, face in (("R", "narrow"), ("B", "narrow_bold")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(font_path(face))))
    out = io.BytesIO()
    page = rl.Canvas(out, pagesize=A4, pageCompression=1)
    mm = 72 / 25.4

    def draw(call):
        kind = call[0]
        if kind == "text":
            _, x, y, text, font, size, align = call
            page.setFont(font, size)
            {"left": page.drawString, "right": page.drawRightString, "center": page.drawCentredString}[align](
                x * mm, (297 - y) * mm, text)
        elif kind == "line":
            _, x1, y1, x2, y2 = call
            page.line(x1 * mm, (297 - y1) * mm, x2 * mm, (297 - y2) * mm)
        elif kind == "image":
            _, image, x, y, w, h = call
            page.drawImage(ImageReader(image), x * mm, (297 - y - h) * mm, w * mm, h * mm)

    page.beginForm("static")
    for call in static_calls:
        draw(call)
    page.endForm()
    for calls in pages_calls:
        page.doForm("static")
        for call in calls:
            draw(call)
        page.showPage()
    page.save()
    return out.getvalue()


def record(document, fonts) -> list[tuple]:
    """The draw calls of the document's page, through a canvas that records them as it draws."""
    import zxingcpp
    from PIL import Image

    from raschet.documents import layout
    from raschet.documents.pdf import canvas as module

    calls: list[tuple] = []
    original_text, original_line, original_image = module.Canvas.text, module.Canvas.line, module.Canvas.image

    def text(self, x, y, s, font="R", size=7.0, align="left", natural=None):
        calls.append(("text", x, y, s, font, size, align))
        return original_text(self, x, y, s, font, size, align, natural)

    def cell(self, left, width, y, s, font="R", size=7.0, align="left", pad=0.8):
        if s:
            s, size, _ = self.fit(s, width - 2 * pad, font, size, 4.5)
            x = left + pad if align == "left" else left + width - pad if align == "right" else left + width / 2
            calls.append(("text", x, y, s, font, size, align))

    def line(self, x1, y1, x2, y2, width=0.25, gray=0.0):
        calls.append(("line", x1, y1, x2, y2))
        return original_line(self, x1, y1, x2, y2, width, gray)

    def image(self, name, x, y, w, h):
        payload = [p.qr_payload for p in document.recipients][int(name[2:])]
        code = zxingcpp.create_barcode(payload.encode(), zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=0)
        pixels = memoryview(code.to_image(add_quiet_zones=False))
        calls.append(("image", Image.frombytes("L", (pixels.shape[1], pixels.shape[0]), pixels.tobytes()), x, y, w, h))

    module.Canvas.text, module.Canvas.line, module.Canvas.image, saved_cell = text, line, image, module.Canvas.cell
    module.Canvas.cell = cell
    try:
        layout.page_parts(document, fonts)
    finally:
        module.Canvas.text, module.Canvas.line, module.Canvas.image, module.Canvas.cell = (
            original_text, original_line, original_image, saved_cell)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from raschet.documents.pdf.writer import PdfFile
    from raschet.documents.render import renderer

    render = renderer()
    documents = [sample_document(i) for i in range(args.pages)]
    recorded = [record(d, render.fonts) for d in documents]
    figures = {}
    wall, cpu = time.perf_counter(), time.process_time()
    data = replay_reportlab(recorded, [])
    figures["reportlab (canvas, one form, images)"] = (time.perf_counter() - wall, time.process_time() - cpu, len(data))
    wall, cpu = time.perf_counter(), time.process_time()
    out = io.BytesIO()
    pdf = PdfFile(out)
    pdf.start(render.fonts, render.forms)
    for document in documents:
        for page in render.pages(document):
            pdf.add_page(page)
    pdf.finish("bench")
    figures["raschet writer (content streams, forms, image masks)"] = (
        time.perf_counter() - wall, time.process_time() - cpu, len(out.getvalue()))
    print(f"{args.pages} pages of a document with 6 recipients (6 QR codes), 10 services, 3 meters; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, (seconds, cpu_seconds, size) in figures.items():
        print(f"  {name}: CPU {cpu_seconds / args.pages * 1000:.2f} ms/page → {args.pages / cpu_seconds:,.0f} "
              f"pages/s per core (wall {args.pages / seconds:,.0f}); {size / args.pages / 1024:.1f} KiB/page")


if __name__ == "__main__":
    main()
