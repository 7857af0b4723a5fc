"""Posting and closing a period as background jobs, beside ``billing.tasks``' calculation: the one who
queues checks the permission, the job runs as the system and records its outcome on the ``Job`` row
(which the back office polls), a refusal as the job's message."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from raschet import access
from raschet.access import SYSTEM, describe, require
from raschet.billing.models import Job, JobStatus
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period

ACTIONS = {  # job kind → (permission, what it is called)
    "post": (access.POST_PERIOD, "проведение"),
    "close": (access.CLOSE_PERIOD, "закрытие"),
}


def enqueue_period_action(kind: str, period: Period, *, actor=None) -> Job:
    """Queue posting (``kind="post"``) or closing (``"close"``) of ``period``."""
    permission, _name = ACTIONS[kind]
    actor = require(actor, permission)
    job = Job.objects.create(kind=kind, params={"period": str(period), "queued_by": describe(actor)}, total=1)
    result = period_action_in_background.enqueue(job.pk)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


@task()
def period_action_in_background(job_id: int) -> str:
    from raschet.billing.services import close_period, post_period

    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    period = Period.parse(job.params["period"])
    try:
        if job.kind == "post":
            entries = post_period(period=period, actor=SYSTEM)
            message = f"Период {period} проведён: записей в учёт {entries}."
        else:
            entries = close_period(period=period, actor=SYSTEM)
            message = f"Период {period} закрыт" + (f", при закрытии проведено записей {entries}." if entries else ".")
    except ProblemsError as error:
        message = "; ".join(p.message for p in error.problems)
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now())
        return message
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, done=1, message=message, finished_at=timezone.now())
    return message
