"""What a saved registry mapping may say, and the check that refuses a mapping that cannot work.

A mapping describes one bank's layout once; ``raschet payments mapping save FILE.json`` stores it
and ``--format mapping:NAME`` reads files with it.  Keys:

* ``name``, ``format`` (``csv`` — any delimited text, ``xlsx``, ``dbf``);
* ``encoding`` (utf-8, cp1251, cp866, koi8-r; detected when absent), ``delimiter`` (``;``, ``|``…),
  ``skip_rows`` (the last skipped row is the header when columns are named by title),
  ``date_format`` (``%d/%m/%Y``…), ``decimal``, ``period_format``, ``sheet`` (xlsx);
* ``amount_unit``: ``roubles`` (default) or ``kopecks`` (``207050`` is 2 070,50 ₽);
* ``columns``: our field → where it is: a 0-based index, a header title, a DBF field name, or
  ``{"tag": "CLIENTNO"}`` for ``CLIENTNO:value`` fields (with ``tag_separator``, default ``:``);
  ``readings`` is a list of ``[meter, value]`` pairs of such places, or
  ``{"column": place, "between": ";", "within": ","}`` for readings packed in one field;
* ``records``: a multi-record layout, ``{"column": 0, "payment": "D", "header": "H", "pack": "P",
  "pack_position": "before", "ignore": ["T"]}`` with ``header_columns`` / ``pack_columns``
  giving ``count`` and ``total`` (and the pack's ``number``), which are checked;
* ``control``: a second file with the registry's control totals, ``{"file": "{stem}.ctl",
  "delimiter": ";", "skip_rows": 0, "columns": {"count": 0, "total": 1}}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from raschet.exchange.encodings import ENCODINGS, normalize
from raschet.exchange.fields import PERIOD_FORMATS

COLUMNS = (
    "paid_on", "paid_at_time", "branch", "terminal", "account", "payer", "address", "period", "amount",
    "transferred", "fee", "operation_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("paid_on", "account", "amount")
FORMATS = ("csv", "xlsx", "dbf")
MAPPING_KEYS = {
    "name", "format", "encoding", "delimiter", "skip_rows", "date_format", "decimal", "columns",
    "period_format", "sheet", "amount_unit", "records", "header_columns", "pack_columns", "control",
    "tag_separator",
}  # fmt: skip
RECORD_KEYS = {"column", "payment", "header", "pack", "pack_position", "ignore"}
TOTAL_KEYS = {"count", "total", "number"}


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
    if mapping.get("format") not in FORMATS:
        errors.append(f"Формат «format» должен быть csv, xlsx или dbf, указано: {mapping.get('format')!r}.")
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
    if mapping.get("amount_unit", "roubles") not in ("roubles", "kopecks"):
        errors.append(f"«amount_unit» должно быть roubles или kopecks, указано: {mapping['amount_unit']!r}.")
    errors += _check_date_format(mapping.get("date_format", "%d.%m.%Y"))
    if mapping.get("format") == "dbf":
        return errors + _check_dbf(mapping)
    errors += _check_columns(mapping.get("columns"), skip)
    return errors + _check_records(mapping) + _check_control(mapping.get("control"))


def _check_dbf(mapping: dict) -> list[str]:
    """A DBF names its fields itself: columns are field names; no header rows, records or control file."""
    columns = mapping.get("columns")
    errors = _check_columns(columns, 1)
    if not isinstance(columns, dict):
        return errors
    places = [w for k, w in columns.items() if k != "readings"]
    places += [w for pair in columns.get("readings", []) for w in pair] if isinstance(columns.get("readings"), list) else []
    if isinstance(columns.get("readings"), dict) or not all(isinstance(w, str) for w in places):
        errors.append("В шаблоне DBF колонки указываются именами полей файла, например «NLS» или «SUMPLAT».")
    extra = [k for k in ("records", "control", "skip_rows", "delimiter", "header_columns", "pack_columns") if k in mapping]
    return errors + [f"«{k}» не применяется к DBF." for k in extra]


def _check_text_options(mapping: dict) -> list[str]:
    errors = []
    encoding = mapping.get("encoding")
    if encoding is not None and normalize(encoding) is None:
        errors.append(f"Неизвестная кодировка «encoding»: {encoding!r}; используйте {', '.join(ENCODINGS)}.")
    for key in ("delimiter", "tag_separator"):
        value = mapping.get(key, ";")
        if not isinstance(value, str) or len(value) != 1:
            errors.append(f"Разделитель «{key}» должен быть одним символом, указано: {value!r}.")
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
            errors += _check_readings(where, skip_rows)
        elif key not in COLUMNS:
            errors.append(f"Неизвестная колонка «{key}»; допустимые: {', '.join(COLUMNS)}, readings.")
        else:
            errors += check_column(key, where, skip_rows)
    return errors


def _check_readings(where: Any, skip_rows: Any) -> list[str]:
    if isinstance(where, dict):
        unknown = set(where) - {"column", "between", "within"}
        errors = [f"«readings»: неизвестный параметр «{k}»." for k in sorted(unknown)]
        for key in ("between", "within"):
            if not isinstance(where.get(key, ";" if key == "between" else ","), str):
                errors.append(f"«readings.{key}» должен быть строкой-разделителем.")
        return errors + check_column("readings", where.get("column"), skip_rows)
    if not isinstance(where, list) or not all(isinstance(p, list | tuple) and len(p) == 2 for p in where):
        return [
            "«readings» должен быть списком пар [колонка прибора, колонка показания] или "
            '{"column": колонка, "between": ";", "within": ","} для показаний в одном поле.'
        ]
    return [e for pair in where for w in pair for e in check_column("readings", w, skip_rows)]


def check_column(key: str, where: Any, skip_rows: Any) -> list[str]:
    """A column given by index, by header title (needs a header row) or as ``{"tag": NAME}``."""
    if isinstance(where, int) and not isinstance(where, bool) and where >= 0:
        return []
    if isinstance(where, dict) and set(where) == {"tag"} and isinstance(where["tag"], str) and where["tag"]:
        return []
    if isinstance(where, str) and where.strip():
        if isinstance(skip_rows, int) and skip_rows >= 1:
            return []
        return [
            f"Колонка «{key}» указана по заголовку «{where}», но skip_rows = 0: заголовок — последняя "
            f"пропускаемая строка, укажите skip_rows не меньше 1."
        ]
    return [
        f"Колонка «{key}»: укажите номер колонки (с 0), текст заголовка или {{\"tag\": \"ИМЯ\"}}, "
        f"указано: {where!r}."
    ]


def _check_records(mapping: dict) -> list[str]:
    records = mapping.get("records")
    if records is None:
        extra = [k for k in ("header_columns", "pack_columns") if k in mapping]
        return [f"«{k}» имеет смысл только вместе с «records»." for k in extra]
    if not isinstance(records, dict) or not isinstance(records.get("payment"), str):
        return ['«records» должен указывать признак строки платежа, например {"column": 0, "payment": "D"}.']
    errors = [f"«records»: неизвестный параметр «{k}»." for k in sorted(set(records) - RECORD_KEYS)]
    errors += check_column("records.column", records.get("column", 0), 0)
    if records.get("pack_position", "before") not in ("before", "after"):
        errors.append("«records.pack_position» должно быть before (строка пачки перед её платежами) или after.")
    for kind in ("header", "pack"):
        columns = mapping.get(f"{kind}_columns")
        if kind in records and not isinstance(columns, dict):
            errors.append(f"Для строк «{kind}» укажите «{kind}_columns» с колонками count и total.")
        elif isinstance(columns, dict):
            errors += [f"«{kind}_columns»: неизвестная колонка «{k}»." for k in sorted(set(columns) - TOTAL_KEYS)]
            errors += [e for k, w in columns.items() for e in check_column(f"{kind}_columns.{k}", w, 0)]
    return errors


def _check_control(control: Any) -> list[str]:
    if control is None:
        return []
    columns = control.get("columns") if isinstance(control, dict) else None
    if not isinstance(columns, dict) or not columns or set(columns) - {"count", "total"}:
        return ['«control» должен указывать колонки итогов, например {"columns": {"count": 0, "total": 1}}.']
    errors = [e for k, w in columns.items() for e in check_column(f"control.{k}", w, 0)]
    if not isinstance(control.get("file", "{stem}.ctl"), str):
        errors.append("«control.file» — шаблон имени контрольного файла, например «{stem}.ctl».")
    return errors
