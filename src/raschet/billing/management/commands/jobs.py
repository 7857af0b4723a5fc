"""``raschet jobs [--watch N]``: background work with its progress."""

from __future__ import annotations

import time

from django.core.management.base import CommandParser

from raschet.billing.models import Job, JobStatus
from raschet.commandline import ProjectCommand


class Command(ProjectCommand):
    help = "Фоновые работы и ход их выполнения."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", type=int, help="обновлять каждые N секунд, пока есть незавершённые работы")

    def handle(self, *args, watch: int | None, **options) -> None:
        while True:
            for job in Job.objects.all()[:20]:
                share = f"{100 * job.done // job.total}%" if job.total else "—"
                self.stdout.write(f"№ {job.pk:<5} {job.kind:<10} {job.params.get('period', ''):<8} "
                                  f"{job.get_status_display():<12} {job.done}/{job.total} ({share}) {job.message}")
            active = Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists()
            if not watch or not active:
                return
            time.sleep(watch)
            self.stdout.write("")
