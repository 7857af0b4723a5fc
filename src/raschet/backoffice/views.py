"""The back office's period work: the periods with what each action would be refused for, the
calculation, posting and closing queued as background jobs, and a job's page whose progress is polled
with htmx (the fragment stops polling once the job is finished) with the run's errors per account."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from raschet import access
from raschet.access.decorators import permission_required
from raschet.backoffice import periods
from raschet.backoffice.tasks import enqueue_period_action
from raschet.billing.models import Job, JobStatus
from raschet.billing.tasks import enqueue_calculation
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period

KIND_NAMES = {"calculate": "Расчёт", "post": "Проведение", "close": "Закрытие"}


@permission_required(access.CALCULATE_PERIOD)
def period_list(request):
    """The periods; ``?period=ГГГГ-ММ`` chooses the one to work on (default: the next one to close)."""
    upcoming = periods.next_period()
    try:
        upcoming = Period.parse(request.GET["period"].strip()) if request.GET.get("period") else upcoming
    except ValueError as error:
        messages.error(request, f"Расчётный период: {error}")
    jobs = list(Job.objects.filter(kind__in=list(KIND_NAMES))[:10])
    for job in jobs:
        job.kind_name = KIND_NAMES[job.kind]
    return render(request, "backoffice/periods.html",
                  {"rows": periods.overview(upcoming), "upcoming": upcoming, "jobs": jobs,
                   "title": "Периоды: расчёт, проведение, закрытие"})


PERMISSION_OF = {"calculate": access.CALCULATE_PERIOD, "post": access.POST_PERIOD, "close": access.CLOSE_PERIOD}


@require_POST
def period_action(request, action: str):
    """Queue the action on the period named in the form; the user needs that action's permission."""
    if action not in PERMISSION_OF:
        return redirect("office:periods")
    return permission_required(PERMISSION_OF[action])(_queue)(request, action)


def _queue(request, action: str):
    try:
        period = Period.parse(request.POST.get("period", "").strip())
    except ValueError as error:
        messages.error(request, f"Расчётный период: {error}")
        return redirect("office:periods")
    try:
        if action == "calculate":
            job = enqueue_calculation(period, actor=request.user)
        else:
            job = enqueue_period_action(action, period, actor=request.user)
    except ProblemsError as error:
        if any(p.code == "forbidden" for p in error.problems):
            raise
        messages.error(request, " ".join(p.message for p in error.problems))
        return redirect("office:periods")
    return redirect("office:job", job_id=job.pk)


def _job_context(job: Job) -> dict:
    run = periods.run_of(job)
    share = 100 * job.done // job.total if job.total else (100 if job.status == JobStatus.DONE else 0)
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    return {"job": job, "run": run, "share": share, "finished": finished, "kind": KIND_NAMES.get(job.kind, job.kind),
            "problems": periods.problems_of(run) if finished else [], "period": job.params.get("period", "")}


@permission_required(access.CALCULATE_PERIOD)
def job_page(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    context = _job_context(job)
    return render(request, "backoffice/job.html",
                  {**context, "title": f"{context['kind']} периода {context['period']}: работа № {job.pk}"})


@permission_required(access.CALCULATE_PERIOD)
def job_progress(request, job_id: int):
    """The progress fragment (htmx polls it every second until the job is finished)."""
    return render(request, "backoffice/_job_progress.html", _job_context(get_object_or_404(Job, pk=job_id)))
