"""Multi-record registries and control totals: header, pack (пачка) and payment lines; a control file.

Some banks send one file with several kinds of lines, told apart by a record tag in one column:
a header with the registry's count and total, pack lines each with the count and total of its
payments (the pack line stands before its payments, or after them), and payment lines.  Others
send the payments and, beside them, a small control file with the count and total.  Every
declared total is checked against the lines, to the kopeck; a mismatch refuses the file, like an
unreconciled footer of the text registry.  Totals are compared only when every line of the pack
or file was read, so one bad amount is reported once, not again as a wrong total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from raschet.domain.money import format_money
from raschet.exchange.fields import FieldReader

ZERO = Decimal("0.00")
Cell = Callable[[list[Any], Any], Any]
Amount = Callable[[Any, str, str], Decimal | None]


@dataclass
class _Group:
    """Payment lines under one declared count and total (a pack, or the whole file)."""

    label: str
    subject: str
    count: Any = None
    total: Any = None
    lines: int = 0
    bad: bool = False
    paid: Decimal = ZERO


@dataclass
class Records:
    """Routes the rows of a file by record tag and checks the totals each header or pack declares."""

    mapping: dict
    reader: FieldReader
    cell: Cell
    amount: Amount
    packs: list[_Group] = field(default_factory=list)
    header: _Group | None = None
    _open: _Group | None = None

    def kind(self, row: list[Any], subject: str) -> str | None:
        """"payment", "header", "pack", or None for a line to skip (an ignored or unknown tag)."""
        records = self.mapping.get("records")
        if records is None:
            return "payment"
        tag = str(self.cell(row, records.get("column", 0)) or "").strip()
        for kind in ("payment", "header", "pack"):
            if kind in records and tag == records[kind]:
                return kind
        if tag not in records.get("ignore", []):
            known = ", ".join(f"«{records[k]}»" for k in ("header", "pack", "payment") if k in records)
            self.reader.report("registry_unknown_record", subject, tag=tag, known=known)
        return None

    def totals_line(self, kind: str, row: list[Any], subject: str) -> None:
        columns = self.mapping.get(f"{kind}_columns", {})
        count, total = (self.cell(row, columns[k]) if k in columns else None for k in ("count", "total"))
        if kind == "header":
            self.header = _Group("заголовок реестра", subject, count, total)
            return
        number = str(self.cell(row, columns["number"]) or "").strip() if "number" in columns else ""
        group = _Group(f"пачка № {number or len(self.packs) + 1}", subject, count, total)
        if self._before():
            self._open = group
        else:
            self._close(group)
        self.packs.append(group)

    def payment_line(self, amount: Decimal | None, subject: str) -> None:
        """Count a payment line (``amount`` None when the line had a problem) in its pack and the file."""
        if "pack" in self.mapping.get("records", {}):
            if self._open is None:
                self._open = _Group("", subject)
                if self._before():
                    self.reader.report("registry_outside_pack", subject)
            _add(self._open, amount)
        if self.header is not None:
            _add(self.header, amount)

    def finish(self, end_subject: str) -> None:
        if self._open is not None and not self._before():
            self.reader.report("registry_outside_pack", end_subject)
        for group in [*self.packs, *([self.header] if self.header else [])]:
            check_group(self.reader, self.amount, group)

    def _before(self) -> bool:
        return self.mapping.get("records", {}).get("pack_position", "before") == "before"

    def _close(self, group: _Group) -> None:
        done = self._open or _Group("", group.subject)
        group.lines, group.bad, group.paid = done.lines, done.bad, done.paid
        self._open = None


def _add(group: _Group, amount: Decimal | None) -> None:
    group.lines += 1
    if amount is None:
        group.bad = True
    else:
        group.paid += amount


def check_group(reader: FieldReader, amount: Amount, group: _Group) -> None:
    """The declared count and total of a header, pack or control file against its lines."""
    if group.count is not None:
        text = str(group.count).strip()
        if not text.isdigit():
            reason = "ожидается целое число платежей."
            reader.report("invalid_value", group.subject, value=text, field=f"количество ({group.label})", reason=reason)
        elif int(text) != group.lines:
            reader.report(
                "registry_group_count", group.subject, group=group.label, expected=int(text), found=group.lines
            )
    if group.total is not None:
        expected = amount(group.total, f"сумма ({group.label})", group.subject)
        if expected is not None and not group.bad and expected != group.paid:
            reader.report(
                "registry_group_total",
                group.subject,
                group=group.label,
                expected=format_money(expected),
                found=format_money(group.paid),
            )


def control_group(rows: list[list[Any]], mapping: dict, source: str, cell: Cell) -> _Group:
    """The count and total a control file declares (its first data row after ``skip_rows``)."""
    control = mapping["control"]
    skip = control.get("skip_rows", 0)
    data = [(n, row) for n, row in enumerate(rows[skip:], skip + 1) if any(str(c).strip() for c in row)]
    number, row = data[0] if data else (skip + 1, [])
    columns = control["columns"]
    count, total = (cell(row, columns[k]) if k in columns else None for k in ("count", "total"))
    return _Group(f"контрольный файл {source}", f"{source}:{number}", count, total)
