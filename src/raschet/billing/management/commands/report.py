"""``raschet report turnover --period YYYY-MM [--to YYYY-MM] [--by account|building|service|supplier] [--xlsx F]``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from raschet.billing.turnover import COLUMNS, GROUPS, HEADINGS, totals, turnover, write_xlsx
from raschet.domain.periods import Period


class Command(BaseCommand):
    help = "Отчёты: turnover — оборотно-сальдовая ведомость за период или диапазон периодов."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="ОТЧЁТ")
        sheet = sub.add_parser("turnover", help="оборотно-сальдовая ведомость")
        sheet.add_argument("--period", required=True, help="первый период ГГГГ-ММ")
        sheet.add_argument("--to", help="последний период ГГГГ-ММ (по умолчанию тот же)")
        sheet.add_argument("--by", default="account", choices=list(GROUPS), help="группировка")
        sheet.add_argument("--xlsx", help="сохранить в файл Excel")

    def handle(self, *args, report: str, period: str, to: str | None, by: str, xlsx: str | None, **options) -> None:
        try:
            first, last = Period.parse(period), Period.parse(to) if to else None
        except ValueError as error:
            self.stderr.write(str(error))
            sys.exit(2)
        rows = turnover(first, last, by)
        title = f"Оборотно-сальдовая ведомость за {first}" + (f" – {last}" if last else "") + f" (по: {by})"
        if xlsx:
            write_xlsx(rows, Path(xlsx), title)
            self.stdout.write(f"{title}: строк {len(rows)}, сохранено в {xlsx}")
        else:
            self.stdout.write(title)
            self.stdout.write(f"{'Код':<14}" + "".join(f"{HEADINGS[c]:>18}" for c in COLUMNS))
            for row in rows:
                self.stdout.write(f"{row.key:<14}" + "".join(f"{getattr(row, c):>18}" for c in COLUMNS))
        sums = totals(rows)
        self.stdout.write(f"{'Итого':<14}" + "".join(f"{sums[c]:>18}" for c in COLUMNS))
