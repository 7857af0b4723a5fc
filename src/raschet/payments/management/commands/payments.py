"""``raschet payments import FILE [--format sber|dbf|mapping:NAME] [--channel LABEL] [--user LOGIN]`` and
``raschet payments transfers``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandParser
from tqdm import tqdm

from raschet.commandline import (
    ProjectCommand,
    actor_from,
    add_user_argument,
    as_date,
    date_arg,
    output_file_arg,
)
from raschet.domain.errors import ProblemsError, problem
from raschet.exchange import ParsedRegistry, detect_format, parse_dbf, parse_mapped, parse_sber
from raschet.payments.imports import import_registry
from raschet.payments.models import RegistryMapping


def parse_file(path: Path, fmt: str | None) -> ParsedRegistry:
    """Read and parse a registry file in the named (or detected) format; problems name the file and line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProblemsError([problem("invalid_file", str(path), reason=error.strerror)]) from error
    fmt = fmt or detect_format(data, path.name)
    if fmt == "sber":
        return parse_sber(data, path.name)
    if fmt == "dbf":
        return parse_dbf(data, path.name)
    if fmt.startswith("mapping:"):
        mapping = RegistryMapping.objects.filter(name=fmt.removeprefix("mapping:")).first()
        if mapping is None:
            raise ProblemsError([problem("unknown_reference", str(path), kind="шаблон реестра", value=fmt[8:])])
        return parse_mapped(data, path.name, mapping.config)
    raise ProblemsError([problem("invalid_file", str(path), reason=f"формат «{fmt}» не распознан: укажите "
                                 "--format sber, dbf или mapping:ИМЯ")])


class Command(ProjectCommand):
    help = "Платежи: import — загрузить реестр платежей банка и распределить оплаты."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        load = sub.add_parser("import", help="загрузить реестр платежей")
        load.add_argument("file", help="файл реестра")
        load.add_argument("--format", help="sber, dbf или mapping:ИМЯ (по умолчанию определяется по файлу)")
        load.add_argument("--channel", help="подпись канала приёма для отчётов (на распознавание повторов не влияет: "
                                            "платёж узнаётся по банку, номеру операции, дате, ЛС и сумме)")
        add_user_argument(load)
        transfers = sub.add_parser("transfers", help="реестр перечислений поставщикам (агентская схема)")
        transfers.add_argument("--from", dest="first", required=True, type=date_arg, help="с даты ГГГГ-ММ-ДД")
        transfers.add_argument("--to", dest="last", required=True, type=date_arg,
                               help="по дату ГГГГ-ММ-ДД включительно")
        transfers.add_argument("--xlsx", type=output_file_arg, help="сохранить в Excel")
        transfers.add_argument("--csv", type=output_file_arg, help="сохранить в CSV (;)")

    def handle(self, *args, action: str, **options) -> None:
        if action == "transfers":
            self.transfers(**options)
            return
        self.import_file(options["file"], options["format"], options["channel"], actor_from(options["user"]))

    def transfers(self, first, last, xlsx: Path | None, csv: Path | None, **options) -> None:
        from raschet.payments import settlements

        first, last = as_date(first), as_date(last)
        if last < first:
            raise ProblemsError([problem("invalid_value", "--to", value=str(last), field="--to",
                                         reason=f"дата раньше начальной (--from {first})")])
        rows = settlements.transfers(first, last)
        title = f"Перечисления поставщикам с {first} по {last}"
        if xlsx:
            settlements.write_xlsx(rows, Path(xlsx), title)
        if csv:
            settlements.write_csv(rows, Path(csv))
        self.stdout.write(title)
        for row in rows:
            self.stdout.write(f"  {row.day} {row.name[:40]:<40} собрано {row.collected:>14} "
                              f"вознаграждение {row.commission:>10} к перечислению {row.to_transfer:>14}")

    def import_file(self, file: str, format: str | None, channel: str | None, actor) -> None:
        path = Path(file)
        try:
            parsed = parse_file(path, format)
            self.stderr.write(f"{path.name}: строк {len(parsed.payments)}, сумма {parsed.totals.paid} ₽; загрузка…")
            stages = ("подготовка", "платежи", "распределение", "показания")
            with tqdm(total=len(stages), desc=stages[0], unit=" этап", disable=not sys.stderr.isatty()) as bar:
                def progress(stage: str) -> None:
                    bar.set_description(stage)
                    bar.update(1)

                summary = import_registry(parsed, channel=channel or "", actor=actor, progress=progress)
                bar.update(bar.total - bar.n)
        except ProblemsError as error:
            self.stderr.write(f"{path}: реестр отклонён целиком, ничего не записано. Ошибок: {len(error.problems)}")
            for item in error.problems[:200]:
                self.stderr.write(f"  {item.subject}: {item.message}")
            sys.exit(2)
        self.stdout.write(f"{path.name}: {summary.text()}")
        for item in summary.problems[:200]:
            self.stdout.write(f"  показание не принято — {item.subject}: {item.message}")
