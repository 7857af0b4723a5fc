"""What every project command shares: Russian messages for wrong options, typed options that refuse
bad values before anything runs, and the actor of a money command (``--user LOGIN``).

A wrong option never reaches ``handle`` and never prints a traceback: the option types below raise
``argparse.ArgumentTypeError`` with a Russian reason, and :class:`RussianParser` reports every
argparse error as ``raschet CMD: ошибка: …`` with exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from raschet.access import SYSTEM
from raschet.domain import bounds
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period

_MESSAGES = [
    (r"the following arguments are required: (.+)", "не указаны обязательные параметры: {0}"),
    (r"argument (\S+): expected one argument", "у параметра {0} не указано значение"),
    (r"argument (\S+): expected at least one argument", "у параметра {0} не указано значение"),
    (r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)", "недопустимое значение «{1}» параметра {0}; "
                                                                        "допустимы: {2}"),
    (r"argument (\S+): invalid int value: '(.*)'", "значение «{1}» параметра {0} должно быть целым числом"),
    (r"argument (\S+): invalid (\w+) value: '(.*)'", "неверное значение «{2}» параметра {0}"),
    (r"unrecognized arguments: (.+)", "неизвестные параметры: {0}"),
    (r"ambiguous option: (\S+) could match (.+)", "неоднозначный параметр {0}: подходят {1}"),
    (r"argument (\S+): (.+)", "параметр {0}: {1}"),
]


def russian(message: str) -> str:
    for pattern, template in _MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return template.format(*found.groups())
    return message


class RussianParser(CommandParser):
    """A command's parser whose errors are Russian sentences, without the English usage dump."""

    def error(self, message: str):
        text = russian(message)
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: ошибка: {text}.\nСправка: {self.prog} --help\n")
        raise CommandError(f"Ошибка: {text}", returncode=2)


def russify(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` and all its sub-command parsers :class:`RussianParser`."""
    parser.__class__ = RussianParser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                russify(sub)


class ProjectCommand(BaseCommand):
    """Base of the project's commands: Russian option errors (see :class:`RussianParser`)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        russify(parser)
        return parser


def period_arg(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"«{text}» — не расчётный период ГГГГ-ММ, например 2026-03 ({error})") \
            from None


def as_period(value: Period | str) -> Period:
    """An option's period: parsed by its type on the command line, still text from ``call_command(period=…)``."""
    return value if isinstance(value, Period) else period_arg(value)


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date_arg(value)


def date_arg(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — не дата ГГГГ-ММ-ДД, например 2026-03-01") from None
    reason = bounds.date_reason(value)
    if reason:
        raise argparse.ArgumentTypeError(reason)
    return value


def number_arg(bound: bounds.Bound):
    """An option type reading a number within ``bound`` (plain notation, refused never rounded)."""
    def read(text: str) -> Decimal:
        number, reason = bound.read(text)
        if number is None:
            raise argparse.ArgumentTypeError(f"«{text}»: {reason}")
        return number

    read.__name__ = "number"
    return read


def output_file_arg(text: str) -> Path:
    """A file to write: its folder must exist and be writable, and it must not be a folder itself."""
    path = Path(text)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"«{text}» — это папка; укажите имя файла")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"папки «{folder}» нет: создайте её или укажите другой путь")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"в папку «{folder}» нельзя записать: нет прав")
    return path


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", metavar="LOGIN",
                        help="выполнить от имени пользователя LOGIN (с проверкой его прав); "
                             "без этого — от имени системы")


def actor_from(login: str | None):
    """The user named by ``--user``, or the system actor; an unknown or inactive login is refused."""
    if not login:
        return SYSTEM
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=login).first()
    if user is None or not user.is_active:
        state = "не найден" if user is None else "отключён"
        raise ProblemsError([problem("invalid_value", "--user", value=login, field="--user",
                                     reason=f"пользователь {state}")])
    return user
