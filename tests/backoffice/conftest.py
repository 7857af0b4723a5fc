"""Fixtures of the back office tests: the one-account scenario, its month closed, users in each role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from raschet.billing.services import calculate_period, close_period
from raschet.domain.periods import Period
from raschet.scenarios.loader import load_scenario, read_scenario


@pytest.fixture
def world(scenario_path):
    """Account 1000000001 with cold water by the meter: 383.52 ₽ for 2026-03 once calculated."""
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))


@pytest.fixture
def charged(world):
    """March 2026 calculated and closed: the account owes 383.52 ₽ for 2026-03."""
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


@pytest.fixture
def member():
    """``member(role, login=...)``: a user in the role's group (permissions read afresh)."""

    def make(role: str, login: str | None = None):
        login = login or f"user-{Group.objects.get(name=role).pk}"
        user = get_user_model().objects.create_user(login, f"{login}@example.invalid", "pw-for-tests-7")
        user.groups.add(Group.objects.get(name=role))
        return get_user_model().objects.get(pk=user.pk)

    return make
