"""One entry point for a registry file: pick the parser by the named or detected format, with the
encoding, saved mapping and control file the caller found; refuse what is no registry, saying what it is.
"""

from __future__ import annotations

from typing import Any

from raschet.domain.errors import ProblemsError, problem
from raschet.exchange import statement_1c
from raschet.exchange.dbf_registry import parse_dbf
from raschet.exchange.encodings import ENCODINGS, normalize
from raschet.exchange.mapped import parse_mapped
from raschet.exchange.registries import ParsedRegistry, parse_sber
from raschet.exchange.sniff import describe_text


def read_registry(
    data: bytes,
    source: str,
    fmt: str,
    *,
    encoding: str | None = None,
    mapping: dict[str, Any] | None = None,
    control: tuple[bytes, str] | None = None,
    saved: list[str] | tuple[str, ...] = (),
) -> ParsedRegistry:
    """Parse ``data`` as ``fmt`` ("sber", "dbf", "mapping:NAME" with ``mapping``, or what
    :func:`~raschet.exchange.detect_format` said); ``saved`` names the saved mappings for advice."""
    if encoding is not None and normalize(encoding) is None:
        reason = f"кодировка «{encoding}» не поддерживается; укажите одну из: {', '.join(ENCODINGS)}"
        raise ProblemsError([problem("invalid_value", "--encoding", value=encoding, field="--encoding",
                                     reason=reason + ".")])
    if fmt == "1c" or statement_1c.is_statement(data):
        raise ProblemsError([statement_1c.statement_problem(source, statement_1c.summarize(data))])
    if fmt == "sber":
        return parse_sber(data, source, encoding)
    if fmt == "dbf":
        return parse_dbf(data, source, encoding=encoding)
    if fmt.startswith("mapping:") and mapping is not None:
        if mapping.get("format") == "dbf":
            return parse_dbf(data, source, mapping, encoding=encoding)
        return parse_mapped(data, source, mapping, encoding=encoding, control=control)
    raise ProblemsError([problem("invalid_file", source, reason=_unrecognised(data, fmt, list(saved)))])


def _unrecognised(data: bytes, fmt: str, saved: list[str]) -> str:
    if fmt == "csv":
        return f"формат «csv» без шаблона не загружается: {describe_text(data, saved)}"
    if fmt == "xlsx":
        return (
            "файл XLSX загружается только по шаблону реестра банка (format «xlsx», колонки по номеру или "
            "заголовку): сохраните его (raschet payments mapping save ФАЙЛ.json) и укажите --format "
            "mapping:ИМЯ" + (f"; сохранённые шаблоны: {', '.join(saved)}" if saved else "")
        )
    return (
        f"формат «{fmt}» не распознан: это не текстовый реестр, не DBF и не XLSX; укажите --format sber, dbf "
        f"или mapping:ИМЯ"
    )
