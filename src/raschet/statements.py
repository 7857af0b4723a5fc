"""Statements that requests run over and over, prepared on the PostgreSQL connection.

Through Django's cursor every statement reaches PostgreSQL as new text to parse and plan — for one on
the partitioned ledger the planning is most of its server time, and a REST API call is a handful of
such statements (bench/api.py: 1.8 ms of PostgreSQL CPU per call). :func:`fetch` binds the parameters
on the server and prepares the statement on the connection the first time it is run, so later runs
only execute it. On SQLite it is Django's cursor. The SQL uses ``%s`` placeholders either way; the
statement runs in the caller's transaction, on Django's connection.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """The rows of ``sql`` run with ``params``."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def fetch_one(sql: str, params: Sequence = ()) -> tuple | None:
    """The first row of ``sql``, or None."""
    rows = fetch(sql, params)
    return rows[0] if rows else None
