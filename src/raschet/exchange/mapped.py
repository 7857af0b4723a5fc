"""Delimited-text and XLSX payment registries read through a mapping saved per bank.

The mapping's keys are described in :mod:`raschet.exchange.mapping_rules`; for example::

    {"name": "bank-x", "format": "csv", "encoding": "cp1251", "delimiter": "|", "skip_rows": 1,
     "date_format": "%d/%m/%Y", "decimal": ",", "period_format": "MMYYYY", "amount_unit": "roubles",
     "columns": {"paid_on": "Дата", "account": {"tag": "CLIENTNO"}, "amount": 4, "fee": 5,
                 "readings": {"column": 9, "between": ";", "within": ","}}}

``paid_on``, ``account`` and ``amount`` are required; without ``fee`` the fee is zero, without
``transferred`` it is amount − fee, without ``operation_id`` the id is derived as for the text
registry (scheme ``h1``).  Spreadsheet cells that hold numbers arrive as floats and are
converted through their shortest decimal text, never used as floats.  Multi-record layouts and
control files are checked by :mod:`raschet.exchange.packs`.  The refusal rules are those of the
text registry, with subjects ``"<source>:<row>"`` (the file's or spreadsheet's row number).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from raschet.domain.errors import ProblemsError, problem
from raschet.exchange.fields import FieldReader
from raschet.exchange.mapping_rules import COLUMNS, validate_mapping
from raschet.exchange.packs import Records, check_group, control_group
from raschet.exchange.problems import refuse_unless_clean
from raschet.exchange.registries import (
    OperationIds,
    ParsedRegistry,
    RawPayment,
    RegistryPayment,
    build_payment,
    compute_totals,
    decode_text,
)
from raschet.exchange.units import kopecks_as_roubles

TEXT_KEYS = ("paid_at_time", "branch", "terminal", "account", "payer", "address", "operation_id")


def refuse_invalid_mapping(mapping: Any) -> None:
    errors = validate_mapping(mapping)
    if errors:
        subject = f"mapping:{mapping.get('name', '?') if isinstance(mapping, dict) else '?'}"
        raise ProblemsError([problem("invalid_structure", subject, reason=e.rstrip(".")) for e in errors])


def parse_mapped(
    data: bytes,
    source: str,
    mapping: dict[str, Any],
    *,
    encoding: str | None = None,
    control: tuple[bytes, str] | None = None,
) -> ParsedRegistry:
    """Parse a delimited or XLSX registry with a saved ``mapping``; raise ``ProblemsError`` listing every problem.

    ``encoding`` overrides the mapping's; ``control`` is the control file (bytes, name) when the
    mapping declares one.
    """
    refuse_invalid_mapping(mapping)
    declared = encoding or mapping.get("encoding")
    if mapping["format"] == "csv":
        decoded = decode_text(data, source, declared)
        rows = _split(decoded.text, mapping.get("delimiter", ";"))
        used, how = decoded.encoding, decoded.how
    else:
        rows, used, how = _xlsx_rows(data, source, mapping.get("sheet")), "utf-8", "XLSX"
    payments = _read_rows(rows, source, mapping, _control_rows(control, mapping, source, declared))
    return ParsedRegistry(
        source,
        hashlib.sha256(data).hexdigest(),
        used,
        f"mapping:{mapping['name']}",
        tuple(payments),
        compute_totals(payments),
        None,
        encoding_how=how,
    )


def _split(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _control_rows(
    control: tuple[bytes, str] | None, mapping: dict, source: str, declared: str | None
) -> tuple[list[list[Any]], str] | None:
    if "control" not in mapping:
        return None
    if control is None:
        expected = mapping["control"].get("file", "{stem}.ctl").format(stem=source.rsplit(".", 1)[0])
        raise ProblemsError([problem("invalid_file", source, reason=_missing_control(expected))])
    data, name = control
    delimiter = mapping["control"].get("delimiter", mapping.get("delimiter", ";"))
    return _split(decode_text(data, name, declared).text, delimiter), name


def _missing_control(expected: str) -> str:
    return (
        f"реестр этого банка передаётся вместе с контрольным файлом итогов «{expected}», а он не найден; "
        f"положите его рядом с реестром или укажите --control ФАЙЛ"
    )


def _xlsx_rows(data: bytes, source: str, sheet: str | None) -> list[list[Any]]:
    import openpyxl  # imported here: only spreadsheet registries need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged zip, a non-xlsx file: openpyxl raises several kinds
        reason = f"это не файл XLSX или он повреждён ({type(error).__name__})"
        raise ProblemsError([problem("invalid_file", source, reason=reason)]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            reason = f"нет листа «{sheet}»; листы файла: {', '.join(book.sheetnames)}"
            raise ProblemsError([problem("invalid_file", source, reason=reason)])
        worksheet = book[sheet] if sheet is not None else book.active
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


class Layout:
    """Where each field is in a row: an index, or a ``key:value`` tag found anywhere in the row."""

    def __init__(self, mapping: dict, rows: list[list[Any]], source: str) -> None:
        skip = mapping.get("skip_rows", 0)
        self.header = [_text(cell) for cell in rows[skip - 1]] if 0 < skip <= len(rows) else []
        self.source = source
        self.separator = mapping.get("tag_separator", ":")
        columns = mapping["columns"]
        self.columns = {k: self.place(w) for k, w in columns.items() if k != "readings"}
        readings = columns.get("readings", [])
        self.packed = readings if isinstance(readings, dict) else None
        self.packed_place = self.place(readings["column"]) if self.packed else 0
        self.pairs = [] if self.packed else [(self.place(m), self.place(v)) for m, v in readings]

    def place(self, where: int | str | dict) -> int | str:
        """An index, or the casefolded tag name; a header title is matched ignoring case and spaces."""
        if isinstance(where, dict):
            return where["tag"].strip().casefold()
        if isinstance(where, int):
            return where
        wanted = where.strip().casefold()
        index = next((i for i, title in enumerate(self.header) if title.casefold() == wanted), None)
        if index is None:
            titles = ", ".join(f"«{title}»" for title in self.header if title) or "(нет)"
            reason = f"нет колонки с заголовком «{where}»; заголовки файла: {titles}"
            raise ProblemsError([problem("invalid_structure", self.source, reason=reason)])
        return index

    def cell(self, row: list[Any], where: Any) -> Any:
        place = where if isinstance(where, int | str) and not isinstance(where, bool) else self.place(where)
        if isinstance(place, int):
            value = row[place] if place < len(row) else None
            return value.strip() if isinstance(value, str) else value
        for item in row:
            if isinstance(item, str):
                key, found, value = item.partition(self.separator)
                if found and key.strip().casefold() == place:
                    return value.strip()
        return None

    def raw(self, row: list[Any], period_format: str) -> RawPayment:
        def cell(key: str) -> Any:
            return self.cell(row, self.columns[key]) if key in self.columns else None

        amount, transferred, fee = cell("amount"), cell("transferred"), cell("fee")
        return RawPayment(
            paid_on=cell("paid_on"),
            amount="" if amount is None else amount,
            period=_period_text(cell("period"), period_format),
            # An absent column gets the default (None); an empty cell in a present one is "missing",
            # except the fee, where an empty cell means no fee was taken.
            transferred=None if "transferred" not in self.columns else ("" if transferred is None else transferred),
            fee=None if "fee" not in self.columns or fee in (None, "") else fee,
            readings=self._readings(row),
            **{key: _text(cell(key)) for key in TEXT_KEYS},
        )

    def _readings(self, row: list[Any]) -> list[tuple[str, object, str]]:
        if self.packed is None:
            return [(_text(self.cell(row, m)), self.cell(row, v), f"колонки {m}/{v}") for m, v in self.pairs]
        text = _text(self.cell(row, self.packed_place))
        within, label = self.packed.get("within", ","), f"колонка {self.packed['column']}"
        items = [item.strip() for item in text.split(self.packed.get("between", ";")) if item.strip()]
        return [(meter.strip(), value.strip(), label) for meter, _, value in (i.partition(within) for i in items)]


def _read_rows(
    rows: list[list[Any]], source: str, mapping: dict, control: tuple[list[list[Any]], str] | None
) -> list[RegistryPayment]:
    layout = Layout(mapping, rows, source)
    period_format = mapping.get("period_format", "MMYYYY")
    reader = FieldReader(mapping.get("date_format", "%d.%m.%Y"), period_format, mapping.get("decimal", ","))
    kopecks = mapping.get("amount_unit") == "kopecks"

    def amount(value: Any, label: str, subject: str):
        value = kopecks_as_roubles(reader, value, label, subject) if kopecks else value
        return None if value is None else reader.amount(value, label, subject)

    labels = {key: f"колонка {mapping['columns'].get(key, key)!s}" for key in COLUMNS}
    records = Records(mapping, reader, layout.cell, amount)
    ids, payments, last = OperationIds(), [], 0
    for number, row in _data_rows(rows, mapping.get("skip_rows", 0)):
        subject, last = f"{source}:{number}", number
        kind = records.kind(row, subject)
        if kind in ("header", "pack"):
            records.totals_line(kind, row, subject)
        elif kind == "payment":
            raw = layout.raw(row, period_format)
            payment = build_payment(reader, ids, raw, number, subject, labels, kopecks=kopecks)
            records.payment_line(payment.amount if payment else None, subject)
            if payment is not None:
                payments.append(payment)
    records.finish(f"{source}:{last + 1}")
    if control is not None:
        _check_control(reader, amount, control, mapping, payments, layout)
    return refuse_unless_clean(payments, reader.problems, source)


def _check_control(reader, amount, control, mapping, payments, layout) -> None:
    rows, name = control
    group = control_group(rows, mapping, name, layout.cell)
    group.lines, group.paid = len(payments), compute_totals(payments).paid
    group.bad = bool(reader.problems)
    check_group(reader, amount, group)


def _data_rows(rows: list[list[Any]], skip: int) -> Iterator[tuple[int, list[Any]]]:
    """Rows after the skipped ones, numbered as the file numbers them; empty rows dropped."""
    for number, row in enumerate(rows[skip:], skip + 1):
        if any(cell is not None and str(cell).strip() for cell in row):
            yield number, row


def _text(value: Any) -> str:
    """Text of a cell; a whole number typed into a spreadsheet (ЛС 1234567890) arrives as a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _period_text(value: Any, period_format: str) -> str:
    """A period cell as text in ``period_format``; a date-formatted cell or a number is accepted too."""
    if isinstance(value, date):
        layout = {"MMYYYY": "{m:02d}{y}", "MM.YYYY": "{m:02d}.{y}", "YYYY-MM": "{y}-{m:02d}"}
        return layout.get(period_format, "{m:02d}{y}").format(m=value.month, y=value.year)
    text = _text(value)
    return "0" + text if text.isdigit() and len(text) in (3, 5) else text
