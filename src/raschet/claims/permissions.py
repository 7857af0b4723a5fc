"""The claims app's two permissions, checked by the project's one mechanism (``raschet.access``).

``claims.accrue_penalties`` and ``claims.manage_debt_cases`` are Django permissions held by the model
``claims.SelectionRule``, registered with :func:`raschet.access.register`, so roles are groups of them
and the check is :func:`raschet.access.require`: the system (CLI, scenarios, jobs) may do everything,
a service called without an actor during a web request acts for the signed-in user.
"""

from __future__ import annotations

from raschet import access

APP_LABEL = "claims"
ACCRUE_PENALTIES = "accrue_penalties"
MANAGE_DEBT_CASES = "manage_debt_cases"
PERMISSIONS = {ACCRUE_PENALTIES: "Начислять пени", MANAGE_DEBT_CASES: "Вести дела должников"}
access.register(APP_LABEL, PERMISSIONS)


def describe(actor) -> str:
    return access.describe(access.current_actor() if actor is None else actor)


def allowed(actor, permission: str) -> bool:
    return access.allowed(access.current_actor() if actor is None else actor, f"{APP_LABEL}.{permission}")


def require(actor, permission: str):
    """Refuse with a ``forbidden`` problem unless ``actor`` holds ``permission``; returns the actor as given
    (``None`` stays ``None``: the services record no user for the system)."""
    access.require(actor, f"{APP_LABEL}.{permission}")
    return actor
