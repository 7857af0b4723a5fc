"""What the back office shows of the periods: their states, the runs, what each action would be refused
for (the same checks as ``billing.lifecycle``, read without locks, so the page says why before anyone
presses a button), and a job's progress with the errors per account of the run it made."""

from __future__ import annotations

from dataclasses import dataclass, field

from raschet.billing.lifecycle import frozen_from, refuse_out_of_order
from raschet.billing.models import BillingPeriod, CalcProblem, CalcRun, Job, PeriodState, RunStatus
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period

SHOWN_PROBLEMS = 200


@dataclass
class PeriodRow:
    period: Period
    state: str  # the state's Russian name
    run: CalcRun | None
    refusals: dict[str, list[str]] = field(default_factory=dict)  # action → reasons it would be refused


def refusals(period: Period) -> dict[str, list[str]]:
    """For each action (calculate, post, close), the reasons it would be refused now (empty: allowed)."""
    state = BillingPeriod.objects.filter(period=str(period)).values_list("state", flat=True).first()
    frozen = frozen_from(period)
    found: dict[str, list[str]] = {"calculate": [], "post": [], "close": []}
    if frozen is not None:
        found["calculate"].append(f"Период {frozen[0]} уже {'закрыт' if frozen[1] == PeriodState.CLOSED else 'проведён'}: "
                                  "расчёт этого периода больше не меняется, изменения прошлого идут перерасчётом.")
        if state in (PeriodState.POSTED, PeriodState.CLOSED):
            found["post"].append(f"Период {period} уже {'закрыт' if state == PeriodState.CLOSED else 'проведён'}.")
    if state == PeriodState.CLOSED:
        found["close"].append(f"Период {period} уже закрыт.")
    has_run = CalcRun.objects.filter(period=str(period), status__in=[RunStatus.DONE, RunStatus.POSTED],
                                     simulate=False).exists()
    if not has_run and state not in (PeriodState.POSTED, PeriodState.CLOSED):
        text = f"Период {period} не рассчитан: сначала выполните расчёт."
        found["post"].append(text)
        found["close"].append(text)
    for action in found:
        try:
            refuse_out_of_order(period, action)
        except ProblemsError as error:
            found[action] += [p.message for p in error.problems]
    return found


def overview(extra: Period | None = None) -> list[PeriodRow]:
    """The known periods newest first (and ``extra``, the one after the latest, to be calculated next)."""
    states = dict(BillingPeriod.objects.values_list("period", "state"))
    codes = set(states) | set(CalcRun.objects.filter(simulate=False).values_list("period", flat=True))
    if extra is not None:
        codes.add(str(extra))
    names = dict(PeriodState.choices)
    rows = []
    for code in sorted(codes, reverse=True)[:24]:
        period = Period.parse(code)
        run = CalcRun.objects.filter(period=code, simulate=False).order_by("-started_at").first()
        rows.append(PeriodRow(period, names.get(states.get(code, PeriodState.OPEN), ""), run, refusals(period)))
    return rows


def next_period() -> Period:
    """The period to work on: the one after the last closed one; before any is closed, the first one
    calculated, else this month."""
    from django.utils import timezone

    closed = BillingPeriod.objects.filter(state=PeriodState.CLOSED).order_by("-period").values_list(
        "period", flat=True).first()
    if closed:
        return Period.parse(closed).next()
    first = CalcRun.objects.filter(simulate=False).order_by("period").values_list("period", flat=True).first()
    return Period.parse(first) if first else Period.of(timezone.localdate())


def run_of(job: Job) -> CalcRun | None:
    """The run a calculation job made: the period's first run started after the job was queued."""
    if job.kind != "calculate":
        return None
    return CalcRun.objects.filter(period=job.params.get("period", ""), simulate=False,
                                  started_at__gte=job.created_at).order_by("started_at").first()


def problems_of(run: CalcRun | None) -> list[CalcProblem]:
    if run is None:
        return []
    return list(CalcProblem.objects.filter(run=run).select_related("account").order_by("account__number", "pk")
                [:SHOWN_PROBLEMS])
