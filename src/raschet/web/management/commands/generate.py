"""``raschet generate --accounts N [--seed S] [--database URL]``: a realistic region straight into the database.

The region (see ``raschet.generators.region``) is written with COPY on PostgreSQL (multi-row INSERTs on
SQLite) in chunks of whole buildings, in one transaction, with a progress bar; the database is
migrated first. A database that already holds data gets the region appended: new ids, account
numbers and codes follow the existing ones. ``--database`` is applied by the ``raschet`` command
before Django starts; when run otherwise (``django-admin``) it must name the configured database.
"""

from __future__ import annotations

import resource
import sys
import time

import dj_database_url
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from raschet.commandline import ProjectCommand
from raschet.domain.periods import Period
from raschet.generators.region import RegionRefused, RegionSpec, Written, generate_region


def _number(value: float) -> str:
    """12 345 678: thousands apart, as Russian texts write them."""
    return f"{value:,.0f}".replace(",", " ")


def _same_database(url: str) -> bool:
    wanted, current = dj_database_url.parse(url), settings.DATABASES["default"]
    return all(str(wanted.get(key) or "") == str(current.get(key) or "") for key in ("ENGINE", "NAME", "HOST", "PORT"))


class Command(ProjectCommand):
    help = ("Сгенерировать реалистичный регион прямо в базу данных: дома по 20–300 помещений, около 10 услуг "
            "на лицевой счёт, индивидуальные и общедомовые приборы учёта с показаниями за 12 месяцев, "
            "изменения в середине месяца. Если в базе уже есть данные, регион дописывается к ним.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, required=True, help="число лицевых счетов")
        parser.add_argument("--seed", type=int, default=2026,
                            help="зерно генератора: с тем же зерном получается тот же регион (2026)")
        parser.add_argument("--database", help="URL базы данных (по умолчанию RASCHET_DATABASE_URL)")
        parser.add_argument("--last-period", default="2026-11",
                            help="последний месяц с показаниями, ГГГГ-ММ (2026-11)")
        parser.add_argument("--months", type=int, default=12, help="месяцев показаний (12)")
        parser.add_argument("--no-progress", action="store_true", help="без индикатора хода работы")

    def handle(self, *args, accounts: int, seed: int, database: str | None, last_period: str, months: int,
               no_progress: bool, **options) -> None:
        if database and not _same_database(database):
            raise CommandError("--database действует при запуске через «raschet generate»; здесь уже выбрана база "
                               f"{settings.DATABASES['default']['NAME']}. Задайте RASCHET_DATABASE_URL.")
        if accounts < 1 or months < 2:
            raise CommandError("Нужен хотя бы один лицевой счёт (--accounts) и два месяца показаний (--months).")
        try:
            spec = RegionSpec(accounts=accounts, seed=seed, last_period=Period.parse(last_period), months=months)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"База данных: {settings.DATABASES['default']['NAME']} ({connection.vendor})")
        call_command("migrate", verbosity=0, interactive=False)
        show = not no_progress and sys.stderr.isatty()
        with tqdm(total=accounts, desc="Генерация региона", unit=" ЛС", disable=not show) as bar:
            def progress(done: int, rows: int) -> None:
                bar.update(done - bar.n)
                bar.set_postfix_str(f"записей {rows:,}".replace(",", " "))

            try:
                written = generate_region(spec, progress=progress, stage=bar.set_description)
            except RegionRefused as error:
                raise CommandError(str(error)) from error
        self.report(written)
        from raschet.workplace.indexing import reindex

        began = time.perf_counter()
        indexed = reindex(only_missing=True)  # the bulk load bypasses the search index's signals
        self.stdout.write(f"Поисковый индекс: {_number(indexed)} лицевых счетов за {time.perf_counter() - began:.1f} с.")

    def report(self, written: Written) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        for label, count in written.rows.items():
            self.stdout.write(f"  {label:<24}{_number(count):>14}")
        self.stdout.write(self.style.SUCCESS(
            f"Регион: {_number(written.accounts)} лицевых счетов, {_number(written.total_rows)} записей "
            f"за {written.seconds:.1f} с ({_number(written.total_rows / written.seconds)} записей/с; генерация "
            f"{written.generate_s:.1f} с), пик памяти {_number(peak)} МиБ."))
        steps = written.steps
        self.stdout.write(f"Этапы: запись {steps['writing']:.1f} с, индексы {steps['indexes']:.1f} с, "
                          f"проверка ссылок и статистика {steps['checks']:.1f} с.")
