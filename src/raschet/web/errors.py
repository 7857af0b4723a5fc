"""Problem codes mapped to HTTP statuses: one table for the API and the UI (STYLE.md §6)."""

from __future__ import annotations

HTTP_STATUS = {
    "forbidden": 403,
    "foreign_route": 403,
    "unauthenticated": 401,
    "rate_limited": 429,
    "internal_error": 500,
    "unknown_reference": 404,
    "duplicate": 409,
    "idempotency_conflict": 409,
    "period_closed": 409,
    "period_not_calculated": 409,
    "not_supported": 501,
}
DEFAULT_STATUS = 400


def status_of(code: str) -> int:
    return HTTP_STATUS.get(code, DEFAULT_STATUS)
