"""``raschet report turnover --period YYYY-MM [--to YYYY-MM] [--by account|building|service|supplier] [--xlsx F]``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandParser

from raschet.billing.turnover import COLUMNS, GROUPS, HEADINGS, totals, turnover, write_xlsx
from raschet.commandline import ProjectCommand, as_period, output_file_arg, period_arg
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period


class Command(ProjectCommand):
    help = "Отчёты: turnover — оборотно-сальдовая ведомость за период или диапазон периодов."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="ОТЧЁТ")
        sheet = sub.add_parser("turnover", help="оборотно-сальдовая ведомость")
        sheet.add_argument("--period", required=True, type=period_arg, help="первый период ГГГГ-ММ")
        sheet.add_argument("--to", type=period_arg, help="последний период ГГГГ-ММ (по умолчанию тот же)")
        sheet.add_argument("--by", default="account", choices=list(GROUPS), help="группировка")
        sheet.add_argument("--xlsx", type=output_file_arg, help="сохранить в файл Excel")

    def handle(self, *args, report: str, period: Period, to: Period | None, by: str, xlsx: Path | None,
               **options) -> None:
        first, last = as_period(period), as_period(to) if to else None
        if last is not None and last < first:
            raise ProblemsError([problem("invalid_value", "--to", value=str(last), field="--to",
                                         reason=f"последний период раньше первого (--period {first})")])
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
