"""Where everything of a payment document goes on A4: the sections of the model form, top to bottom.

The page reads as a subscriber reads a bill: what period, whose account, and the amount to pay with
its due date, large, at the top right; how to pay (the recipients, their QR codes); then how the
amount was computed (services, the summary per recipient), the meter readings, the building's
figures, recalculations and instalments. The static parts — the page frame with its titles and
legend, and every table header — are forms drawn once per file (:func:`static_forms`); a page adds
only its figures. A document that does not fit one page continues on the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from raschet.documents import tables as t
from raschet.documents.content import PaymentDocumentContent
from raschet.documents.pdf.canvas import Canvas
from raschet.documents.pdf.fonts import EmbeddedFont
from raschet.documents.pdf.writer import ImageMask, PageParts
from raschet.documents.qr import symbol

MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь"]
BASIS = {"N": "норм.", "M": "ПУ", "O": "иное", "": ""}
BOTTOM = 287.0  # the last baseline a section may reach, above the footer
NOTE_BOTTOM = 290.0  # a one-line note may take the last strip above the footer's rule
TITLE = 9.0


def static_forms(fonts: Mapping[str, EmbeddedFont]) -> dict[str, bytes]:
    """The page frame (form ``Static``) and the table headers, shared by every page of a file."""
    canvas = Canvas(fonts)
    canvas.text(10, 14, "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ", "B", 13)
    canvas.text(10, 18.5, "для внесения платы за содержание и ремонт жилого помещения, коммунальные услуги "
                "и взноса на капитальный ремонт", "R", 6.5)
    canvas.line(10, 290.5, 200, 290.5, 0.2, 0.5)
    canvas.text(10, 293.5, "* Способ определения объёма: норм. — по нормативу потребления, ПУ — по показаниям "
                "прибора учёта, иное — иным способом (по среднему, расчётным путём). Форма по приказу "
                "Минстроя России от 26.01.2018 № 43/пр.", "R", 5.2)
    box = Canvas(fonts)  # the first page only: a continuation sheet has no amount of its own
    box.rect(138, 8, 62, 25, fill=0.93, stroke=True, width=0.6)
    box.text(169, 13, "ИТОГО К ОПЛАТЕ", "B", 8, "center")
    return {"Static": canvas.stream(), "TotalBox": box.stream(), **t.header_forms(fonts)}


class Pages:
    """A flow of canvases: a section that does not fit starts a new page."""

    def __init__(self, fonts: Mapping[str, EmbeddedFont], document: PaymentDocumentContent) -> None:
        self.fonts, self.document = fonts, document
        self.done: list[tuple[Canvas, list[ImageMask]]] = []
        self.canvas, self.images = Canvas(fonts), []
        self.canvas.form("Static")
        self.y = 0.0

    def need(self, height: float, bottom: float = BOTTOM) -> None:
        if self.y + height > bottom:
            self.done.append((self.canvas, self.images))
            self.canvas, self.images = Canvas(self.fonts), []
            self.canvas.form("Static")
            self.canvas.text(10, 27, f"ЛС {self.document.payer.account_number}, {_month(self.document)} — "
                             f"продолжение, лист {len(self.done) + 1}", "R", 7)
            self.y = 31.0

    def title(self, text: str, height: float) -> None:
        """A section title, on a new page if the title and ``height`` mm of its content do not fit."""
        self.need(4.5 + height)
        self.canvas.text(10, self.y + 3.2, text, "B", 7.5)
        self.y += 4.5

    def parts(self) -> list[PageParts]:
        pages = [*self.done, (self.canvas, self.images)]
        return [PageParts(canvas.stream(), tuple(images), ("Static", "TotalBox", *(tb.name for tb in t.TABLES)))
                for canvas, images in pages]


def _month(document: PaymentDocumentContent) -> str:
    return f"{MONTHS[document.period.month - 1]} {document.period.year} г."


def page_parts(document: PaymentDocumentContent, fonts: Mapping[str, EmbeddedFont]) -> list[PageParts]:
    """The pages of ``document`` (usually one)."""
    pages = Pages(fonts, document)
    _head(pages, document)
    _section_1(pages, document)
    _section_2(pages, document)
    _section_3(pages, document)
    _section_4(pages, document)
    _sections_5_6(pages, document)
    return pages.parts()


def _head(pages: Pages, d: PaymentDocumentContent) -> None:
    c = pages.canvas
    c.form("TotalBox")
    c.text(10, 24.5, f"за {_month(d)}", "B", 11)
    issue = f"№ {d.number} от {t.day(d.issued_on)}"
    if d.version > 1:
        issue += f", версия {d.version}: выпущен заново после перерасчёта, заменяет версию {d.version - 1}"
    c.text(10, 29, issue, "R", 7)
    c.text(169, 23, f"{t.money(d.due)} руб.", "B", 17, "center")
    due = f"оплатить до {t.day(d.due_date)}" if d.due > 0 else "оплата не требуется"
    c.text(169, 28.5, due, "R", 7.5, "center")
    if d.total < 0:
        c.text(169, 31.8, f"переплата {t.money(-d.total)} руб.", "R", 6.5, "center")
    pages.y = 35.0


def _section_1(pages: Pages, d: PaymentDocumentContent) -> None:
    pages.title("Раздел 1. Сведения о плательщике и исполнителе услуг", 22)
    c, y, p, e = pages.canvas, pages.y + 3, d.payer, d.executor
    c.text(10, y, "Лицевой счёт", "R", 7)
    c.text(32, y, p.account_number, "B", 10)
    if d.signup_code:
        c.fitted(100, y, f"Код для личного кабинета: {d.signup_code}", 44, "R", 6.5, "right")
    c.fitted(10, y + 4, f"Плательщик: {p.name}", 90, "B", 7.5)
    c.lines(10, y + 7.5, _wrapped(c, f"Адрес: {p.address}", 90, 2), 90, "R", 7)
    area = f"Общая площадь: {t.number(p.total_area, 2)} м²" if p.total_area is not None else "Площадь: —"
    if p.share != 1:
        area += f" (доля {t.number(p.share, 4)})"
    c.text(10, y + 14, f"{area}    Проживает: {p.residents} чел.", "R", 7)
    els = f"ЕЛС: {p.els}" if p.els else "ЕЛС: не присвоен"
    c.fitted(10, y + 17, els + ("    ИЖКУ: " + ", ".join(g for _, g in p.service_ids) if p.service_ids else ""),
             90, "R", 6.5)
    c.text(105, y, "Исполнитель услуг", "R", 7)
    c.fitted(105, y + 4, e.name, 95, "B", 7.5)
    info = [f"ИНН {e.inn}" + (f", КПП {e.kpp}" if e.kpp else ""), f"Адрес: {e.address}" if e.address else "",
            "  ".join(x for x in (f"Тел.: {e.phone}" if e.phone else "", f"E-mail: {e.email}" if e.email else "") if x),
            "  ".join(x for x in (f"Сайт: {e.website}" if e.website else "", e.hours) if x)]
    c.lines(105, y + 7.5, [x for x in info if x], 95, "R", 7, 3.1)
    pages.y += 21


def _wrapped(c: Canvas, text: str, width: float, most: int) -> list[str]:
    lines = c.wrap(text, width, "R", 7)
    return lines[:most - 1] + [" ".join(lines[most - 1:])] if len(lines) > most else lines


def _section_2(pages: Pages, d: PaymentDocumentContent) -> None:
    parts = d.recipients
    per_recipient = d.qr_mode != "settlement_centre"
    tiles = [p for p in parts if p.due > 0 and p.qr_payload] if per_recipient else []
    height = t.RECIPIENTS.header_height + t.ROW * len(parts) + (32 if tiles else 0)
    pages.title("Раздел 2. Информация для внесения платы получателям платежа и показания приборов учёта", height)
    cells = [[str(i), p.recipient.name, f"{p.recipient.inn} / {p.recipient.kpp or '—'}",
              f"{p.recipient.bank_name}, БИК {p.recipient.bic}",
              f"{p.recipient.settlement_account} / {p.recipient.corr_account or '—'}", t.money(p.due)]
             for i, p in enumerate(parts, 1)]
    pages.y = t.rows(pages.canvas, t.RECIPIENTS, pages.y, cells) + 1.5
    if tiles:
        _tiles(pages, d, tiles)
    elif not per_recipient and d.centre_qr_payload:
        _centre(pages, d)
    _meters(pages, d)


def _tiles(pages: Pages, d: PaymentDocumentContent, tiles: list) -> None:
    """One QR code per recipient with money due, side by side, each with its name and amount."""
    c, width = pages.canvas, min(38.0, t.WIDTH / len(tiles))
    size = min(23.0, width - 6)
    for index, part in enumerate(tiles):
        x = t.LEFT + index * width
        name = f"qr{index}"
        pages.images.append(symbol(part.qr_payload, name))
        c.image(name, x + (width - size) / 2, pages.y + 1, size, size)
        number = d.recipients.index(part) + 1
        c.fitted(x + width / 2, pages.y + size + 3.4, f"{number}. {part.recipient.name}", width - 2, "R", 5.5,
                 "center", 4.2)
        c.text(x + width / 2, pages.y + size + 6.8, f"{t.money(part.due)} руб.", "B", 7.5, "center")
    pages.y += size + 8


def _centre(pages: Pages, d: PaymentDocumentContent) -> None:
    """One QR code for the whole amount, paid to the settlement centre that splits it."""
    pages.need(30)
    c, y, centre = pages.canvas, pages.y, d.centre
    pages.images.append(symbol(d.centre_qr_payload, "qr0"))
    c.image("qr0", 172, y, 28, 28)
    c.text(10, y + 4, "Оплата всех услуг одним платежом по QR-коду (получатель — платёжный агент):", "B", 7.5)
    lines = [centre.name, f"ИНН {centre.inn}" + (f", КПП {centre.kpp}" if centre.kpp else ""),
             f"{centre.bank_name}, БИК {centre.bic}", f"р/с {centre.settlement_account}, к/с "
             f"{centre.corr_account or '—'}", "Сумма распределяется между получателями по таблице выше."]
    c.lines(10, y + 8, lines, 155, "R", 7, 3.3)
    c.text(168, y + 20, f"{t.money(d.due)} руб.", "B", 11, "right")
    pages.y += 30


def _meters(pages: Pages, d: PaymentDocumentContent) -> None:
    if not d.meters:
        return
    pages.need(t.METERS.header_height + t.ROW * len(d.meters) + 1)
    cells = [[m.service, m.serial, m.zone or "—", t.number(m.previous), t.day(m.previous_date), t.number(m.current),
              t.day(m.current_date), t.number(m.current - m.previous) if m.current is not None and
              m.previous is not None else "", m.unit] for m in d.meters]
    pages.y = t.rows(pages.canvas, t.METERS, pages.y, cells) + 1.5


def _section_3(pages: Pages, d: PaymentDocumentContent) -> None:
    numbers = {p.recipient.code: str(i) for i, p in enumerate(d.recipients, 1)}
    cells = [[numbers.get(s.recipient, ""), ("  в т.ч. " if s.common_volume is not None else "") + s.service, s.unit,
              t.number(s.individual_volume), t.number(s.common_volume), BASIS.get(s.basis, s.basis),
              t.rate(s.tariff), t.money(s.charged), t.number(s.increasing_factor, 2),
              t.money(s.factor_excess, True), t.money(s.recalculation, True), t.money(s.benefits, True),
              t.money(s.payable)] for s in d.services]
    totals = [sum((getattr(s, f) for s in d.services), Decimal(0)) for f in ("charged", "factor_excess",
                                                                                 "recalculation", "benefits", "payable")]
    cells.append(["", "Итого за расчётный период", "", "", "", "", "", t.money(totals[0]), "",
                  t.money(totals[1], True), t.money(totals[2], True), t.money(totals[3], True), t.money(totals[4])])
    pages.title("Раздел 3. Расчёт размера платы за содержание и ремонт жилого помещения и коммунальные услуги, "
                "взноса на капитальный ремонт", t.SERVICES.header_height + t.ROW * len(cells))
    pages.y = t.rows(pages.canvas, t.SERVICES, pages.y, cells, bold_last=True) + 1.5
    _summary(pages, d)


def _summary(pages: Pages, d: PaymentDocumentContent) -> None:
    cells = [[str(i), p.recipient.name, t.money(p.opening), t.money(p.payable), t.money(p.penalties, True),
              t.money(p.paid, True), t.money(p.total)] for i, p in enumerate(d.recipients, 1)]
    if d.unassigned_advance:
        cells.append(["", "Аванс, ещё не распределённый по получателям", "", "", "", "", t.money(d.unassigned_advance)])
    sums = [sum((getattr(p, f) for p in d.recipients), Decimal(0)) for f in ("opening", "payable", "penalties", "paid")]
    cells.append(["", "ИТОГО К ОПЛАТЕ", t.money(sums[0]), t.money(sums[1]), t.money(sums[2], True),
                  t.money(sums[3], True), t.money(d.total)])
    pages.need(t.SUMMARY.header_height + t.ROW * len(cells) + 5)
    pages.y = t.rows(pages.canvas, t.SUMMARY, pages.y, cells, bold_last=True)
    taken = f"Учтены платежи, поступившие по {t.day(d.payments_taken_until)} включительно"
    last = f"; последний платёж {t.day(d.last_payment_date)}" if d.last_payment_date else "; платежей не было"
    pages.canvas.text(10, pages.y + 3, taken + last + ".", "R", 6.5)
    pages.y += 5


def _section_4(pages: Pages, d: PaymentDocumentContent) -> None:
    if not d.building:
        return
    cells = [[b.service, f"{t.number(b.common_norm, 4)} {b.norm_unit}" if b.common_norm is not None else "—",
              f"{t.number(b.individual_total)} {b.unit}" if b.individual_total is not None else "—",
              f"{t.number(b.common_total)} {b.unit}" if b.common_total is not None else "—",
              t.number(b.meter_previous) or "—", t.number(b.meter_current) or "—"] for b in d.building]
    pages.title("Раздел 4. Справочная информация", t.BUILDING.header_height + t.ROW * len(cells))
    pages.y = t.rows(pages.canvas, t.BUILDING, pages.y, cells) + 1.5


def _sections_5_6(pages: Pages, d: PaymentDocumentContent) -> None:
    if d.instalments:
        cells = [[i.service, t.money(i.of_period), t.money(i.of_past), t.money(i.interest),
                  t.number(i.interest_percent, 2), t.money(i.total)] for i in d.instalments]
        pages.title("Раздел 5. Сведения о рассрочке", t.INSTALMENTS.header_height + t.ROW * len(cells))
        pages.y = t.rows(pages.canvas, t.INSTALMENTS, pages.y, cells) + 1.5
    else:
        pages.title("Раздел 5. Сведения о рассрочке: рассрочка не предоставлялась.", 0)
    if d.recalculations:
        cells = [[r.service, r.period, r.reason, t.money(r.amount)] for r in d.recalculations]
        pages.title("Раздел 6. Сведения о перерасчётах (доначисление +, уменьшение −)",
                    t.RECALCULATIONS.header_height + t.ROW * len(cells))
        pages.y = t.rows(pages.canvas, t.RECALCULATIONS, pages.y, cells) + 1.5
    else:
        pages.title("Раздел 6. Сведения о перерасчётах: перерасчётов в этом периоде нет.", 0)
    for note in d.notes:
        pages.need(3.5, NOTE_BOTTOM)
        pages.canvas.fitted(10, pages.y + 3, note, 190, "R", 6.5)
        pages.y += 4
