"""``raschet penalties accrue --period P`` and ``raschet penalties statement --account N --as-of D
[--pdf F] [--xlsx F]``."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ProblemsError([problem("invalid_date", option, value=text, field=option)]) from None


def parse_period(text: str, option: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise ProblemsError([problem("invalid_period", option, value=text)]) from None


def actor(login: str | None):
    """The user acting (``--user LOGIN``); the system without it."""
    if not login:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=login).first()
    if user is None:
        raise ProblemsError([problem("unknown_reference", "--user", kind="пользователь", value=login)])
    return user


def refuse(command: BaseCommand, error: ProblemsError) -> None:
    for item in error.problems[:200]:
        command.stderr.write(f"{item.subject}: {item.message}")
    sys.exit(2)


class Command(BaseCommand):
    help = "Пени: accrue — начислить пени за период; statement — расчёт пеней лицевого счёта на дату."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        accrue = sub.add_parser("accrue", help="начислить пени за период (проводки «пени» и корректировки)")
        accrue.add_argument("--period", required=True, help="период ГГГГ-ММ (открытый)")
        accrue.add_argument("--user", help="от имени пользователя (по умолчанию — система)")
        statement = sub.add_parser("statement", help="расчёт пеней лицевого счёта на дату")
        statement.add_argument("--account", required=True, help="номер лицевого счёта")
        statement.add_argument("--as-of", dest="as_of", required=True, help="на дату ГГГГ-ММ-ДД (включительно)")
        statement.add_argument("--pdf", help="сохранить расчёт в PDF")
        statement.add_argument("--xlsx", help="сохранить расчёт в Excel")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "accrue":
                self.accrue(options["period"], options.get("user"))
            else:
                self.statement(options["account"], options["as_of"], options.get("pdf"), options.get("xlsx"))
        except ProblemsError as error:
            refuse(self, error)

    def accrue(self, period: str, user: str | None) -> None:
        from raschet.claims.penalties import accrue_penalties

        result = accrue_penalties(period=parse_period(period, "--period"), actor=actor(user))
        self.stdout.write(f"Пени за {result.period}: лицевых счетов {result.accounts}, проводок {result.entries}, "
                          f"пени за месяц {result.penalty} ₽, корректировки прошлых месяцев {result.corrections} ₽")
        if result.kept:
            self.stdout.write(f"Прочитаны проводки после начисления за прошлый месяц; вся история — у "
                              f"{result.reread} лицевых счетов (перерасчёты, поздние и отменённые оплаты).")
        else:
            self.stdout.write("Прочитана вся история проводок (первое начисление, изменились правила прошлых "
                              "дней, пропущен месяц или повторный запуск).")
        for item in result.problems[:50]:
            self.stderr.write(f"{item['subject']}: {item['message']}")

    def statement(self, account: str, as_of: str, pdf: str | None, xlsx: str | None) -> None:
        from raschet.claims.documents import header
        from raschet.claims.penalties import penalty_statement
        from raschet.claims.statement_files import statement_pdf, statement_xlsx
        from raschet.housing.models import Account

        result = penalty_statement(account_number=account, as_of=parse_date(as_of, "--as-of"))
        head = header(Account.objects.select_related("premises__building").get(number=account))
        if pdf:
            Path(pdf).write_bytes(statement_pdf(result, head))
        if xlsx:
            Path(xlsx).write_bytes(statement_xlsx(result, head))
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
