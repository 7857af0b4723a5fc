"""Dated characteristics edited from the card: a new version from a date, the old one never overwritten."""

from datetime import date
from decimal import Decimal

import pytest

from raschet.domain.errors import ProblemsError
from raschet.housing.models import PremisesArea, ResidentCount
from raschet.housing.services import set_area, set_residents

pytestmark = pytest.mark.django_db


def test_a_new_area_ends_the_old_one_on_its_date(make_account, admin_user):
    account = make_account("ул. Лесная, д. 1", "1")
    PremisesArea.objects.create(premises=account.premises, value=Decimal("50"), valid_from=date(2020, 1, 1))
    set_area(premises=account.premises, value=Decimal("54.3"), valid_from=date(2026, 5, 1), actor=admin_user)
    rows = list(PremisesArea.objects.order_by("valid_from").values_list("value", "valid_from", "valid_to"))
    assert rows == [(Decimal("50"), date(2020, 1, 1), date(2026, 5, 1)), (Decimal("54.3"), date(2026, 5, 1), None)]


def test_a_version_in_the_middle_keeps_the_later_ones(make_account, admin_user):
    account = make_account("ул. Лесная, д. 1", "1")
    ResidentCount.objects.create(account=account, count=2, valid_from=date(2020, 1, 1), valid_to=date(2026, 1, 1))
    ResidentCount.objects.create(account=account, count=4, valid_from=date(2026, 1, 1))
    set_residents(account=account, count=3, valid_from=date(2025, 6, 1), actor=admin_user)
    rows = list(ResidentCount.objects.order_by("valid_from").values_list("count", "valid_from", "valid_to"))
    assert rows == [(2, date(2020, 1, 1), date(2025, 6, 1)), (3, date(2025, 6, 1), date(2026, 1, 1)),
                    (4, date(2026, 1, 1), None)]


def test_the_same_date_twice_is_refused_not_overwritten(make_account, admin_user):
    account = make_account("ул. Лесная, д. 1", "1")
    set_residents(account=account, count=3, valid_from=date(2026, 5, 1), actor=admin_user)
    with pytest.raises(ProblemsError) as error:
        set_residents(account=account, count=5, valid_from=date(2026, 5, 1), actor=admin_user)
    assert "прежнее не затирается" in error.value.problems[0].message
    assert list(ResidentCount.objects.values_list("count", flat=True)) == [3]


def test_the_change_needs_its_permission(make_account, django_user_model):
    account = make_account("ул. Лесная, д. 1", "1")
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1234")
    with pytest.raises(ProblemsError) as error:
        set_area(premises=account.premises, value=Decimal("40"), valid_from=date(2026, 5, 1), actor=clerk)
    assert error.value.problems[0].code == "forbidden"
