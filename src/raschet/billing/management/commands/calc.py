"""``raschet calc --period YYYY-MM [--account N] [--simulate]``: calculate a period with a progress bar."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from raschet.billing.services import calculate_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.housing.models import Account


class Command(BaseCommand):
    help = "Рассчитать период: черновые строки начислений (или только показать их при --simulate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="расчётный период ГГГГ-ММ")
        parser.add_argument("--account", action="append", help="номер лицевого счёта (можно несколько)")
        parser.add_argument("--simulate", action="store_true", help="ничего не записывать, только показать")
        parser.add_argument("--background", action="store_true",
                            help="поставить в очередь фоновых работ (выполнит raschet worker)")

    def handle(self, *args, period: str, account: list[str] | None, simulate: bool, background: bool,
               **options) -> None:
        try:
            target = Period.parse(period)
        except ValueError as error:
            self.stderr.write(str(error))
            sys.exit(2)
        if background:
            from raschet.billing.tasks import enqueue_calculation

            job = enqueue_calculation(target, account)
            self.stdout.write(f"Расчёт {target} поставлен в очередь: работа № {job.pk}. "
                              f"Ход выполнения: raschet jobs; выполняет: raschet worker.")
            return
        total = len(account) if account else Account.objects.count()
        with tqdm(total=total, desc=f"Расчёт {target}", unit=" ЛС", disable=not sys.stderr.isatty()) as bar:
            try:
                outcome = calculate_period(period=target, account_numbers=account, simulate=simulate,
                                           progress=bar.update)
            except ProblemsError as error:
                for item in error.problems:
                    self.stderr.write(f"{item.subject}: {item.message}")
                sys.exit(2)
            bar.update(total - bar.n)
        lines, problems = outcome.lines, outcome.problems
        amount = lines["amount"].sum() if lines.height else 0
        self.stdout.write(f"Период {target}: строк {lines.height}, лицевых счетов {lines['account_id'].n_unique()}, "
                          f"сумма {amount} ₽, ошибок {problems.height}"
                          + (" (имитация, ничего не записано)" if simulate else ""))
        if account or simulate and lines.height <= 200:
            for line in lines.iter_rows(named=True):
                self.stdout.write(f"  {line['number']} {line['service']:<16} {line['date_from']}–{line['date_to']} "
                                  f"{line['method']:<12} {line['volume_source']:<14} {line['volume']} × "
                                  f"{line['tariff']} × {line['factor']} = {line['amount']}  {line['reason'] or ''}")
        for item in problems.head(50).iter_rows(named=True):
            self.stdout.write(f"  ошибка {item['subject']}: {item['message']} [{item['code']}]")
        stages = ", ".join(f"{k} {v:.2f} с" for k, v in outcome.timings.items())
        self.stdout.write(f"Этапы: {stages}")
