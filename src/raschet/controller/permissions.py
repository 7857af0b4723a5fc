"""The controller app's permissions, checked by the project's one mechanism (``raschet.access``).

``controller.walk_routes`` lets a user (the role «контролёр») see the routes assigned to them and send
what they recorded there; ``controller.manage_routes`` lets a user assign routes to controllers. Both are
Django permissions held by the model :class:`raschet.controller.models.Route`.
"""

from __future__ import annotations

from raschet import access

APP_LABEL = "controller"
WALK_ROUTES = "walk_routes"
MANAGE_ROUTES = "manage_routes"
PERMISSIONS = {
    WALK_ROUTES: "Обходить свои маршруты контролёра (показания, проверки, пломбы)",
    MANAGE_ROUTES: "Назначать маршруты контролёрам",
}
access.register(APP_LABEL, PERMISSIONS)


def require(actor, permission: str):
    """Refuse with a ``forbidden`` problem unless ``actor`` (default: the signed-in user) holds
    ``permission``; returns the actor that acted."""
    return access.require(actor, f"{APP_LABEL}.{permission}")


def allowed(actor, permission: str) -> bool:
    return access.allowed(access.current_actor() if actor is None else actor, f"{APP_LABEL}.{permission}")
