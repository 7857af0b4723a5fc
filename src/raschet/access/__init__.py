"""Who may do what with money: the named permissions, the actors, and the one check.

Every money action (take a payment, reverse, move, assign a suspense payment, import a registry,
calculate, post, close, simulate) calls :func:`require` as the first statement of its service
function, whatever the entry point (admin action, view, API, CLI, job), so a forgotten check in a
view cannot open a hole.

The permissions are ordinary Django permissions (app label ``access``, held by the unmanaged model
:class:`raschet.access.models.MoneyPermissions`), so roles are groups of them (issue 15: operator,
cashier, accountant, debt officer, administrator) and a superuser has them all.

An actor is one of:

- a Django user (the signed-in operator, or the ``--user LOGIN`` of a CLI money command);
- :data:`SYSTEM`, the installation itself: the CLI without ``--user``, scenarios, the demo, jobs
  (a job is checked when it is queued, with the user who queued it);
- an :class:`ApiClient`, a caller of the REST API identified by its key.

A service called without an actor acts for :func:`current_actor`: the signed-in user while a web
request is served (so a view that forgets to pass ``request.user`` still acts for that user, never
for the system), :data:`SYSTEM` elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from raschet.domain.errors import ProblemsError, problem

APP_LABEL = "access"

TAKE_PAYMENT = "take_payment"
REVERSE_PAYMENT = "reverse_payment"
MOVE_PAYMENT = "move_payment"
ASSIGN_SUSPENSE = "assign_suspense"
IMPORT_REGISTRY = "import_registry"
CALCULATE_PERIOD = "calculate_period"
POST_PERIOD = "post_period"
CLOSE_PERIOD = "close_period"
SIMULATE = "simulate"
VIEW_REPORTS = "view_reports"

# codename → what the permission lets one do (the Django permission's name, shown in the admin)
PERMISSIONS: dict[str, str] = {
    TAKE_PAYMENT: "Принимать оплату (касса, API)",
    REVERSE_PAYMENT: "Сторнировать платежи",
    MOVE_PAYMENT: "Переносить платежи на другой лицевой счёт",
    ASSIGN_SUSPENSE: "Разносить невыясненные платежи",
    IMPORT_REGISTRY: "Загружать реестры платежей банков",
    CALCULATE_PERIOD: "Рассчитывать период",
    POST_PERIOD: "Проводить начисления периода",
    CLOSE_PERIOD: "Закрывать период",
    SIMULATE: "Выполнять имитацию расчёта (что будет, если)",
    VIEW_REPORTS: "Смотреть отчёты (оборотная ведомость, долги, сборы, перечисления)",
}


@dataclass(frozen=True)
class SystemActor:
    """The installation itself: may do everything; recorded as no user."""

    name: str = "система"


@dataclass(frozen=True)
class ApiClient:
    """A REST API caller identified by its key's name; holds only the permissions it was given."""

    name: str
    permissions: frozenset[str] = field(default=frozenset({TAKE_PAYMENT}))


SYSTEM = SystemActor()
_request_actor: ContextVar[object | None] = ContextVar("raschet_request_actor", default=None)


def current_actor() -> object:
    """The signed-in user while a web request is served, else the system."""
    actor = _request_actor.get()
    return SYSTEM if actor is None else actor


@contextmanager
def acting_as(actor: object) -> Iterator[None]:
    """Services called inside this block without an actor act for ``actor`` (set per web request)."""
    token = _request_actor.set(actor)
    try:
        yield
    finally:
        _request_actor.reset(token)


# Permissions that other apps declare on their own models ("documents.issue_documents" → what it lets
# one do), registered by those apps with :func:`register` so that one check serves them all.
REGISTERED: dict[str, str] = {}


def register(app_label: str, permissions: dict[str, str]) -> None:
    """Make an app's own permissions (codename → text) known to :func:`require` as ``app_label.codename``."""
    REGISTERED.update({f"{app_label}.{codename}": text for codename, text in permissions.items()})


def _qualified(permission: str) -> tuple[str, str]:
    """(``app_label.codename``, its text) of a money permission's codename or a registered name."""
    if permission in PERMISSIONS:
        return f"{APP_LABEL}.{permission}", PERMISSIONS[permission]
    if permission in REGISTERED:
        return permission, REGISTERED[permission]
    raise KeyError(f"Unknown permission {permission!r}; add it to raschet.access.PERMISSIONS or register() it")


def allowed(actor: object, permission: str) -> bool:
    qualified, _ = _qualified(permission)
    if isinstance(actor, SystemActor):
        return True
    if isinstance(actor, ApiClient):
        return permission in actor.permissions
    has_perm = getattr(actor, "has_perm", None)  # a Django user (AnonymousUser has none)
    return bool(has_perm and getattr(actor, "is_active", False) and has_perm(qualified))


def describe(actor: object) -> str:
    if isinstance(actor, SystemActor | ApiClient):
        return actor.name
    return getattr(actor, "get_username", lambda: "")() or "анонимный пользователь"


def require(actor: object | None, permission: str) -> object:
    """Refuse with a ``forbidden`` problem unless ``actor`` (default: :func:`current_actor`) holds
    ``permission``; returns the actor, so a service can record who acted."""
    actor = current_actor() if actor is None else actor
    if not allowed(actor, permission):
        qualified, text = _qualified(permission)
        raise ProblemsError([problem("forbidden", describe(actor), user=describe(actor), action=text,
                                     permission=qualified)])
    return actor


def user_of(actor: object) -> object | None:
    """The Django user to record as having acted (none for the system or an API client)."""
    return None if isinstance(actor, SystemActor | ApiClient) or not getattr(actor, "pk", None) else actor
