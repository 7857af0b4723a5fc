"""The entry point of a unit in another process (a local worker or a Dask worker): importable before
Django is set up, which it does on first use, on the database URL the task carries."""

from __future__ import annotations

import os

_configured_url: str | None = None


def use_database(url: str) -> None:
    """Set up Django in this process on ``url`` (once), or point an already set-up process at it."""
    global _configured_url
    if _configured_url == url:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raschet.web.settings")
    os.environ["RASCHET_DATABASE_URL"] = url
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    else:
        import dj_database_url
        from django.db import connection

        connection.close()
        connection.settings_dict.update(dj_database_url.parse(url))
    _configured_url = url


def remote_unit(url: str, run_id: int, number: int) -> dict:
    """``billing.units.execute_unit`` in this process, on the database at ``url``."""
    use_database(url)
    from django.db import connection

    from raschet.billing.units import execute_unit

    try:
        return execute_unit(run_id, number)
    finally:
        connection.close()  # a worker keeps no idle connection between units
