"""The figures of a payment document tie out before it is drawn, or it is not drawn.

Every sum printed on the document is checked against its parts: a service's payable against its
charge, recalculation and benefits; a recipient's columns against its services; its total against
opening + payable + penalties + fees − paid; the grand total against the recipients and against the
ledger; every QR code, read back by the project's own reader, against the amount it is printed
beside, the account and the period. A failure names the account and the figure, so a defect of the
assembler stops that one document, never a wrong bill in a subscriber's hands.
"""

from __future__ import annotations

from decimal import Decimal

from raschet.documents.content import ZERO, PaymentDocumentContent, RecipientPart
from raschet.domain.errors import Problem, problem
from raschet.exchange.qr import QrError, parse_payment_qr


def check(document: PaymentDocumentContent) -> list[Problem]:
    """Everything that does not add up, as problems with the account as subject (empty: it ties out)."""
    found: list[str] = []
    for line in document.services:
        if line.payable != line.charged + line.recalculation - line.benefits:
            found.append(f"услуга «{line.service}»: к оплате {line.payable} ≠ начислено {line.charged} "
                         f"+ перерасчёт {line.recalculation} − льготы {line.benefits}")
    for part in document.recipients:
        found += _recipient(document, part)
    if document.total != document.ledger_balance:
        found.append(f"итого к оплате {document.total} ≠ сальдо лицевого счёта {document.ledger_balance}")
    if document.unassigned_advance > 0:
        found.append(f"нераспределённый аванс {document.unassigned_advance} больше нуля")
    found += _qr_codes(document)
    subject = f"ЛС {document.payer.account_number}, {document.period}"
    return [problem("document_mismatch", subject, account=document.payer.account_number,
                    period=str(document.period), what=what) for what in found]


def _recipient(document: PaymentDocumentContent, part: RecipientPart) -> list[str]:
    code, name = part.recipient.code, part.recipient.name
    lines = [line for line in document.services if line.recipient == code]
    found = []
    for column in ("charged", "recalculation", "benefits", "payable"):
        total = sum((getattr(line, column) for line in lines), ZERO)
        if total != getattr(part, column):
            found.append(f"{name}: графа {column} {getattr(part, column)} ≠ сумме по услугам {total}")
    penalties = sum((p.amount for p in document.penalties if p.recipient == code), ZERO)
    if penalties != part.penalties:
        found.append(f"{name}: пени {part.penalties} ≠ сумме строк пеней {penalties}")
    expected = part.opening + part.payable + part.penalties + part.state_fees + part.court_costs - part.paid
    if part.total != expected:
        found.append(f"{name}: итого {part.total} ≠ {expected} (долг/аванс + к оплате + пени − оплачено)")
    return found


def _qr_codes(document: PaymentDocumentContent) -> list[str]:
    expected: list[tuple[str, str, Decimal]] = []
    if document.qr_mode == "settlement_centre":
        if document.due > 0:
            expected.append((document.centre.name if document.centre else "РКЦ", document.centre_qr_payload,
                             document.due))
    else:
        expected += [(p.recipient.name, p.qr_payload, p.due) for p in document.recipients if p.due > 0]
    found = []
    for name, payload, amount in expected:
        if not payload:
            found.append(f"нет QR-кода получателя «{name}» на сумму {amount}")
            continue
        try:
            code = parse_payment_qr(payload)
        except QrError as error:
            found.append(f"QR-код получателя «{name}» не читается: {error}")
            continue
        if code.amount != amount:
            found.append(f"QR-код получателя «{name}»: сумма {code.amount} ≠ к оплате {amount}")
        if code.account != document.payer.account_number:
            found.append(f"QR-код получателя «{name}»: лицевой счёт {code.account} ≠ {document.payer.account_number}")
        if code.period != document.period:
            found.append(f"QR-код получателя «{name}»: период {code.period} ≠ {document.period}")
    return found
