"""The error answers every operation documents: the one body of ``raschet.web.api`` for 401, 403,
404, 422 and 429, so a client (and the schema fuzzer) knows them from the schema."""

from __future__ import annotations

from ninja import Schema


class ProblemOut(Schema):
    code: str
    message: str
    subject: str


class ErrorsOut(Schema):
    errors: list[ProblemOut]


ERRORS = {code: ErrorsOut for code in (400, 401, 403, 404, 409, 422, 429)}


def answers(**ok) -> dict:
    """The responses of an operation: its own (status → schema) and the error ones."""
    return {**ERRORS, **{int(status.removeprefix("s")): schema for status, schema in ok.items()}}
