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
