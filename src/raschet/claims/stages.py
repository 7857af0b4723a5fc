"""The stages of a debt case: which follow which, their deadlines, and who may not be restricted
(domain.md §13). Pure rules over plain values, checked by :mod:`raschet.claims.cases`.

Deadlines [H unless marked]: a warning gives 20 days before restriction (ПП 354 п. 119 «а»);
restriction gives 10 more before suspension (п. 119 «в») [M]; a pre-trial claim to a legal entity
waits 30 calendar days before the court (АПК ст. 4 ч. 5). Never restricted or suspended: heating, and
cold water in an apartment building (ПП 354 п. 119, 121(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from raschet.claims.models import Stage

S = Stage
AFTER_ANY = [S.INSTALMENT, S.PAID, S.WRITTEN_OFF]
TRANSITIONS: dict[str, list[str]] = {
    S.REMINDER: [S.WARNING, S.PRETRIAL_CLAIM, S.COURT_ORDER_APPLICATION, *AFTER_ANY],
    S.WARNING: [S.RESTRICTION, S.SUSPENSION, S.COURT_ORDER_APPLICATION, *AFTER_ANY],
    S.RESTRICTION: [S.SUSPENSION, S.COURT_ORDER_APPLICATION, *AFTER_ANY],
    S.SUSPENSION: [S.COURT_ORDER_APPLICATION, *AFTER_ANY],
    S.PRETRIAL_CLAIM: [S.COURT_ORDER_APPLICATION, *AFTER_ANY],
    S.COURT_ORDER_APPLICATION: [S.COURT_ORDER, *AFTER_ANY],
    S.COURT_ORDER: [S.ENFORCEMENT, *AFTER_ANY],
    S.ENFORCEMENT: AFTER_ANY,
    S.INSTALMENT: [S.PAID, S.WRITTEN_OFF],
    S.PAID: [],
    S.WRITTEN_OFF: [],
}

# stage → (days it gives the debtor, the rule): the next stage that needs it may start on day + days
WAITS: dict[str, tuple[int, str]] = {
    S.WARNING: (20, "ПП 354 п. 119 «а»: 20 дней после предупреждения"),
    S.RESTRICTION: (10, "ПП 354 п. 119 «в»: 10 дней после ограничения [M]"),
    S.PRETRIAL_CLAIM: (30, "АПК РФ ст. 4 ч. 5: 30 календарных дней после претензии"),
}
# which moves must wait for the stage they leave
WAITING_MOVES = {(S.WARNING, S.RESTRICTION), (S.WARNING, S.SUSPENSION), (S.RESTRICTION, S.SUSPENSION),
                 (S.PRETRIAL_CLAIM, S.COURT_ORDER_APPLICATION)}
SERVICE_STAGES = (S.WARNING, S.RESTRICTION, S.SUSPENSION)
COURT_ORDER_LIMITS = {"citizen": (Decimal("500000"), "ГПК РФ ст. 121, 122"),
                      "legal": (Decimal("750000"), "АПК РФ ст. 229.2 [M]")}


@dataclass(frozen=True)
class Refusal:
    code: str
    params: dict


def deadline(stage: str, since: date) -> date | None:
    wait = WAITS.get(stage)
    return since + timedelta(days=wait[0]) if wait else None


def restriction_refusal(service_kind: str, apartment_building: bool) -> str | None:
    """Why a service may not be restricted or suspended (None when it may)."""
    if service_kind == "heating":
        return "отопление не ограничивается и не приостанавливается (ПП 354 п. 119, 121(1))"
    if service_kind == "cold_water" and apartment_building:
        return "холодное водоснабжение в многоквартирном доме не ограничивается и не приостанавливается (ПП 354 п. 119)"
    return None


def check_move(current: str, target: str, *, since: date, on: date) -> Refusal | None:
    """Whether a case on ``current`` since ``since`` may move to ``target`` on ``on``."""
    allowed = TRANSITIONS.get(current, [])
    if target not in allowed:
        names = ", ".join(Stage(s).label for s in allowed) or "нет (дело закрыто)"
        return Refusal("stage_not_allowed", {"current": Stage(current).label, "target": Stage(target).label,
                                             "allowed": names})
    if (current, target) in WAITING_MOVES:
        due = deadline(current, since)
        if due is not None and on < due:
            return Refusal("deadline_not_reached", {"target": Stage(target).label,
                                                    "deadline": due.strftime("%d.%m.%Y"), "reason": WAITS[current][1]})
    return None
