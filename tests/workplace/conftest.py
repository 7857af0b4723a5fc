"""Small address funds made through the ORM for the workplace's tests."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from raschet.housing.models import Account, Building, Premises


@pytest.fixture
def make_account():
    counter = iter(range(1, 10_000))

    def make(address: str, flat: str, payer: str = "Иванов Иван Иванович", phone: str = "",
             number: str | None = None) -> Account:
        building, _ = Building.objects.get_or_create(address=address, defaults={
            "code": "b-" + hashlib.md5(address.encode()).hexdigest()[:30], "total_area": Decimal("1000")})
        premises, _ = Premises.objects.get_or_create(building=building, number=flat)
        return Account.objects.create(number=number or f"77{next(counter):06d}", premises=premises, payer=payer,
                                      phone=phone, opened=date(2025, 1, 1))

    return make
