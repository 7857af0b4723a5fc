"""Shared fixtures: paths of scenario files, a subprocess's view of the test database, and the flush
that empties a test database past the history guards."""

from contextlib import contextmanager
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


@pytest.fixture(scope="session", autouse=True)
def _static_files_by_their_names():
    """Static files by their plain names, as the live server's handler finds them, even when the
    checkout's var/static holds a manifest from a demo run (hashed names are production's)."""
    from django.conf import settings
    from django.test import override_settings

    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        yield


@pytest.fixture(scope="session", autouse=True)
def _flush_unlocks_history():
    """Tests that commit are emptied afterwards by Django's flush, which the history guards refuse
    (billing.guards): the flush alone is let through, by the ways only the test suite takes — on
    SQLite the connection defines ``raschet_history_unlocked()`` returning 1 for the flush, on
    PostgreSQL a superuser's ``session_replication_role = replica`` lifts the TRUNCATE guards."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    flush = BaseDatabaseOperations.execute_sql_flush

    def unlocked_flush(self, sql_list):
        with history_unlocked(self.connection):
            _drop_unattached_run_tables(self.connection)
            flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = unlocked_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = flush


def _drop_unattached_run_tables(connection) -> None:
    """A run stopped by a test before it ended leaves its own table of lines (billing.partitions),
    which Django's flush does not know of and whose keys would refuse the TRUNCATE of what they name."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname ~ '^billing_chargeline_r[0-9]+$' "
                       "AND relkind = 'r' AND NOT relispartition")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE {name}")


@contextmanager
def history_unlocked(connection):
    """Only for emptying a test database: the guards of history lifted on this connection."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_function("raschet_history_unlocked", 0, lambda: 1)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            connection.connection.create_function("raschet_history_unlocked", 0, lambda: 0)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def unlock_history():
    """``history_unlocked`` for a test that must empty history itself (between Hypothesis examples)."""
    return history_unlocked


@pytest.fixture(autouse=True, scope="session")
def _plain_http_in_tests():
    """Production settings redirect HTTP to HTTPS; the test client and live servers speak plain HTTP.

    Session-wide and before any other session fixture: the live server of the browser tests reads
    the setting once, when its middleware is built."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
