"""The ``raschet`` command: the project's own commands first, Django's management commands behind them."""

from __future__ import annotations

import os
import sys

PROJECT_COMMANDS = {
    "demo": "создать демонстрационный регион, рассчитать и запустить веб-интерфейс",
    "scenario": "сценарии: load, check, run FILE — загрузить, проверить, проиграть и вывести результат",
    "generate": "сгенерировать регион в базу (raschet generate --accounts N [--seed S] [--database URL])",
    "calc": "рассчитать период (raschet calc --period ГГГГ-ММ [--account N] [--simulate])",
    "penalties": "пени: accrue --period P; statement --account N --as-of D [--pdf F] [--xlsx F]",
    "claims": "должники: select --rule R [--open]; advance; documents --account N; check",
    "runserver": "запустить веб-интерфейс",
    "migrate": "создать или обновить схему базы данных",
    "createsuperuser": "создать администратора",
}


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


def _use_demo_database(args: list[str]) -> None:
    """The demo works on its own fresh SQLite file unless ``--database URL`` is given explicitly."""
    from pathlib import Path

    if "--database" in args:
        os.environ["RASCHET_DATABASE_URL"] = args[args.index("--database") + 1]
        return
    var = Path(os.environ.get("RASCHET_VAR_DIR", Path.cwd() / "var"))
    var.mkdir(parents=True, exist_ok=True)
    demo = var / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo}{suffix}").unlink(missing_ok=True)
    os.environ["RASCHET_DATABASE_URL"] = f"sqlite:///{demo}"


def _use_scenario_database(args: list[str]) -> None:
    """``scenario run`` plays into a fresh temporary SQLite file unless ``--database URL`` is given."""
    import tempfile

    if "--database" in args:
        os.environ["RASCHET_DATABASE_URL"] = args[args.index("--database") + 1]
        return
    folder = tempfile.mkdtemp(prefix="raschet-scenario-")
    os.environ["RASCHET_DATABASE_URL"] = f"sqlite:///{folder}/scenario.sqlite3"


def _use_given_database(args: list[str]) -> None:
    """``generate --database URL`` works on that database instead of RASCHET_DATABASE_URL's."""
    if "--database" in args[:-1]:
        os.environ["RASCHET_DATABASE_URL"] = args[args.index("--database") + 1]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    if args and args[0] == "demo":
        _use_demo_database(args)
    if args and args[0] == "generate":
        _use_given_database(args)
    if args[:2] == ["scenario", "run"]:
        _use_scenario_database(args)
    import django

    django.setup()
    if not args or args[0] in ("-h", "--help", "help"):
        print_help()
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["raschet", *args])


if __name__ == "__main__":
    main()
