"""The WSGI application: Django's handler, and a lean one for the REST API's token-authenticated reads.

A ``GET`` under ``RASCHET_API_PREFIX`` with a bearer token or an ``X-Api-Key`` carries no cookie and
renders no page: sessions, CSRF, the sign-in redirect, htmx, messages, the audit log's actor and the
page-refusal middleware have nothing to do for it, yet they were a sixth of such a request's CPU
(bench/api.py). Those requests go through a handler with only :data:`API_MIDDLEWARE` (the security
headers and the language); the API authenticates and scopes every call itself (``raschet.api.auth``,
``raschet.api.scope``). Everything else — a session, a write, the API's documentation and schema,
which the sign-in middleware guards — goes through the full stack of ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "raschet.web.middleware.ChosenLanguageMiddleware"]
GUARDED = ("docs", "openapi.json")  # the schema and docs: the sign-in middleware decides who sees them
SAFE = ("GET", "HEAD")


class ApiReadHandler(WSGIHandler):
    """Django's handler with the short middleware chain :data:`API_MIDDLEWARE`."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [name for name in full if name in API_MIDDLEWARE]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def is_token_read(environ: dict) -> bool:
    """A read of the API's resources that authenticates with a token or key (and carries no session)."""
    if environ.get("REQUEST_METHOD") not in SAFE:
        return False
    path = environ.get("PATH_INFO", "")
    prefix = settings.RASCHET_API_PREFIX
    if not path.startswith(prefix) or path[len(prefix):].strip("/") in GUARDED:
        return False
    if settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
        return False
    return environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer " or "HTTP_X_API_KEY" in environ


class Application:
    """The project's WSGI callable: token reads of the API to the lean handler, the rest to Django's."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.api = ApiReadHandler()

    def __call__(self, environ, start_response):
        handler = self.api if is_token_read(environ) else self.full
        return handler(environ, start_response)
