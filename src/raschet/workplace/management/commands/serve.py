"""``raschet serve``: the web interface under a production server (Waitress), static files collected first."""

from django.core.management.base import CommandParser

from raschet.commandline import ProjectCommand
from raschet.workplace.server import collect_static, serve


class Command(ProjectCommand):
    help = "Запустить веб-интерфейс под рабочим сервером (Waitress), собрав статические файлы."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="адрес и порт (127.0.0.1:8000)")
        parser.add_argument("--threads", type=int, default=8, help="число потоков (8)")

    def handle(self, *args, addr: str, threads: int, **options) -> None:
        collect_static()
        self.stdout.write(f"Веб-интерфейс: http://{addr}/ (Waitress, {threads} потоков; Ctrl+C — остановить)")
        serve(addr, threads)
