"""``raschet payments import FILE [--format sber|dbf|mapping:NAME] [--encoding ENC] [--control FILE]
[--channel LABEL] [--user LOGIN]``, ``raschet payments mapping save FILE.json | list``, ``raschet payments
transfers``."""

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
from raschet.exchange import ParsedRegistry, detect_format
from raschet.exchange.encodings import ENCODINGS
from raschet.exchange.reading import read_registry
from raschet.payments.imports import import_registry
from raschet.payments.mapping_files import save_mapping
from raschet.payments.models import RegistryMapping


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ProblemsError([problem("invalid_file", str(path), reason=error.strerror)]) from error


def parse_file(path: Path, fmt: str | None, encoding: str | None = None, control: str | None = None) -> ParsedRegistry:
    """Read and parse a registry file in the named (or detected) format; problems name the file and line.

    A mapping with a control file finds it beside the registry by its name pattern unless
    ``control`` names it."""
    data = _read(path)
    fmt = fmt or detect_format(data, path.name)
    saved = list(RegistryMapping.objects.order_by("name").values_list("name", flat=True))
    mapping = None
    if fmt.startswith("mapping:"):
        found = RegistryMapping.objects.filter(name=fmt.removeprefix("mapping:")).first()
        if found is None:
            raise ProblemsError([problem("unknown_reference", str(path), kind="шаблон реестра", value=fmt[8:])])
        mapping = found.config
    control_file = None
    if control or (isinstance(mapping, dict) and isinstance(mapping.get("control"), dict)):
        pattern = mapping["control"].get("file", "{stem}.ctl") if mapping and "control" in mapping else ""
        control_path = Path(control) if control else path.with_name(pattern.format(stem=path.stem))
        if control or control_path.exists():
            control_file = (_read(control_path), control_path.name)
    return read_registry(data, path.name, fmt, encoding=encoding, mapping=mapping, control=control_file,
                         saved=saved)


class Command(ProjectCommand):
    help = "Платежи: import — загрузить реестр платежей банка и распределить оплаты."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        load = sub.add_parser("import", help="загрузить реестр платежей")
        load.add_argument("file", help="файл реестра")
        load.add_argument("--format", help="sber, dbf или mapping:ИМЯ (по умолчанию определяется по файлу)")
        load.add_argument("--encoding", choices=ENCODINGS,
                          help="кодировка текстового файла (по умолчанию определяется по файлу)")
        load.add_argument("--control", help="контрольный файл итогов, если шаблон банка его требует")
        load.add_argument("--channel", help="подпись канала приёма для отчётов (на распознавание повторов не влияет: "
                                            "платёж узнаётся по банку, номеру операции, дате, ЛС и сумме)")
        add_user_argument(load)
        mappings = sub.add_parser("mapping", help="шаблоны реестров банков: save ФАЙЛ.json, list")
        mappings.add_argument("mapping_action", choices=("save", "list"), metavar="save|list")
        mappings.add_argument("mapping_file", nargs="?", help="JSON-файл шаблона (для save)")
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
        if action == "mapping":
            self.mapping(options["mapping_action"], options["mapping_file"])
            return
        self.import_file(options["file"], options["format"], options["channel"], options["encoding"],
                         options["control"], actor_from(options["user"]))

    def mapping(self, action: str, file: str | None) -> None:
        if action == "list":
            for item in RegistryMapping.objects.order_by("name"):
                self.stdout.write(f"{item.name}: {item.config.get('format', '?')}")
            return
        if not file:
            self.stderr.write("Укажите JSON-файл шаблона: raschet payments mapping save ФАЙЛ.json")
            sys.exit(2)
        try:
            name = save_mapping(_read(Path(file)), file)
        except ProblemsError as error:
            self.stderr.write(f"{file}: шаблон не сохранён. Ошибок: {len(error.problems)}")
            for item in error.problems:
                self.stderr.write(f"  {item.subject}: {item.message}")
            sys.exit(2)
        self.stdout.write(f"Шаблон «{name}» сохранён: загружайте реестры с --format mapping:{name}")

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

    def import_file(self, file: str, format: str | None, channel: str | None, encoding: str | None = None,
                    control: str | None = None, actor=None) -> None:
        path = Path(file)
        try:
            parsed = parse_file(path, format, encoding, control)
            self.stderr.write(f"{path.name}: строк {len(parsed.payments)}, сумма {parsed.totals.paid} ₽, "
                              f"{parsed.encoding_text()}; загрузка…")
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
        self.stdout.write(f"{path.name}: {summary.text()} {parsed.encoding_text().capitalize()}.")
        for item in summary.problems[:200]:
            self.stdout.write(f"  показание не принято — {item.subject}: {item.message}")
