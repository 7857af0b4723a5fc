"""The payment QR codes of a document (GOST R 56042-2014, domain.md §9): payloads and symbols.

The payload is written by :func:`raschet.exchange.qr.build_payment_qr`, the project's one strict
writer; here a refusal of it becomes a problem that names the organisation whose card to fix, before
anything is drawn. The symbol is encoded natively by zxing-cpp: byte mode over the UTF-8 bytes the
``ST00012`` header announces, error correction M (15 %: a crease or a stamp on the paper), and a
fixed mask pattern — choosing the best of the eight masks costs zxing-cpp about 5 ms a symbol, ten
times the encoding itself, and any mask is read by every decoder (the tests read every symbol back
from the rasterised page).
"""

from __future__ import annotations

import zlib
from decimal import Decimal

import zxingcpp

from raschet.documents.content import Organisation
from raschet.documents.pdf.writer import ImageMask
from raschet.domain.errors import Problem, problem
from raschet.domain.identifiers import IdentifierError, validate_inn
from raschet.domain.periods import Period
from raschet.exchange.qr import QrError, build_payment_qr

ERROR_CORRECTION = "M"
MASK = 0
BANK_NAME_LENGTH = 45
TECH_CODE = "02"  # ЖКУ


class PayeeProblem(Exception):
    """An organisation's details cannot make a payment code; ``problem`` names it and the fix."""

    def __init__(self, found: Problem) -> None:
        self.problem = found
        super().__init__(found.message)


def _refuse(organisation: Organisation, reason: str) -> PayeeProblem:
    return PayeeProblem(problem("payee_details", f"организация {organisation.code}", organisation=organisation.name,
                                org_code=organisation.code, reason=reason))


def payee_fields(organisation: Organisation) -> dict[str, str]:
    """The payee's part of a payload, checked: bank details present and agreeing, INN valid, no value
    that the payload cannot carry. Raises :class:`PayeeProblem`."""
    missing = [label for label, value in (("банк", organisation.bank_name), ("БИК", organisation.bic),
                                          ("расчётный счёт", organisation.settlement_account))
               if not value]
    if missing:
        raise _refuse(organisation, f"не заполнены реквизиты: {', '.join(missing)}")
    if len(organisation.bank_name) > BANK_NAME_LENGTH:
        raise _refuse(organisation, f"наименование банка «{organisation.bank_name}» длиннее {BANK_NAME_LENGTH} "
                                    f"символов (ГОСТ Р 56042): сократите его, например «ПАО Сбербанк»")
    try:
        validate_inn(organisation.inn)
    except IdentifierError as error:
        raise _refuse(organisation, str(error)) from None
    fields = {"Name": organisation.name, "PersonalAcc": organisation.settlement_account,
              "BankName": organisation.bank_name, "BIC": organisation.bic,
              "CorrespAcc": organisation.corr_account or "0", "PayeeINN": organisation.inn}
    if organisation.kpp:
        fields["KPP"] = organisation.kpp
    return fields


def payment_payload(organisation: Organisation, *, amount: Decimal, account_number: str, period: Period,
                    what: str = "ЖКУ") -> str:
    """The payload for paying ``amount`` to ``organisation`` for ``period`` of the account."""
    fields = payee_fields(organisation)
    fields.update({"Sum": amount, "Purpose": f"Оплата {what} за {period.month:02d}.{period.year} ЛС {account_number}",
                   "PersAcc": account_number, "PaymPeriod": period, "TechCode": TECH_CODE})
    try:
        return build_payment_qr(fields)
    except QrError as error:
        if "|" in account_number:
            raise PayeeProblem(problem("invalid_value", f"ЛС {account_number}", value=account_number,
                                       field="номер лицевого счёта", reason="содержит «|», который в QR-коде "
                                       "разделяет реквизиты")) from None
        raise _refuse(organisation, str(error)) from None


def symbol(payload: str, name: str) -> ImageMask:
    """The QR symbol of ``payload`` as a one-bit image mask (dark modules painted), no quiet zone: the
    layout leaves the white margin around it."""
    code = zxingcpp.create_barcode(payload.encode("utf-8"), zxingcpp.BarcodeFormat.QRCode,
                                   ec_level=ERROR_CORRECTION, data_mask=MASK)
    pixels = memoryview(code.to_image(add_quiet_zones=False))
    height, width = pixels.shape
    # dark modules (0) become 0 bits, painted by the mask; each row padded to whole bytes with light bits
    padded = width + -width % 8
    rows = pixels.tobytes().translate(_BITS)
    text = b"".join(rows[i:i + width] + b"1" * (padded - width) for i in range(0, height * width, width))
    data = int(text, 2).to_bytes(len(text) // 8, "big")
    return ImageMask(name, width, height, zlib.compress(data, 6))


_BITS = bytes(48 if value < 128 else 49 for value in range(256))  # b"0" for dark, b"1" for light
