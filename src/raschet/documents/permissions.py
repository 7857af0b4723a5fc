"""Who may issue and send payment documents: two permission names of this app, checked by ``raschet.access``.

``issue_documents`` covers issuing (and re-issuing) documents of a period, which fixes what every
subscriber is asked to pay; ``send_documents`` covers e-mailing them. They are Django permissions of
this app (``documents.issue_documents``, ``documents.send_documents``, declared on
:class:`raschet.documents.models.PaymentDocument`), so roles are groups holding them. The check is the
project's one (:func:`raschet.access.require`): the system (CLI, demo, jobs) may do everything, a
service called without an actor during a web request acts for the signed-in user.
"""

from __future__ import annotations

from raschet import access

APP_LABEL = "documents"
ISSUE_DOCUMENTS = "issue_documents"
SEND_DOCUMENTS = "send_documents"
PERMISSIONS = {
    ISSUE_DOCUMENTS: "Выпускать платёжные документы",
    SEND_DOCUMENTS: "Рассылать платёжные документы по электронной почте",
}
SYSTEM = access.SYSTEM
access.register(APP_LABEL, PERMISSIONS)


def allowed(actor: object | None, permission: str) -> bool:
    return access.allowed(access.current_actor() if actor is None else actor, f"{APP_LABEL}.{permission}")


def require(actor: object | None, permission: str) -> object:
    """Refuse with a ``forbidden`` problem unless ``actor`` (default: the current actor) holds ``permission``."""
    return access.require(actor, f"{APP_LABEL}.{permission}")


def user_of(actor: object | None) -> object | None:
    """The Django user to record (none for the system)."""
    return None if actor is None else access.user_of(actor)
