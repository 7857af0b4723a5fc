"""``raschet worker``: works the queue of background jobs (django-tasks' database worker)."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = "Выполнять фоновые работы из очереди (расчёты, перерасчёты). Остановка — Ctrl+C."
