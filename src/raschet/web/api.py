"""The REST API with its OpenAPI schema (/api/v1/docs): every app's router, one error mapping.

Every failure answers with the same body, ``{"errors": [{"code", "message", "subject"}]}``: the
stable ``code`` of ``raschet.domain.errors`` (status from ``web.errors``), a Russian message and
the JSON path of the offending field (``body.amount``). The body is parsed with numbers as
``Decimal`` (never float), without NaN or Infinity, and at most :data:`MAX_DEPTH` levels deep. An
unexpected error is logged with a reference and answers 500 with the same body, never a traceback.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from raschet.api.routers import accounts, documents, money, readings
from raschet.api.throttle import CallerRateThrottle
from raschet.claims.api import router as claims_router
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.jsonio import load_json
from raschet.exchange.qr import QrError
from raschet.payments.api import router as payments_router
from raschet.web.errors import status_of

API_DESCRIPTION = (
    "Токен пользователя — в заголовке «Authorization: Bearer …» (raschet api token create --user ЛОГИН); "
    "права — роли пользователя; абонент видит только свои лицевые счета. Ключ интеграции — в X-Api-Key. "
    "Ошибки: {\"errors\": [{\"code\", \"message\", \"subject\"}]}.")
CSRF_REASON = ("запрос по сессии браузера без CSRF-токена: передайте значение cookie csrftoken в заголовке "
               "X-CSRFToken (или используйте токен API)")
MAX_DEPTH = 32
MAX_BODY = 1_000_000
log = logging.getLogger("raschet.api")


def parse_json(data: bytes, subject: str = "body") -> object:
    """The request body as JSON with Decimal numbers; a problem (never a parser exception) otherwise."""
    if len(data) > MAX_BODY:
        raise ProblemsError([problem("invalid_structure", subject, reason=f"тело запроса больше {MAX_BODY} байт")])
    return load_json(data, subject, MAX_DEPTH)


class DecimalParser(Parser):
    def parse_body(self, request):
        return parse_json(request.body)


api = NinjaAPI(title="Расчёт API", version="1", urls_namespace="api", parser=DecimalParser(),
               throttle=[CallerRateThrottle()], description=API_DESCRIPTION)
for router in (accounts.router, readings.router, money.router, documents.router, payments_router, claims_router):
    api.add_router("/", router)
api.add_router("/", "raschet.controller.api.router")


def _answer(request, problems: list[Problem], status: int | None = None):
    body = {"errors": [p.as_dict() for p in problems]}
    return api.create_response(request, body, status=status or status_of(problems[0].code))


@api.exception_handler(ProblemsError)
def problems(request, error: ProblemsError):
    return _answer(request, error.problems)


@api.exception_handler(QrError)
def bad_qr(request, error: QrError):
    return api.create_response(request, {"errors": [{"code": "invalid_qr", "message": str(error), "subject": "payload"}]},
                               status=400)


def _validation_problem(item: dict) -> Problem:
    places = ("body", "payload", "query", "path", "header")
    loc = [str(part) for part in item.get("loc", ())]
    where = loc[0] if loc and loc[0] in places[2:] else "body"
    location = [part for part in loc if part not in places]
    subject = f"{where}." + ".".join(location) if location else where
    field = location[-1] if location else "body"
    kind = str(item.get("type", ""))
    if kind == "missing":
        return problem("missing_field", subject, field=field)
    if kind.startswith("date"):
        return problem("invalid_date", subject, value=str(item.get("input", "")), field=field)
    message = str(item.get("msg", "")).removeprefix("Value error, ")
    reason = message if kind == "value_error" else f"неверный тип или формат значения ({kind})"
    return problem("invalid_value", subject, value=str(item.get("input", ""))[:60], field=field, reason=reason)


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    return _answer(request, [_validation_problem(item) for item in error.errors], status=422)


@api.exception_handler(Throttled)
def throttled(request, error: Throttled):
    seconds = max(1, round(error.wait or 1))
    rate = getattr(settings, "RASCHET_API_RATE", "")
    return _answer(request, [problem("rate_limited", request.path, rate=rate, seconds=seconds)], status=429)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, error: AuthenticationError):
    return _answer(request, [problem("unauthenticated", request.path)], status=401)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    if isinstance(error.__cause__, ProblemsError):  # the body parser's refusal, wrapped by ninja
        return _answer(request, error.__cause__.problems)
    if error.status_code == 403 and "CSRF" in str(error):  # a session request without the page's CSRF token
        return _answer(request, [problem("invalid_structure", "header.X-CSRFToken", reason=CSRF_REASON)], status=403)
    return _answer(request, [problem("invalid_structure", request.path, reason=str(error))], status=error.status_code)


@api.exception_handler(Exception)
def unexpected(request, error: Exception):
    reference = uuid.uuid4().hex[:12]
    log.exception("API %s %s failed (reference %s)", request.method, request.path, reference)
    return _answer(request, [problem("internal_error", request.path, reference=reference)], status=500)
