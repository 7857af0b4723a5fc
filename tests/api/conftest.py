"""A small generated region for the API tests, loaded once: two months (the first closed
and paid through a bank registry, the second posted), a payment document of two accounts, and the
callers — an operator, a cashier, two subscribers each linked to one account, a user whose link is
not confirmed, and their tokens. Built once for the package (emptied after it); each test runs in a
transaction rolled back after it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from raschet.api.models import ApiToken
from raschet.billing.services import post_period
from raschet.documents.services import issue_account
from raschet.domain.periods import Period
from raschet.generators.history import calculate_year
from raschet.generators.region import RegionSpec, load_region
from raschet.housing.models import Account
from raschet.portal.models import AccountLink

PERIOD = Period(2026, 11)


@dataclass
class World:
    period: Period
    mine: str  # the first subscriber's account
    theirs: str  # the second subscriber's account
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"}


def _group(name: str, *codenames: str) -> Group:
    group = Group.objects.create(name=name)
    for qualified in codenames:
        app, codename = qualified.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return group


def _users(world: World) -> None:
    users = get_user_model().objects
    operators = _group("Операторы", "housing.view_account", "metering.add_reading", "access.take_payment")
    cashiers = _group("Кассиры", "access.take_payment")
    accounts = {a.number: a for a in Account.objects.filter(number__in=[world.mine, world.theirs])}
    for login, group, linked, confirmed in (("operator", operators, None, True), ("cashier", cashiers, None, True),
                                            ("subscriber", None, world.mine, True),
                                            ("other", None, world.theirs, True),
                                            ("unconfirmed", None, world.theirs, False)):
        user = users.create_user(login, password="x-password-1")
        if group:
            user.groups.add(group)
        if linked:
            AccountLink.objects.create(user=user, account=accounts[linked],
                                       confirmed_at=timezone.now() if confirmed else None)
        world.tokens[login] = ApiToken.issue(user, "tests")[1]
    revoked, secret = ApiToken.issue(users.get(username="subscriber"), "revoked")
    revoked.revoke()
    world.tokens["revoked"] = secret


def build_world() -> World:
    spec = RegionSpec(accounts=12, seed=7, last_period=PERIOD, months=2)
    load_region(spec, show_progress=False)
    calculate_year(spec, show_progress=False)
    post_period(period=PERIOD)
    numbers = list(Account.objects.order_by("number").values_list("number", flat=True)[:2])
    world = World(PERIOD, *numbers)
    for number in numbers:
        issue_account(account_number=number, period=PERIOD)
    _users(world)
    return world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The region, built once for the package inside one transaction that is rolled back after it:
    a flush would also wipe the rows the migrations seed (key rates, rules, roles) for the tests
    that run after these in the same worker."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    """The tests make many requests with one token; the rate limit has its own test."""
    settings.RASCHET_API_RATE = "100000/m"
    cache.clear()
