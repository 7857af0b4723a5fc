"""Who may issue and send payment documents: two permission names and the one check behind them.

``issue_documents`` covers issuing (and re-issuing) documents of a period, which fixes what every
subscriber is asked to pay; ``send_documents`` covers e-mailing them. They are Django permissions of
this app (``documents.issue_documents``, ``documents.send_documents``, declared on
:class:`raschet.documents.models.PaymentDocument`), so roles are groups holding them.

The project's permission mechanism (``raschet.access``, issue 10) is being built in parallel and is
not on this branch yet; :func:`require` is the one place that decides, with the same shape as that
module's ``require(actor, permission)``: ``None`` or the system (:data:`SYSTEM`: the CLI, the demo,
jobs) may do everything, a Django user needs the permission. When ``raschet.access`` lands, this
function delegates to it and the two names are registered there.
"""

from __future__ import annotations

from dataclasses import dataclass

from raschet.domain.errors import ProblemsError, problem

APP_LABEL = "documents"
ISSUE_DOCUMENTS = "issue_documents"
SEND_DOCUMENTS = "send_documents"
PERMISSIONS = {
    ISSUE_DOCUMENTS: "Выпускать платёжные документы",
    SEND_DOCUMENTS: "Рассылать платёжные документы по электронной почте",
}


@dataclass(frozen=True)
class SystemActor:
    name: str = "система"


SYSTEM = SystemActor()


def allowed(actor: object | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; add it to raschet.documents.permissions")
    if actor is None or isinstance(actor, SystemActor):
        return True
    has_perm = getattr(actor, "has_perm", None)
    return bool(has_perm and getattr(actor, "is_active", False) and has_perm(f"{APP_LABEL}.{permission}"))


def require(actor: object | None, permission: str) -> object:
    """Refuse with a ``documents_forbidden`` problem unless ``actor`` holds ``permission``."""
    if not allowed(actor, permission):
        name = getattr(actor, "get_username", lambda: "")() or "анонимный пользователь"
        raise ProblemsError([problem("documents_forbidden", name, user=name, action=PERMISSIONS[permission],
                                     permission=f"{APP_LABEL}.{permission}")])
    return actor if actor is not None else SYSTEM


def user_of(actor: object | None) -> object | None:
    """The Django user to record (none for the system)."""
    return actor if getattr(actor, "pk", None) else None
