"""Fixtures of the controller tests: a controller with the role's permission and their walk."""

from datetime import date

import pytest
from django.utils import timezone

from raschet.controller.demo import demo_walk, grant_walk

TODAY = date(2026, 3, 20)


@pytest.fixture
def controller(django_user_model):
    user = django_user_model.objects.create_user("kontroler", password="pw", first_name="Пётр", last_name="Обходов")
    grant_walk(user)
    return django_user_model.objects.get(pk=user.pk)  # a fresh object: the permission cache is empty


@pytest.fixture
def walk(controller):
    """The controller's route; ``sheet_taken_at``: a moment after its readings were entered (their
    ``entered_at`` is the real clock's), as the phone's sheet would carry."""
    route = demo_walk(controller, today=TODAY)
    route.sheet_taken_at = timezone.now()
    return route
