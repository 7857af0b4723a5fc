"""The check of a view: the same permissions as the services' :func:`raschet.access.require`, refused
with a Russian 403 page in the layout (``403.html``) that names what is missing, not a traceback.

A service refusing (a :class:`ProblemsError` with the ``forbidden`` code) inside a view is answered the
same way by :class:`ForbiddenProblemMiddleware`, so a view that checked too little still shows the page.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.template.loader import render_to_string

from raschet import access
from raschet.domain.errors import ProblemsError


def refusal(permission: str) -> str:
    _qualified, text = access._qualified(permission)
    return f"У вас нет права «{text}». Если оно нужно для работы, обратитесь к администратору."


def permission_required(*permissions: str):
    """Let the view run only for a user holding every one of ``permissions`` (money codenames such as
    ``access.TAKE_PAYMENT`` or registered ``app.codename`` names)."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            for permission in permissions:
                if not access.allowed(request.user, permission):
                    raise PermissionDenied(refusal(permission))
            return view(request, *args, **kwargs)

        return checked

    return decorate


class ForbiddenProblemMiddleware:
    """A service's ``forbidden`` refusal escaping a view becomes the 403 page with its Russian message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ProblemsError) and any(p.code == "forbidden" for p in exception.problems):
            message = "; ".join(p.message for p in exception.problems if p.code == "forbidden")
            return HttpResponseForbidden(render_to_string("403.html", {"exception": message}, request=request))
        return None
