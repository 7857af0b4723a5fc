"""The ``raschet`` command: the project's own commands first, Django's management commands behind them.

One error handler for every command: an expected failure (a refused input, a missing file, a
database that cannot be reached) is a Russian message naming the file, line or option, with exit
code 2; an unexpected one is a short message with a pointer to the log where its traceback went
(``var/errors.log``), exit code 1 — never a raw traceback on the user's screen. ``--traceback``
(or ``RASCHET_TRACEBACK=1``) shows it, for developers.

Asking for help (``-h``/``--help``) never changes anything: the database choices below only set
the environment, and the demo deletes its old database inside the command, after its options
were parsed.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

PROJECT_COMMANDS = {
    "demo": "создать демонстрационный регион, рассчитать и запустить веб-интерфейс",
    "scenario": "сценарии: load, check, run FILE — загрузить, проверить, проиграть и вывести результат",
    "generate": "сгенерировать регион в базу (raschet generate --accounts N [--seed S] [--database URL])",
    "calc": "рассчитать период (raschet calc --period ГГГГ-ММ [--account N] [--simulate])",
    "period": "состояние, проведение и закрытие периода (raschet period status|post|close)",
    "payments": "реестры платежей банков и перечисления поставщикам (raschet payments import|transfers)",
    "report": "отчёты: оборотно-сальдовая ведомость (raschet report turnover --period ГГГГ-ММ)",
    "simulate": "имитация: что будет при другом тарифе или нормативе (raschet simulate tariff|norm)",
    "worker": "выполнять фоновые работы из очереди",
    "jobs": "фоновые работы и ход их выполнения",
    "documents": "платёжные документы: issue --period П, render --account N --period П, send --period П",
    "penalties": "пени: accrue --period P; statement --account N --as-of D [--pdf F] [--xlsx F]",
    "claims": "должники: select --rule R [--open]; advance; documents --account N; check",
    "search": "поисковый индекс лицевых счетов: reindex [--missing]",
    "serve": "запустить веб-интерфейс под рабочим сервером (raschet serve [--addr 127.0.0.1:8000])",
    "api": "REST API: api token create --user ЛОГИН — токен пользователя; token list; token revoke",
    "runserver": "запустить веб-интерфейс для разработки",
    "migrate": "создать или обновить схему базы данных",
    "createsuperuser": "создать администратора",
}
HELP = ("-h", "--help", "help")


def print_help() -> None:
    print("Расчёт — биллинг ЖКУ и энергосбыта.\n")
    print("Использование: raschet КОМАНДА [ПАРАМЕТРЫ]   (raschet КОМАНДА --help — справка по команде)\n")
    print("Команды Расчёта:")
    for name, text in PROJECT_COMMANDS.items():
        print(f"  {name:<18}{text}")
    print("\nБаза данных: RASCHET_DATABASE_URL (по умолчанию SQLite в ./var/raschet.sqlite3),")
    print("например postgresql://postgres@127.0.0.1:5432/raschet\n")
    print("Остальные команды Django:")
    from django.core.management import get_commands

    others = sorted(name for name in get_commands() if name not in PROJECT_COMMANDS)
    for start in range(0, len(others), 6):
        print("  " + ", ".join(others[start:start + 6]))


def var_dir() -> Path:
    return Path(os.environ.get("RASCHET_VAR_DIR", Path.cwd() / "var"))


def demo_database() -> Path:
    """The demo's own SQLite file, recreated by ``raschet demo`` unless ``--database`` names another."""
    return var_dir() / "demo.sqlite3"


def option_value(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE``; ``None`` when absent or without a value (the
    command's own parser then reports the missing value)."""
    for index, arg in enumerate(args):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1] or None
        if arg == name:
            following = args[index + 1] if index + 1 < len(args) else ""
            return following if following and not following.startswith("-") else None
    return None


def choose_database(args: list[str]) -> None:
    """The demo, ``scenario run`` and ``generate`` work on the database their ``--database`` names; the
    demo and ``scenario run`` on a fresh file of their own by default."""
    given = option_value(args, "--database")
    if given:
        os.environ["RASCHET_DATABASE_URL"] = given
    elif args[0] == "demo":
        os.environ["RASCHET_DATABASE_URL"] = f"sqlite:///{demo_database()}"
    elif args[:2] == ["scenario", "run"] and not any(arg in HELP for arg in args):
        import tempfile

        folder = tempfile.mkdtemp(prefix="raschet-scenario-")
        os.environ["RASCHET_DATABASE_URL"] = f"sqlite:///{folder}/scenario.sqlite3"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        run(args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("\nПрервано (Ctrl+C). Незавершённая работа не записана.\n")
        sys.exit(130)
    except BaseException as error:  # the one place where every failure becomes a message
        if "--traceback" in args or os.environ.get("RASCHET_TRACEBACK") == "1":
            raise
        sys.exit(report_failure(error, args))


def run(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    if args and args[0] == "demo":
        # production settings (hashed, compressed, cached static files; no debug pages) over plain
        # HTTP on the loopback: no HTTPS redirect, HSTS or secure-only cookies
        for name in ("RASCHET_SSL_REDIRECT", "RASCHET_HSTS_SECONDS", "RASCHET_SECURE_COOKIES"):
            os.environ.setdefault(name, "0")
    if args and args[0] in ("demo", "generate", "scenario"):
        choose_database(args)
    import django

    django.setup()
    if not args or args[0] in HELP:
        print_help()
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["raschet", *args])


def report_failure(error: BaseException, args: list[str]) -> int:
    """Print a failure for people; returns the exit code (2 expected, 1 unexpected)."""
    from raschet.domain.errors import ProblemsError

    if isinstance(error, ProblemsError):
        sys.stderr.write(f"Ошибок: {len(error.problems)}; ничего не изменено.\n")
        for item in error.problems[:200]:
            sys.stderr.write(f"  {item.subject}: {item.message}\n")
        return 2
    if isinstance(error, OSError) and error.filename:
        sys.stderr.write(f"Файл «{error.filename}»: {error.strerror or error}. Проверьте путь и права доступа.\n")
        return 2
    expected = _database_failure(error)
    if expected:
        sys.stderr.write(expected + "\n")
        return 2
    where = log_failure(error, args)
    sys.stderr.write(f"Непредвиденная ошибка ({type(error).__name__}): {str(error)[:300]}\n"
                     f"Подробности записаны в {where}; сообщите их разработчикам. "
                     "Полный текст ошибки на экране: добавьте --traceback.\n")
    return 1


def _database_failure(error: BaseException) -> str | None:
    try:
        from django.db import DatabaseError
    except ImportError:
        return None
    if not isinstance(error, DatabaseError):
        return None
    url = os.environ.get("RASCHET_DATABASE_URL", "SQLite в ./var/raschet.sqlite3")
    return (f"Ошибка базы данных ({url.split('@')[-1]}): {str(error).strip()[:300]}. Проверьте, что база доступна "
            "(RASCHET_DATABASE_URL) и её схема обновлена: raschet migrate.")


def log_failure(error: BaseException, args: list[str]) -> str:
    """Append the traceback to ``var/errors.log``; returns where it went."""
    path = var_dir() / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} raschet {' '.join(args)}\n")
            log.write("".join(traceback.format_exception(error)))
        return str(path)
    except OSError:
        return "журнал (не удалось записать: нет доступа к папке var)"


if __name__ == "__main__":
    main()
