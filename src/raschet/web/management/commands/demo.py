"""``raschet demo``: a fresh demonstration database with a generated region, then the web UI.

The demo always works on its own SQLite file (``var/demo.sqlite3``) unless ``--database`` names
another database explicitly, so it can never overwrite a production database named by
``RASCHET_DATABASE_URL``.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import connection
from tqdm import tqdm

from raschet.commandline import ProjectCommand
from raschet.generators.history import calculate_year
from raschet.generators.region import RegionSpec, load_region

DEMO_LOGIN = ("admin", "raschet-demo")


def fresh_demo_database() -> None:
    """Delete the demo's own SQLite file (never another database) so the demo starts anew; done here,
    after the options were parsed, so ``raschet demo --help`` deletes nothing."""
    from raschet.cli import demo_database

    own = demo_database()
    if str(settings.DATABASES["default"]["NAME"]) != str(own):
        return
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{own}{suffix}").unlink(missing_ok=True)


class Command(ProjectCommand):
    help = "Создать демонстрационный регион, рассчитать его и запустить веб-интерфейс."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=2000, help="число лицевых счетов (2000)")
        parser.add_argument("--seed", type=int, default=2026, help="зерно генератора")
        parser.add_argument("--database", help="URL базы данных (по умолчанию var/demo.sqlite3, пересоздаётся)")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="адрес веб-сервера")
        parser.add_argument("--no-server", action="store_true", help="только подготовить базу")

    def calculate_history(self, spec: RegionSpec) -> None:
        started = time.perf_counter()
        summary = calculate_year(spec)
        lines = sum(count for _, count, _ in summary)
        self.stdout.write(f"Рассчитано месяцев: {len(summary)} ({summary[0][0]} – {summary[-1][0]}), строк {lines}, "
                          f"{time.perf_counter() - started:.1f} с; {summary[-1][0]} открыт, "
                          f"начислено {summary[-1][2]} ₽.")

    def issue_documents(self, spec: RegionSpec) -> None:
        """The last month posted and its payment documents issued (raschet.documents.demo)."""
        from raschet.documents.demo import issue_last_month

        bar = tqdm(desc="Платёжные документы", unit=" док.")
        batch = issue_last_month(spec.last_period, lambda done, total: (setattr(bar, "total", total),
                                                                        bar.update(done - bar.n)))
        bar.close()
        self.stdout.write(f"Платёжные документы за {batch.period}: {batch.issued} выпущено, ошибок {batch.problems}; "
                          f"файлы печати по маршрутам в {batch.output_dir} (период {batch.period} проведён).")

    def handle(self, *args, accounts: int, seed: int, addr: str, no_server: bool, **options) -> None:
        fresh_demo_database()
        self.stdout.write(f"База данных: {settings.DATABASES['default']['NAME']} ({connection.vendor})")
        call_command("migrate", verbosity=0, interactive=False)
        figures = load_region(RegionSpec(accounts=accounts, seed=seed))
        self.stdout.write(f"Регион: {figures['accounts']} лицевых счетов, {figures['rows']} записей; "
                          f"генерация {figures['generate_s']:.1f} с, запись {figures['write_s']:.1f} с.")
        from raschet.workplace.indexing import reindex

        reindex(only_missing=True)  # the region was written in bulk, past the search index's signals
        self.calculate_history(RegionSpec(accounts=accounts, seed=seed))
        self.issue_documents(RegionSpec(accounts=accounts, seed=seed))
        user_model = get_user_model()
        login, password = DEMO_LOGIN
        if not user_model.objects.filter(username=login).exists():
            user_model.objects.create_superuser(login, "admin@example.invalid", password)
        from raschet.workplace.server import collect_static, serve

        collect_static()
        self.stdout.write(self.style.SUCCESS(
            f"\nДемонстрация готова: http://{addr}/\n  логин: {login}\n  пароль: {password}\n"))
        if not no_server:
            serve(addr)  # Waitress, a production server, not runserver
