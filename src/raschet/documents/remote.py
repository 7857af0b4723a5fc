"""The entry point of a batch unit in a worker process: importable before Django is set up."""

from __future__ import annotations

from datetime import date


def remote_unit(url: str, batch_id: int, number: int, issued_on: date, user_id: int | None) -> dict:
    """``documents.batches.run_unit`` in this process, on the database at ``url``."""
    from raschet.billing.remote import use_database

    use_database(url)
    from django.db import connection

    from raschet.documents.batches import run_unit

    try:
        return run_unit(batch_id, number, issued_on, user_id)
    finally:
        connection.close()  # a worker keeps no idle connection between units
