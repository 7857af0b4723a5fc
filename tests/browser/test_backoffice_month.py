"""Acceptance: an accountant calculates, posts and closes a month from the browser and watches each
background job's progress (django-tasks' database worker runs in a thread of the test)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from raschet.access.roles import ACCOUNTANT
from raschet.billing.models import BillingPeriod, LedgerEntry, PeriodState
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerThread:
    """``raschet worker`` (django-tasks-db's worker) in a thread, stopped when the test ends."""

    def __init__(self):
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(queue_names=["default"], interval=0.2, batch=False, backend_name="default",
                             startup_delay=False, max_tasks=None, worker_id="browser-test", excluded_queue_names=[])
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.worker.run()
        finally:
            connection.close()

    def start(self):
        self.thread.start()

    def stop(self):
        self.worker.running = False
        if self.thread.is_alive():
            self.thread.join(timeout=30)


@pytest.fixture
def worker():
    started = WorkerThread()
    yield started
    started.stop()


@pytest.fixture
def accountant_page(page, live_server, client, scenario_path):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    user = get_user_model().objects.create_user("buh", first_name="Мария", last_name="Бухгалтерова")
    user.groups.add(Group.objects.get(name=ACCOUNTANT))
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def run_action(page, button: str, screenshot, label: str) -> str:
    page.goto("/office/periods/?period=2026-03")
    page.click(button)
    page.wait_for_selector("#job-progress[data-status=done], #job-progress[data-status=failed]", timeout=60_000)
    screenshot(label)
    return page.inner_text("#job-progress")


def test_accountant_calculates_posts_and_closes_a_month_watching_progress(accountant_page, worker, screenshot):
    page = accountant_page
    page.goto("/office/periods/?period=2026-03")
    assert "не рассчитан" in page.inner_text("#period-2026-03 .refusal-close")  # why a close is refused, before
    screenshot("before")
    page.click("#do-calculate")
    page.wait_for_selector("#job-progress[data-status=queued]")  # the page is up before the worker takes it
    assert "в очереди" in page.inner_text("#job-status")
    screenshot("queued")
    worker.start()
    page.wait_for_selector("#job-progress[data-status=done]", timeout=60_000)  # htmx polled it, no reload
    done = page.inner_text("#job-progress")
    assert "1 из 1 (100 %)" in done and "Строк 1" in done and "Ошибок нет" in done
    screenshot("calculated")
    assert "проведён" in run_action(page, "#do-post", screenshot, "posted")
    assert "закрыт" in run_action(page, "#do-close", screenshot, "closed")
    assert BillingPeriod.objects.get(period="2026-03").state == PeriodState.CLOSED
    assert [str(a) for a in LedgerEntry.objects.filter(kind="charge").values_list("amount", flat=True)] == ["383.52"]
    refused = run_action(page, "#do-close", screenshot, "refused")  # a second close: the job says why
    assert "ошибка" in refused and "2026-03" in refused
    page.goto("/office/periods/")
    assert "закрыт" in page.inner_text("#period-2026-03")
    screenshot("periods")
