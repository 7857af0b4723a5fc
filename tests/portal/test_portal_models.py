"""The account link: one link per user and account, confirmed or not."""

import pytest
from django.db import IntegrityError, transaction

from raschet.portal.models import AccountLink
from raschet.scenarios.loader import load_scenario, read_scenario

pytestmark = pytest.mark.django_db


def test_a_user_links_an_account_once(scenario_path, django_user_model):
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    from raschet.housing.models import Account

    account = Account.objects.get(number="1000000001")
    user = django_user_model.objects.create_user("abonent", "a@example.invalid", "pw-long-enough")
    link = AccountLink.objects.create(user=user, account=account)
    assert not link.confirmed and link.created_at is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountLink.objects.create(user=user, account=account)
    assert list(user.account_links.values_list("account__number", flat=True)) == ["1000000001"]
