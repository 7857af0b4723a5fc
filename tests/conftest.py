"""Shared fixtures: paths of scenario files."""

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def scenario_path():
    return lambda name: SCENARIOS / name
