"""The period work of the back office: the reasons an action would be refused, read before pressing,
and posting and closing as background jobs that record their outcome."""

import pytest

from raschet.access.roles import CASHIER
from raschet.backoffice import periods
from raschet.backoffice.tasks import enqueue_period_action
from raschet.billing.models import BillingPeriod, JobStatus, PeriodState
from raschet.billing.services import calculate_period
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_an_uncalculated_period_names_why_it_cannot_be_posted_or_closed(world):
    found = periods.refusals(Period(2026, 3))
    assert found["calculate"] == []
    assert any("не рассчитан" in r for r in found["post"]) and any("не рассчитан" in r for r in found["close"])


def test_a_month_after_an_open_one_names_the_month_to_finish_first(world):
    calculate_period(period=Period(2026, 3))
    found = periods.refusals(Period(2026, 4))
    assert any("сначала проведите и закройте период 2026-03" in r for r in found["close"])
    assert any("сначала проведите период 2026-03" in r for r in found["calculate"])


def test_post_and_close_jobs_record_their_outcome(world, inline):
    calculate_period(period=Period(2026, 3))
    posted = enqueue_period_action("post", Period(2026, 3))
    posted.refresh_from_db()
    assert posted.status == JobStatus.DONE and "проведён" in posted.message
    closed = enqueue_period_action("close", Period(2026, 3))
    closed.refresh_from_db()
    assert closed.status == JobStatus.DONE and BillingPeriod.objects.get(period="2026-03").state == PeriodState.CLOSED
    assert periods.refusals(Period(2026, 3))["close"] == ["Период 2026-03 уже закрыт."]
    again = enqueue_period_action("close", Period(2026, 3))
    again.refresh_from_db()
    assert again.status == JobStatus.FAILED and "2026-03" in again.message


def test_queueing_needs_the_permission_of_the_action(world, member):
    with pytest.raises(ProblemsError) as refused:
        enqueue_period_action("close", Period(2026, 3), actor=member(CASHIER))
    assert refused.value.problems[0].code == "forbidden"


def test_the_next_period_follows_the_last_closed_one(charged):
    assert periods.next_period() == Period(2026, 4)
    rows = periods.overview(Period(2026, 4))
    assert [str(r.period) for r in rows] == ["2026-04", "2026-03"] and rows[1].state == "закрыт"
