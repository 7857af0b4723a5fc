"""Background work: a period's calculation queued, worked, its progress recorded."""

import subprocess
import sys

import pytest

from raschet.billing.models import ChargeLine, Job, JobStatus
from raschet.billing.tasks import enqueue_calculation
from raschet.domain.periods import Period
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))


def test_queued_calculation_is_worked_by_the_worker_with_progress(world, live_database_env):
    job = enqueue_calculation(Period(2026, 3))
    assert job.status == JobStatus.QUEUED and job.total == 1 and job.task_id
    assert not ChargeLine.objects.exists()
    worker = subprocess.run([sys.executable, "-m", "raschet.cli", "worker", "--batch"], env=live_database_env,
                            capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stderr
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 1, 1)
    assert "Строк 1" in job.message
    assert [str(a) for a in ChargeLine.objects.values_list("amount", flat=True)] == ["383.52"]


def test_a_refused_calculation_fails_the_job_with_the_reason(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # run inline
    enqueue_calculation(Period(2026, 3))
    from raschet.billing.services import close_period

    close_period(period=Period(2026, 3))
    job = enqueue_calculation(Period(2026, 3))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "закрыт" in job.message
    assert Job.objects.filter(status=JobStatus.DONE).count() == 1
