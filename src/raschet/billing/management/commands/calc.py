"""``raschet calc --period YYYY-MM [--account N] [--simulate]``: calculate a period with a progress bar."""

from __future__ import annotations

import sys
from decimal import Decimal

from django.core.management.base import CommandParser
from django.db import connection
from django.db.models import Sum
from tqdm import tqdm

from raschet.billing.exact import units
from raschet.billing.services import calculate_period, resume_run
from raschet.commandline import ProjectCommand, actor_from, add_user_argument, as_period, period_arg
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.housing.models import Account


def run_amount(run) -> Decimal:
    """The run's lines summed exactly (in kopecks: SQLite keeps numerics as floating point)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM({units('amount')}), 0) FROM billing_chargeline WHERE run_id = %s",
                       [run.pk])
        return Decimal(cursor.fetchone()[0]).scaleb(-2)


class Command(ProjectCommand):
    help = "Рассчитать период: черновые строки начислений (или только показать их при --simulate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, type=period_arg, help="расчётный период ГГГГ-ММ")
        parser.add_argument("--account", action="append", help="номер лицевого счёта (можно несколько)")
        parser.add_argument("--simulate", action="store_true", help="ничего не записывать, только показать")
        parser.add_argument("--background", action="store_true",
                            help="поставить в очередь фоновых работ (выполнит raschet worker)")
        parser.add_argument("--workers", type=int, default=None,
                            help="процессов для частей расчёта (по умолчанию: по числу ядер на PostgreSQL, "
                                 "1 на SQLite; при RASCHET_DASK_SCHEDULER части выполняет кластер Dask)")
        parser.add_argument("--resume", type=int, metavar="RUN",
                            help="продолжить прерванный полный расчёт № RUN: выполнить только незавершённые части")
        add_user_argument(parser)

    def handle(self, *args, period: Period, account: list[str] | None, simulate: bool, background: bool,
               workers: int | None, resume: int | None, user: str | None, **options) -> None:
        target, actor = as_period(period), actor_from(user)
        if resume is not None:
            return self.resume(resume, workers, actor)
        if background:
            from raschet.billing.tasks import enqueue_calculation

            try:
                job = enqueue_calculation(target, account, actor=actor)
            except ProblemsError as error:
                self.refuse(error)
            self.stdout.write(f"Расчёт {target} поставлен в очередь: работа № {job.pk}. "
                              f"Ход выполнения: raschet jobs; выполняет: raschet worker.")
            return
        total = len(account) if account else Account.objects.count()
        with tqdm(total=total, desc=f"Расчёт {target}", unit=" ЛС", disable=not sys.stderr.isatty()) as bar:
            try:
                outcome = calculate_period(period=target, account_numbers=account, simulate=simulate,
                                           progress=bar.update, workers=workers, keep_lines=bool(account),
                                           actor=actor)
            except ProblemsError as error:
                self.refuse(error)
            bar.update(total - bar.n)
        self.report(target, outcome)

    def resume(self, run_id: int, workers: int | None, actor) -> None:
        from raschet.billing.models import CalcRun

        run = CalcRun.objects.filter(pk=run_id).first()
        if run is None:
            self.stderr.write(f"Расчёта № {run_id} нет.")
            sys.exit(2)
        with tqdm(total=run.units.aggregate(n=Sum("accounts"))["n"] or 0, desc=f"Расчёт {run.period} (продолжение)",
                  unit=" ЛС", disable=not sys.stderr.isatty()) as bar:
            try:
                outcome = resume_run(run_id, progress=bar.update, workers=workers, actor=actor)
            except ProblemsError as error:
                self.refuse(error)
        self.report(Period.parse(run.period), outcome)

    def refuse(self, error: ProblemsError) -> None:
        for item in error.problems:
            self.stderr.write(f"{item.subject}: {item.message}")
        sys.exit(2)

    def report(self, target: Period, outcome) -> None:
        lines, problems, run = outcome.lines, outcome.problems, outcome.run
        if lines is None:  # a stored run computed in units: its totals are on the run record
            self.stdout.write(f"Период {target}: расчёт № {run.pk}, строк {run.lines}, лицевых счетов {run.accounts}, "
                              f"сумма {run_amount(run)} ₽, ошибок {run.problems} (раздел «Расчёты» в админке)")
            self.stdout.write("Этапы: " + ", ".join(f"{k} {v:.2f} с" for k, v in outcome.timings.items()))
            return
        amount = lines["amount"].sum() if lines.height else 0
        self.stdout.write(f"Период {target}: строк {lines.height}, лицевых счетов {lines['account_id'].n_unique()}, "
                          f"сумма {amount} ₽, ошибок {problems.height}"
                          + (" (имитация, ничего не записано)" if run is None else ""))
        if lines.height <= 200:
            for line in lines.iter_rows(named=True):
                self.stdout.write(f"  {line['number']} {line['service']:<16} {line['date_from']}–{line['date_to']} "
                                  f"{line['method']:<12} {line['volume_source']:<14} {line['volume']} × "
                                  f"{line['tariff']} × {line['factor']} = {line['amount']}  {line['reason'] or ''}")
        for item in problems.head(50).iter_rows(named=True):
            self.stdout.write(f"  ошибка {item['subject']}: {item['message']} [{item['code']}]")
        stages = ", ".join(f"{k} {v:.2f} с" for k, v in outcome.timings.items())
        self.stdout.write(f"Этапы: {stages}")
