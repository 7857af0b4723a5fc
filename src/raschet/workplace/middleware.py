"""Sign-in required for every page and endpoint, with one short, explicit allow list.

Allowed without a session: the sign-in page, static files and the health check
(``settings.RASCHET_PUBLIC_PATHS``, path prefixes), and the REST API under
``settings.RASCHET_API_PREFIX``, which authenticates each call itself (session or ``X-Api-Key``) —
except its documentation and schema, which need a session or a valid API key here. Anything else
anonymous is sent to the sign-in page (an htmx request is told to reload the page, so the sign-in
form is never swapped into a fragment; an API-like ``Accept: application/json`` request gets 401).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url

from raschet.domain.errors import problem

API_DOCS = ("docs", "openapi.json")


def _api_key_valid(request) -> bool:
    """An integration key (``X-Api-Key``) or a user's token (``Authorization: Bearer``) the API itself
    would take: its own checks, the one place keys and tokens are read."""
    from raschet.api.auth import ApiKey, BearerToken

    key = request.headers.get(ApiKey.param_name, "")
    if key and ApiKey().authenticate(request, key) is not None:
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and BearerToken().authenticate(request, token.strip()) is not None


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated or self.public(request):
            return self.get_response(request)
        return self.refuse(request)

    @staticmethod
    def public(request) -> bool:
        path = request.path_info
        login = resolve_url(settings.LOGIN_URL)
        if path == login or any(path.startswith(prefix) for prefix in settings.RASCHET_PUBLIC_PATHS):
            return True
        api = settings.RASCHET_API_PREFIX
        if path.startswith(api):
            rest = path[len(api):].strip("/")
            return rest not in API_DOCS or _api_key_valid(request)
        return False

    @staticmethod
    def refuse(request):
        if request.headers.get("HX-Request"):
            answer = HttpResponse(status=401)
            answer["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return answer
        if "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get("Accept", ""):
            found = problem("unauthenticated", "request")
            return JsonResponse({"errors": [found.as_dict()]}, status=401)
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
