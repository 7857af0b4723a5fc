"""``raschet documents issue|render|send``: payment documents from the command line.

* ``issue --period P [--scope S] [--workers N] [--output-dir D]`` — the period's documents with a
  progress bar and a summary; started again after a stop, it resumes the batch;
* ``render --account N --period P [--output F.pdf]`` — the account's document, issued first if it has
  none or its figures changed, written to a file;
* ``send --period P`` — e-mail the latest documents to the subscribers who chose e-mail.

A refusal (an unposted period, a recipient's bank details, an unknown account) is printed in Russian
with what to fix, and the command exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from raschet.documents.delivery import send_documents
from raschet.documents.services import issue_account, issue_documents
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        from argparse import ArgumentTypeError

        raise ArgumentTypeError(f"неверный период «{text}»: ожидается ГГГГ-ММ, например 2026-11") from None


class Command(BaseCommand):
    help = "Платёжные документы: выпустить (issue), получить PDF одного счёта (render), разослать (send)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="issue|render|send")
        issue = actions.add_parser("issue", help="выпустить документы периода")
        issue.add_argument("--period", type=_period, required=True, help="ГГГГ-ММ")
        issue.add_argument("--scope", default="", help="route:КОД, building:КОД, account:НОМЕР через запятую")
        issue.add_argument("--workers", type=int, help="процессов (по умолчанию: по числу ядер на PostgreSQL)")
        issue.add_argument("--output-dir", type=Path, help="папка файлов печати")
        render = actions.add_parser("render", help="PDF документа одного лицевого счёта")
        render.add_argument("--account", required=True, help="номер лицевого счёта")
        render.add_argument("--period", type=_period, required=True, help="ГГГГ-ММ")
        render.add_argument("--output", type=Path, help="файл PDF (по умолчанию ЛС-период-версия.pdf)")
        send = actions.add_parser("send", help="разослать документы периода по электронной почте")
        send.add_argument("--period", type=_period, required=True, help="ГГГГ-ММ")
        send.add_argument("--retry-uncertain", action="store_true",
                          help="отправить и те письма, отправка которых была прервана (возможен повтор)")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ProblemsError as error:
            for found in error.problems:
                self.stderr.write(f"{found.subject}: {found.message}")
            sys.exit(2)

    def _issue(self, *, period: Period, scope: str, workers: int | None, output_dir: Path | None, **_) -> None:
        bar = tqdm(desc=f"Документы за {period}", unit=" док.", disable=not sys.stderr.isatty())

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        batch = issue_documents(period=period, scope=scope, workers=workers, output_dir=output_dir,
                                progress=progress)
        bar.close()
        self.stdout.write(
            f"Выпуск № {batch.pk} за {batch.period} ({batch.scope or 'все лицевые счета'}): лицевых счетов "
            f"{batch.accounts}, новых версий {batch.issued}, без изменений {batch.unchanged}, "
            f"ошибок {batch.problems}; страниц в файлах печати {batch.timings.get('pages', 0)}.")
        self.stdout.write(f"Файлы печати по маршрутам: {batch.output_dir}")
        for problem in batch.problem_rows.all()[:10]:
            self.stdout.write(f"  {problem.subject}: {problem.message}")
        if batch.problems > 10:
            self.stdout.write(f"  … и ещё {batch.problems - 10} (администрирование → Ошибки выпуска документов)")

    def _render(self, *, account: str, period: Period, output: Path | None, **_) -> None:
        document, new = issue_account(account_number=account, period=period)
        path = output or Path(f"{account}-{period}-v{document.version}.pdf")
        path.write_bytes(bytes(document.pdf))
        state = "выпущен" if new else "без изменений, версия"
        self.stdout.write(f"ЕПД № {document.number} ({state} {document.version}), итого к оплате "
                          f"{document.total} руб.: {path}")

    def _send(self, *, period: Period, retry_uncertain: bool, **_) -> None:
        summary = send_documents(period=period, retry_uncertain=retry_uncertain)
        self.stdout.write(f"Рассылка документов за {period}: отправлено {summary.sent}, уже отправлено раньше "
                          f"{summary.already}, ошибок {summary.failed}, прервано ранее и не повторено "
                          f"{summary.uncertain}.")
        for line in summary.errors[:10]:
            self.stdout.write(f"  {line}")
