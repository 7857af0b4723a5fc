"""The claims app's permissions and the one check its services make.

``raschet.access`` (the project's permission mechanism) is being built in parallel and is not in this
branch yet, so this module mirrors its interface — ``require(actor, permission)`` refusing with the
``forbidden`` problem — for the two permissions of debtor work, held by the model
``claims.SelectionRule`` (``claims.accrue_penalties``, ``claims.manage_debt_cases``). When
``raschet.access`` lands, these names move into its ``PERMISSIONS`` and ``require`` becomes its.

An actor is ``None`` (the system: the CLI, scenarios, jobs), a Django user, or anything with
``has_perm``.
"""

from __future__ import annotations

from raschet.domain.errors import ProblemsError, problem

APP_LABEL = "claims"
ACCRUE_PENALTIES = "accrue_penalties"
MANAGE_DEBT_CASES = "manage_debt_cases"
PERMISSIONS = {ACCRUE_PENALTIES: "Начислять пени", MANAGE_DEBT_CASES: "Вести дела должников"}


def describe(actor) -> str:
    if actor is None:
        return "система"
    return getattr(actor, "get_username", lambda: "")() or "анонимный пользователь"


def allowed(actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    if actor is None:
        return True
    has_perm = getattr(actor, "has_perm", None)
    return bool(has_perm and getattr(actor, "is_active", False) and has_perm(f"{APP_LABEL}.{permission}"))


def require(actor, permission: str):
    """Refuse with a ``forbidden`` problem unless ``actor`` holds ``permission``; returns the actor."""
    if not allowed(actor, permission):
        raise ProblemsError([problem("forbidden", describe(actor), user=describe(actor),
                                     action=PERMISSIONS[permission], permission=f"{APP_LABEL}.{permission}")])
    return actor
