"""The REST API with its OpenAPI schema (/api/v1/docs): every app's router, one error mapping."""

from __future__ import annotations

from ninja import NinjaAPI

from raschet.claims.api import router as claims_router
from raschet.domain.errors import ProblemsError
from raschet.exchange.qr import QrError
from raschet.payments.api import router as payments_router
from raschet.web.errors import status_of

api = NinjaAPI(title="Расчёт API", version="1", urls_namespace="api")
api.add_router("/", payments_router)
api.add_router("/", claims_router)


@api.exception_handler(ProblemsError)
def problems(request, error: ProblemsError):
    body = {"errors": [p.as_dict() for p in error.problems]}
    return api.create_response(request, body, status=status_of(error.problems[0].code))


@api.exception_handler(QrError)
def bad_qr(request, error: QrError):
    return api.create_response(request, {"errors": [{"code": "invalid_qr", "message": str(error), "subject": "payload"}]},
                               status=400)
