"""DBF payment registries (dBase III / FoxPro), read with the ``dbf`` package.

Field names are found case-insensitively among the usual spellings (DATE/DATA, LS/ACCOUNT,
SUMMA/AMOUNT, …).  A bank with other names (a Sberbank file with ``DATPLAT``, ``NLS``,
``SUMPLAT``…) gets a saved mapping of format ``dbf`` (see :mod:`raschet.exchange.mapping_rules`),
whose ``columns`` name the fields, read with ``--format mapping:NAME``.  The mapping may also
give ``encoding`` (when the header declares none, Windows-1251 is assumed), ``date_format`` and
``period_format`` for dates and periods kept in character fields, ``amount_unit: kopecks``, and
``readings`` as ``[[meter_field, value_field], …]`` (by default every ``COUNTERn``/``VALUEn``
pair).  A DBF has no footer, so the totals are computed.  The refusal rules are those of the
text registry, with subjects ``"<source>:record N"``.

``dbf`` opens files by name only, so the bytes are written to a private temporary directory.
Numeric fields are read as their stored text, never as floats, and converted to ``Decimal``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import dbf

from raschet.domain.errors import ProblemsError, problem
from raschet.exchange.encodings import normalize
from raschet.exchange.fields import FieldReader
from raschet.exchange.mapped import refuse_invalid_mapping
from raschet.exchange.problems import refuse_unless_clean
from raschet.exchange.registries import (
    OperationIds,
    ParsedRegistry,
    RawPayment,
    RegistryPayment,
    build_payment,
    compute_totals,
)

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "paid_on": ("DATE", "DATA"),
    "paid_at_time": ("TIME",),
    "branch": ("BRANCH", "FILIAL"),
    "terminal": ("TERMINAL", "KASSA"),
    "account": ("LS", "ACCOUNT"),
    "payer": ("FIO",),
    "address": ("ADDRESS", "ADRES"),
    "period": ("PERIOD",),
    "amount": ("SUMMA", "AMOUNT"),
    "transferred": ("TRANSFER",),
    "fee": ("FEE", "KOMIS"),
    "operation_id": (),
}
REQUIRED = ("paid_on", "account", "amount")
DEFAULT_ENCODING = "cp1251"
_COUNTER = re.compile(r"COUNTER([0-9]+)")
_NONE = type(None)
# Numbers as their stored ASCII text (dbf would give floats); empty values as None.
_DATA_TYPES = {
    "N": (lambda raw: raw.decode("ascii"), _NONE, _NONE),
    "F": (lambda raw: raw.decode("ascii"), _NONE, _NONE),
    "D": (date, _NONE, _NONE),
    "C": (str, str, _NONE),
}


def parse_dbf(
    data: bytes, source: str, mapping: dict[str, Any] | None = None, *, encoding: str | None = None
) -> ParsedRegistry:
    """Parse a DBF registry (with a saved mapping of format dbf, or the usual field names);
    raise ``ProblemsError`` listing every problem.  ``encoding`` overrides the file's and the mapping's."""
    fmt, mapping = "dbf", mapping or {}
    if "columns" in mapping:  # a saved mapping
        refuse_invalid_mapping(mapping)
        fmt, mapping = f"mapping:{mapping['name']}", _from_saved(mapping)
    encoding = encoding or mapping.get("encoding")
    with tempfile.TemporaryDirectory(prefix="raschet-dbf-") as tmp:
        path = Path(tmp) / "registry.dbf"
        path.write_bytes(data)
        table, how = _open(path, source, encoding)
        try:
            used = str(table.codepage.name)
            payments = _read_whole(table, source, mapping)
        finally:
            table.close()
    return ParsedRegistry(
        source,
        hashlib.sha256(data).hexdigest(),
        normalize(used) or used,
        fmt,
        tuple(payments),
        compute_totals(payments),
        None,
        encoding_how=how,
    )


def _from_saved(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved mapping's DBF field names in this module's flat shape."""
    flat = {key: where for key, where in saved["columns"].items()}
    for key in ("encoding", "date_format", "period_format", "amount_unit"):
        if key in saved:
            flat[key] = saved[key]
    return flat


def _read_whole(table: dbf.Table, source: str, mapping: dict[str, Any]) -> list[RegistryPayment]:
    """The records of a table whose header opened: a cut or damaged body is a refusal of the file,
    never an exception of the ``dbf`` package (found by the fuzz test of the parsers)."""
    try:
        return _read(table, source, mapping)
    except ProblemsError:
        raise
    except Exception as error:  # dbf raises ValueError, struct.error, … for records it cannot read
        reason = f"записи файла не читаются: файл обрезан или повреждён ({type(error).__name__})"
        raise ProblemsError([problem("invalid_file", source, reason=reason)]) from None


def _open(path: Path, source: str, encoding: str | None) -> tuple[dbf.Table, str]:
    # Byte 29 is the code page mark; 0 means "not declared", where dbf would fall back to ASCII.
    declared = path.read_bytes()[29:30] not in (b"", b"\x00")
    codepage = encoding or (None if declared else DEFAULT_ENCODING)
    how = "указана" if encoding else ("указана в заголовке DBF" if declared else "по умолчанию для DBF")
    try:
        table = dbf.Table(str(path), codepage=codepage, default_data_types=_DATA_TYPES)
        table.open(dbf.READ_ONLY)
    except Exception as error:  # dbf raises its own and several builtin errors for a damaged file
        reason = f"это не DBF-файл или он повреждён ({type(error).__name__}: {error})"
        raise ProblemsError([problem("invalid_file", source, reason=reason)]) from None
    return table, how


def resolve_fields(names: list[str], mapping: dict[str, Any], source: str) -> tuple[dict[str, str], list]:
    """Map our field names to the table's, and find the reading pairs; refuse a missing required one."""
    upper = {n.upper(): n for n in names}
    found: dict[str, str] = {}
    for key, spellings in DEFAULT_FIELDS.items():
        wanted = (mapping[key],) if key in mapping else spellings
        name = next((upper[w.upper()] for w in wanted if w.upper() in upper), None)
        if name:
            found[key] = name
        elif key in REQUIRED or key in mapping:
            reason = (
                f"нет поля {' или '.join(wanted)} ({key}); поля файла: {', '.join(names)}. "
                f"Сохраните шаблон реестра этого банка с «format»: «dbf» и именами полей в «columns» "
                f"(raschet payments mapping save ФАЙЛ.json) и загрузите реестр с --format mapping:ИМЯ"
            )
            raise ProblemsError([problem("invalid_structure", source, reason=reason)])
    if "readings" in mapping:
        missing = [n for pair in mapping["readings"] for n in pair if n.upper() not in upper]
        if missing:
            reason = f"нет полей показаний {', '.join(missing)}; поля файла: {', '.join(names)}"
            raise ProblemsError([problem("invalid_structure", source, reason=reason)])
        pairs = [(upper[m.upper()], upper[v.upper()]) for m, v in mapping["readings"]]
    else:
        pairs = [
            (upper[n], upper[f"VALUE{match[1]}"])
            for n in sorted(upper)
            if (match := _COUNTER.fullmatch(n)) and f"VALUE{match[1]}" in upper
        ]
    return found, pairs


def _read(table: dbf.Table, source: str, mapping: dict[str, Any]) -> list[RegistryPayment]:
    fields, pairs = resolve_fields(list(table.field_names), mapping, source)
    reader = FieldReader(
        date_format=mapping.get("date_format", "%d.%m.%Y"), period_format=mapping.get("period_format", "sber")
    )
    labels = {key: fields.get(key, key) for key in DEFAULT_FIELDS}
    kopecks = mapping.get("amount_unit") == "kopecks"
    ids, payments = OperationIds(), []
    for number, record in enumerate(table, 1):
        if dbf.is_deleted(record):
            continue
        subject = f"{source}:record {number}"
        raw = _raw(record, fields, pairs, reader, subject)
        payment = build_payment(reader, ids, raw, number, subject, labels, kopecks=kopecks) if raw else None
        if payment is not None:
            payments.append(payment)
    return refuse_unless_clean(payments, reader.problems, source)


def _value(record: Any, name: str, reader: FieldReader, subject: str) -> tuple[bool, Any]:
    """One field's value; a damaged value (a date of 31.02) is a problem, not a crash."""
    try:
        value = record[name]
    except (ValueError, TypeError, UnicodeDecodeError):
        reader.report(
            "invalid_value",
            subject,
            value="(не читается)",
            field=name,
            reason="значение повреждено или не соответствует типу поля.",
        )
        return False, None
    return True, value.strip() if isinstance(value, str) else value


def _raw(
    record: Any, fields: dict[str, str], pairs: list, reader: FieldReader, subject: str
) -> RawPayment | None:
    values: dict[str, Any] = {}
    ok = True
    for key, name in fields.items():
        good, values[key] = _value(record, name, reader, subject)
        ok = ok and good
    readings = []
    for meter, value in pairs:
        good_m, meter_value = _value(record, meter, reader, subject)
        good_v, reading = _value(record, value, reader, subject)
        ok = ok and good_m and good_v
        readings.append((str(meter_value or ""), reading, f"{meter}/{value}"))
    if not ok:
        return None
    text = {
        k: "" if values.get(k) is None else str(values[k])
        for k in ("paid_at_time", "branch", "terminal", "payer", "address", "operation_id", "account")
    }
    period = text_period(values.get("period"))
    return RawPayment(
        paid_on=values.get("paid_on"),
        amount=values.get("amount"),
        period=period,
        transferred=values.get("transferred"),
        fee=values.get("fee"),
        readings=readings,
        **text,
    )


def text_period(value: object) -> str:
    """A period from a character or numeric field: a numeric 0326 is stored as "326"."""
    text = "" if value is None else str(value)
    return "0" + text if len(text) in (3, 5) and text.isdigit() else text
