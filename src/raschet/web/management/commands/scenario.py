"""``raschet scenario load FILE``: check a scenario file and load it in one transaction."""

from __future__ import annotations

import json
import sys

from django.core.management import call_command
from django.core.management.base import CommandParser

from raschet.commandline import ProjectCommand
from raschet.domain.errors import ProblemsError
from raschet.scenarios.loader import load_scenario, read_scenario


class Command(ProjectCommand):
    help = "Сценарии: load — проверить и загрузить файл сценария (raschet-scenario/1)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        load = sub.add_parser("load", help="проверить и загрузить сценарий в базу данных")
        load.add_argument("file", help="файл сценария JSON")
        check = sub.add_parser("check", help="только проверить сценарий, ничего не записывая")
        check.add_argument("file", help="файл сценария JSON")
        run = sub.add_parser("run", help="загрузить сценарий в новую базу, проиграть шаги и вывести результат JSON")
        run.add_argument("file", help="файл сценария JSON")
        run.add_argument("--database", help="URL базы (по умолчанию новый временный файл SQLite)")

    def handle(self, *args, action: str, file: str, **options) -> None:
        if action != "check":  # a check is pure: it touches no database
            call_command("migrate", verbosity=0, interactive=False)
        try:
            data = read_scenario(file)
            if action == "run":
                from raschet.scenarios.runner import run_scenario

                result = run_scenario(data)
                self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
                return
            if action == "check":
                from raschet.scenarios.loader import check_scenario

                problems = check_scenario(data)
                if problems:
                    raise ProblemsError(problems)
                self.stdout.write(f"{file}: ошибок нет.")
                return
            written = load_scenario(data)
        except ProblemsError as error:
            self.stderr.write(f"{file}: сценарий не загружен, найдено ошибок: {len(error.problems)}")
            for item in error.problems:
                self.stderr.write(f"  {item.subject}: {item.message}")
            sys.exit(2)
        total = sum(written.values())
        self.stdout.write(f"{file}: загружено записей: {total}")
        for label, count in written.items():
            if count:
                self.stdout.write(f"  {label}: {count}")
