"""CSV and XLSX payment registries read through a column mapping saved per bank.

A mapping says where each field is, by 0-based index or by header text::

    {"name": "bank-x", "format": "csv", "encoding": "cp1251", "delimiter": ";", "skip_rows": 1,
     "date_format": "%d.%m.%Y", "decimal": ",", "period_format": "MMYYYY",
     "columns": {"paid_on": "Дата", "account": 2, "amount": "Сумма", "fee": 5,
                 "readings": [[7, 8], [9, 10]]}}

``skip_rows`` rows are skipped before the data; when columns are named, the last skipped row is
the header.  ``paid_on``, ``account`` and ``amount`` are required; without ``fee`` the fee is
zero, without ``transferred`` it is amount − fee, without ``operation_id`` the id is derived as
for the text registry (scheme ``h1``).  Spreadsheet cells that hold numbers arrive as floats
and are converted through their shortest decimal text, never used as floats.  The refusal rules
are those of the text registry, with subjects ``"<source>:<row>"`` (the spreadsheet row number).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from raschet.domain.errors import ProblemsError, problem
from raschet.exchange.fields import PERIOD_FORMATS, FieldReader
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

COLUMNS = (
    "paid_on",
    "paid_at_time",
    "branch",
    "terminal",
    "account",
    "payer",
    "address",
    "period",
    "amount",
    "transferred",
    "fee",
    "operation_id",
)
REQUIRED_COLUMNS = ("paid_on", "account", "amount")
MAPPING_KEYS = {
    "name",
    "format",
    "encoding",
    "delimiter",
    "skip_rows",
    "date_format",
    "decimal",
    "columns",
    "period_format",
    "sheet",
}
TEXT_KEYS = ("paid_at_time", "branch", "terminal", "account", "payer", "address", "operation_id")


def validate_mapping(mapping: Any) -> list[str]:
    """What is wrong with a saved mapping, one Russian sentence per problem; empty when it is usable."""
    if not isinstance(mapping, dict):
        return ["Настройка реестра должна быть словарём (JSON-объектом)."]
    errors = [
        f"Неизвестный параметр «{k}»; допустимые: {', '.join(sorted(MAPPING_KEYS))}."
        for k in mapping
        if k not in MAPPING_KEYS
    ]
    if not isinstance(mapping.get("name"), str) or not mapping["name"].strip():
        errors.append("Не указано название настройки «name» (например, «sber-csv»).")
    if mapping.get("format") not in ("csv", "xlsx"):
        errors.append(f"Формат «format» должен быть csv или xlsx, указано: {mapping.get('format')!r}.")
    errors += _check_text_options(mapping)
    skip = mapping.get("skip_rows", 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        errors.append(f"«skip_rows» должно быть целым числом не меньше 0, указано: {skip!r}.")
    if mapping.get("decimal", ",") not in (",", "."):
        errors.append(
            f"Десятичный разделитель «decimal» должен быть «,» или «.», указано: {mapping['decimal']!r}."
        )
    if mapping.get("period_format", "MMYYYY") not in PERIOD_FORMATS:
        errors.append(f"Формат периода «period_format» должен быть одним из: {', '.join(PERIOD_FORMATS)}.")
    errors += _check_date_format(mapping.get("date_format", "%d.%m.%Y"))
    return errors + _check_columns(mapping.get("columns"), skip)


def _check_text_options(mapping: dict) -> list[str]:
    errors = []
    encoding = mapping.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            errors.append(f"Неизвестная кодировка «encoding»: {encoding!r}; используйте utf-8 или cp1251.")
    delimiter = mapping.get("delimiter", ";")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        errors.append(f"Разделитель «delimiter» должен быть одним символом, указано: {delimiter!r}.")
    return errors


def _check_date_format(date_format: Any) -> list[str]:
    sample = date(2026, 3, 5)
    try:
        ok = datetime.strptime(sample.strftime(date_format), date_format).date() == sample
    except (TypeError, ValueError):
        ok = False
    if ok:
        return []
    return [f"Формат даты «date_format» {date_format!r} не задаёт день, месяц и год; пример: %d.%m.%Y."]


def _check_columns(columns: Any, skip_rows: Any) -> list[str]:
    if not isinstance(columns, dict):
        return ["Не указаны колонки «columns»: нужны как минимум paid_on, account и amount."]
    errors = [f"Не указана обязательная колонка «{k}»." for k in REQUIRED_COLUMNS if k not in columns]
    for key, where in columns.items():
        if key == "readings":
            if not isinstance(where, list) or not all(
                isinstance(p, list | tuple) and len(p) == 2 for p in where
            ):
                errors.append("«readings» должен быть списком пар [колонка прибора, колонка показания].")
            else:
                errors += [e for pair in where for w in pair for e in _check_column("readings", w, skip_rows)]
        elif key not in COLUMNS:
            errors.append(f"Неизвестная колонка «{key}»; допустимые: {', '.join(COLUMNS)}, readings.")
        else:
            errors += _check_column(key, where, skip_rows)
    return errors


def _check_column(key: str, where: Any, skip_rows: Any) -> list[str]:
    if isinstance(where, int) and not isinstance(where, bool) and where >= 0:
        return []
    if isinstance(where, str) and where.strip():
        if isinstance(skip_rows, int) and skip_rows >= 1:
            return []
        return [
            f"Колонка «{key}» указана по заголовку «{where}», но skip_rows = 0: заголовок — последняя "
            f"пропускаемая строка, укажите skip_rows не меньше 1."
        ]
    return [f"Колонка «{key}»: укажите номер колонки (с 0) или текст заголовка, указано: {where!r}."]


def parse_mapped(data: bytes, source: str, mapping: dict[str, Any]) -> ParsedRegistry:
    """Parse a CSV or XLSX registry with a saved ``mapping``; raise ``ProblemsError`` listing every problem."""
    errors = validate_mapping(mapping)
    if errors:
        subject = f"mapping:{mapping.get('name', '?') if isinstance(mapping, dict) else '?'}"
        raise ProblemsError([problem("invalid_structure", subject, reason=e.rstrip(".")) for e in errors])
    if mapping["format"] == "csv":
        encoding, rows = _csv_rows(data, source, mapping)
    else:
        encoding, rows = "utf-8", _xlsx_rows(data, source, mapping.get("sheet"))
    payments = _read_rows(rows, source, mapping)
    return ParsedRegistry(
        source,
        hashlib.sha256(data).hexdigest(),
        encoding,
        f"mapping:{mapping['name']}",
        tuple(payments),
        compute_totals(payments),
        None,
    )


def _csv_rows(data: bytes, source: str, mapping: dict) -> tuple[str, list[list[Any]]]:
    declared = mapping.get("encoding")
    if declared and codecs.lookup(declared).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        declared = "utf-8-sig"
    text, encoding = decode_text(data, source, declared)
    return encoding, list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.get("delimiter", ";")))


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


def _resolve(where: int | str, header: list[str], source: str) -> int:
    """A column's index; a header name is matched ignoring case and surrounding spaces."""
    if isinstance(where, int):
        return where
    wanted = where.strip().casefold()
    index = next((i for i, title in enumerate(header) if title.casefold() == wanted), None)
    if index is None:
        titles = ", ".join(f"«{title}»" for title in header if title) or "(нет)"
        reason = f"нет колонки с заголовком «{where}»; заголовки файла: {titles}"
        raise ProblemsError([problem("invalid_structure", source, reason=reason)])
    return index


def _columns(
    mapping: dict, rows: list[list[Any]], source: str
) -> tuple[dict[str, int], list[tuple[int, int]]]:
    skip = mapping.get("skip_rows", 0)
    header = [_text(cell) for cell in rows[skip - 1]] if 0 < skip <= len(rows) else []
    columns = {k: _resolve(w, header, source) for k, w in mapping["columns"].items() if k != "readings"}
    readings = [
        (_resolve(m, header, source), _resolve(v, header, source))
        for m, v in mapping["columns"].get("readings", [])
    ]
    return columns, readings


def _read_rows(rows: list[list[Any]], source: str, mapping: dict) -> list[RegistryPayment]:
    columns, reading_columns = _columns(mapping, rows, source)
    period_format = mapping.get("period_format", "MMYYYY")
    reader = FieldReader(mapping.get("date_format", "%d.%m.%Y"), period_format, mapping.get("decimal", ","))
    labels = {key: f"колонка {mapping['columns'].get(key, key)!s}" for key in COLUMNS}
    ids, payments = OperationIds(), []
    for number, row in _data_rows(rows, mapping.get("skip_rows", 0)):
        subject = f"{source}:{number}"
        raw = _raw(row, columns, reading_columns, period_format)
        payment = build_payment(reader, ids, raw, number, subject, labels)
        if payment is not None:
            payments.append(payment)
    return refuse_unless_clean(payments, reader.problems, source)


def _data_rows(rows: list[list[Any]], skip: int) -> Iterator[tuple[int, list[Any]]]:
    """Rows after the skipped ones, numbered as the spreadsheet numbers them; empty rows dropped."""
    for number, row in enumerate(rows[skip:], skip + 1):
        if any(cell is not None and str(cell).strip() for cell in row):
            yield number, row


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> str:
    """Text of a cell; a whole number typed into a spreadsheet (ЛС 1234567890) arrives as a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw(
    row: list[Any], columns: dict[str, int], reading_columns: list[tuple[int, int]], period_format: str
) -> RawPayment:
    def cell(key: str) -> Any:
        return _cell(row, columns.get(key))

    readings = [(_text(_cell(row, m)), _cell(row, v), f"колонки {m}/{v}") for m, v in reading_columns]
    amount, transferred, fee = cell("amount"), cell("transferred"), cell("fee")
    return RawPayment(
        paid_on=cell("paid_on"),
        amount="" if amount is None else amount,
        period=_period_text(cell("period"), period_format),
        # An absent column gets the default (None); an empty cell in a present one is "missing",
        # except the fee, where an empty cell means no fee was taken.
        transferred=None if "transferred" not in columns else ("" if transferred is None else transferred),
        fee=None if "fee" not in columns or fee in (None, "") else fee,
        readings=readings,
        **{key: _text(cell(key)) for key in TEXT_KEYS},
    )


def _period_text(value: Any, period_format: str) -> str:
    """A period cell as text in ``period_format``; a date-formatted cell or a number is accepted too."""
    if isinstance(value, date):
        layout = {"MMYYYY": "{m:02d}{y}", "MM.YYYY": "{m:02d}.{y}", "YYYY-MM": "{y}-{m:02d}"}
        return layout.get(period_format, "{m:02d}{y}").format(m=value.month, y=value.year)
    text = _text(value)
    return "0" + text if text.isdigit() and len(text) in (3, 5) else text
