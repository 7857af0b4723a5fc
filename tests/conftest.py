"""Shared fixtures: paths of scenario files."""

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def scenario_path():
    return lambda name: SCENARIOS / name


@pytest.fixture
def live_database_env(transactional_db):
    """Environment for a subprocess that must see this test's database (committed data only)."""
    import os

    from django.db import connection

    settings_dict = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key != "RASCHET_DATABASE_URL"}
    if connection.vendor == "sqlite":
        name = settings_dict["NAME"]
        if "memory" in str(name) or not name:
            pytest.skip("the SQLite test database lives in memory: a subprocess cannot see it")
        env["RASCHET_DATABASE_URL"] = f"sqlite:///{name}"
    else:
        user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
        env["RASCHET_DATABASE_URL"] = f"postgresql://{user}@{host}:{port}/{settings_dict['NAME']}"
    return env


@pytest.fixture(autouse=True)
def _unlock_ledger_before_flush(request):
    """Tests that commit are emptied afterwards by deleting every row; the ledger's triggers refuse
    deletion, so such tests unlock it at the very end (SQLite; PostgreSQL empties with TRUNCATE)."""
    marker = request.node.get_closest_marker("django_db")
    committing = "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if not committing:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:  # locked while the test runs
        cursor.execute("DELETE FROM billing_ledger_unlock")
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO billing_ledger_unlock (id) VALUES (1)")


@pytest.fixture(autouse=True, scope="session")
def _plain_http_in_tests():
    """Production settings redirect HTTP to HTTPS; the test client and live servers speak plain HTTP.

    Session-wide and before any other session fixture: the live server of the browser tests reads
    the setting once, when its middleware is built."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
