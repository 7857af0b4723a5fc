"""``raschet search reindex [--missing]``: rebuild the search index of the operator's search box."""

import time

from django.core.management.base import CommandParser

from raschet.commandline import ProjectCommand


class Command(ProjectCommand):
    help = "Поисковый индекс лицевых счетов: reindex — перестроить (--missing — только недостающие)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex"], help="reindex — перестроить индекс")
        parser.add_argument("--missing", action="store_true", help="только счета, которых нет в индексе")

    def handle(self, *args, action: str, missing: bool, **options) -> None:
        from raschet.workplace.indexing import reindex

        started = time.perf_counter()
        written = reindex(only_missing=missing)
        self.stdout.write(f"Поисковый индекс: {written} лицевых счетов за {time.perf_counter() - started:.1f} с.")
