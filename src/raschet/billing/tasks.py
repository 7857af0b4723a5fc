"""Background work through Django's tasks API (the django-tasks backport; its database backend with
``raschet worker`` by default). A job row carries the progress, updated outside the work's own
transaction, so the CLI and the admin see it move while the work runs."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from raschet import access
from raschet.access import SYSTEM, describe, require
from raschet.billing.models import Job, JobStatus
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period


def enqueue_calculation(period: Period, account_numbers: list[str] | None = None, *, actor=None) -> Job:
    """Queue the calculation of a period (with the recalculation of marked closed periods). The one
    who queues it needs the permission to calculate; the job then runs as the system."""
    from raschet.billing.services import scope_size

    actor = require(actor, access.CALCULATE_PERIOD)

    job = Job.objects.create(kind="calculate", params={"period": str(period), "accounts": account_numbers,
                                                       "queued_by": describe(actor)},
                             total=scope_size(None) if account_numbers is None else len(account_numbers))
    result = calculate_in_background.enqueue(job.pk)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


@task()
def calculate_in_background(job_id: int) -> str:
    from raschet.billing.services import calculate_period

    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    done = 0

    def progress(accounts: int) -> None:
        nonlocal done
        done += accounts
        Job.objects.filter(pk=job_id).update(done=done)

    try:
        outcome = calculate_period(period=Period.parse(job.params["period"]),
                                   account_numbers=job.params.get("accounts"), progress=progress, actor=SYSTEM)
    except ProblemsError as error:
        message = "; ".join(p.message for p in error.problems)
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now())
        return message
    run = outcome.run
    message = f"Строк {run.lines}, лицевых счетов {run.accounts}, ошибок {run.problems} (расчёт № {run.pk})"
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, done=job.total, message=message,
                                         finished_at=timezone.now())
    return message
