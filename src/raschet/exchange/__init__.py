"""Bank exchange formats: payment registries (text, DBF, CSV/XLSX) and payment QR codes.

Pure Python with no Django, so the import service, the CLI and tests share it.  Every parser
returns an immutable :class:`ParsedRegistry` or refuses the whole file with a
:class:`~raschet.domain.errors.ProblemsError` listing every problem and where it is.
"""

from __future__ import annotations

from raschet.exchange.dbf_registry import parse_dbf
from raschet.exchange.mapped import parse_mapped, validate_mapping
from raschet.exchange.qr import QrError, QrPayment, build_payment_qr, parse_payment_qr, payment_qr_bytes
from raschet.exchange.registries import (
    ParsedRegistry,
    PaymentOrder,
    RegistryPayment,
    RegistryTotals,
    parse_sber,
)

# dBase III, dBase IV, FoxPro and Visual FoxPro version bytes.
_DBF_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB}

__all__ = [
    "ParsedRegistry",
    "PaymentOrder",
    "QrError",
    "QrPayment",
    "RegistryPayment",
    "RegistryTotals",
    "build_payment_qr",
    "detect_format",
    "parse_dbf",
    "parse_mapped",
    "parse_payment_qr",
    "parse_sber",
    "payment_qr_bytes",
    "validate_mapping",
]


def detect_format(data: bytes, source: str) -> str:
    """Guess a registry's container: "dbf", "xlsx", "1c" (a 1CClientBankExchange bank statement),
    "sber" (text with a date;time line or an "=" footer), "csv".

    The guess picks a parser; a CSV or XLSX still needs the bank's saved mapping.  Returns
    "unknown" for anything else (a PDF, an empty file).
    """
    name = source.lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith(".dbf") or _looks_like_dbf(data):
        return "dbf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if not head or b"\x00" in head:
        return "unknown"
    if head.lstrip().startswith(b"1CClientBankExchange"):
        return "1c"
    first = head.split(b"\n", 1)[0].strip()
    if _is_sber_line(first) or first.startswith(b"="):
        return "sber"
    return "csv"


def _looks_like_dbf(data: bytes) -> bool:
    """Version byte, a plausible date of last update, header length that fits 32-byte field records."""
    if len(data) < 33 or data[0] not in _DBF_VERSIONS:
        return False
    month, day = data[2], data[3]
    header_length = int.from_bytes(data[8:10], "little")
    return 1 <= month <= 12 and 1 <= day <= 31 and header_length >= 33 and (header_length - 1) % 32 in (0, 8)


def _is_sber_line(line: bytes) -> bool:
    """``DD-MM-YYYY;HH-MM-SS;`` at the start of the line."""
    head = line[:20]
    return (
        len(head) == 20
        and head[2:3] == head[5:6] == b"-"
        and head[10:11] == b";"
        and head[13:14] == head[16:17] == b"-"
        and head[19:20] == b";"
        and (head[:2] + head[3:5] + head[6:10] + head[11:13] + head[14:16] + head[17:19]).isdigit()
    )
