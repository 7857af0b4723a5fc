"""The admin's inline lists of dated rows read as step series (housing/forms.py): adding «4 from 11.04»
under an open «3 since 2020» closes the earlier row in the same save, as a scenario's list would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.forms import inlineformset_factory

from raschet.housing.forms import StepInlineFormSet
from raschet.housing.models import Account, Building, Premises, PremisesArea, ResidentCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    building = Building.objects.create(code="B1", address="г. Энск, ул. Ленина, д. 1", total_area=Decimal("5000"),
                                       common_area=Decimal("1200"))
    premises = Premises.objects.create(building=building, number="1", kind="residential")
    PremisesArea.objects.create(premises=premises, valid_from=date(2020, 1, 1), value=Decimal("60"))
    account = Account.objects.create(number="1000000001", premises=premises, payer="Иванов И. И.",
                                     opened=date(2020, 1, 1))
    ResidentCount.objects.create(account=account, valid_from=date(2020, 1, 1), count=3)
    return account


Residents = inlineformset_factory(Account, ResidentCount, formset=StepInlineFormSet,
                                  fields=("valid_from", "valid_to", "count"), extra=1)


def residents_form(account, rows: list[tuple[str, str, int]], existing: list[ResidentCount]):
    data = {"resident_counts-TOTAL_FORMS": str(len(rows)), "resident_counts-INITIAL_FORMS": str(len(existing)),
            "resident_counts-MIN_NUM_FORMS": "0", "resident_counts-MAX_NUM_FORMS": "1000"}
    for i, (start, end, count) in enumerate(rows):
        data.update({f"resident_counts-{i}-valid_from": start, f"resident_counts-{i}-valid_to": end,
                     f"resident_counts-{i}-count": str(count), f"resident_counts-{i}-account": str(account.pk)})
        if i < len(existing):
            data[f"resident_counts-{i}-id"] = str(existing[i].pk)
    return Residents(data, instance=account, prefix="resident_counts")


def stored(account) -> list[tuple]:
    return list(ResidentCount.objects.filter(account=account).order_by("valid_from").values_list(
        "valid_from", "valid_to", "count"))


def test_a_new_step_closes_the_open_row_in_the_same_save(account):
    old = list(ResidentCount.objects.filter(account=account))
    formset = residents_form(account, [("2020-01-01", "", 3), ("2026-04-11", "", 4)], old)
    assert formset.is_valid(), (formset.errors, formset.non_form_errors())
    formset.save()
    assert stored(account) == [(date(2020, 1, 1), date(2026, 4, 11), 3), (date(2026, 4, 11), None, 4)]


def test_the_same_start_twice_or_an_end_past_the_next_start_is_refused(account):
    old = list(ResidentCount.objects.filter(account=account))
    same = residents_form(account, [("2020-01-01", "", 3), ("2020-01-01", "", 4)], old)
    assert not same.is_valid()
    assert "начинаются в один день 01.01.2020" in " ".join(same.non_form_errors())
    past = residents_form(account, [("2020-01-01", "2026-06-01", 3), ("2026-04-11", "", 4)], old)
    assert not past.is_valid()
    assert "[01.01.2020; 01.06.2026) и [11.04.2026; …)" in " ".join(past.non_form_errors())
    assert stored(account) == [(date(2020, 1, 1), None, 3)]


def test_a_single_row_form_still_refuses_an_overlap_with_a_stored_row(account):
    """Outside an inline the other rows are not being edited: an open row is open-ended there."""
    row = ResidentCount(account=account, valid_from=date(2026, 4, 11), count=4)
    with pytest.raises(Exception, match="пересекаются"):
        row.full_clean()


def test_the_premises_page_saves_an_area_step(client, account):
    user = get_user_model().objects.create_superuser("admin", "a@example.invalid", "pw-for-tests")
    client.force_login(user)
    premises, area = account.premises, account.premises.areas.get()
    data = {"building": premises.building_id, "number": "1", "kind": "residential", "meter_possible": "on",
            "areas-TOTAL_FORMS": "2", "areas-INITIAL_FORMS": "1", "areas-MIN_NUM_FORMS": "0",
            "areas-MAX_NUM_FORMS": "1000", "areas-0-id": str(area.pk), "areas-0-premises": str(premises.pk),
            "areas-0-valid_from": "01.01.2020", "areas-0-valid_to": "", "areas-0-value": "60",
            "areas-1-premises": str(premises.pk), "areas-1-valid_from": "16.04.2026", "areas-1-valid_to": "",
            "areas-1-value": "62.5",
            "accounts-TOTAL_FORMS": "1", "accounts-INITIAL_FORMS": "1", "accounts-MIN_NUM_FORMS": "0",
            "accounts-MAX_NUM_FORMS": "1000", "accounts-0-id": str(account.pk), "accounts-0-premises": str(premises.pk),
            "accounts-0-number": account.number, "accounts-0-payer": account.payer, "accounts-0-share": "1",
            "accounts-0-opened": "01.01.2020", "accounts-0-closed": ""}
    response = client.post(f"/admin/housing/premises/{premises.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(premises.areas.order_by("valid_from").values_list("valid_to", "value")) == [
        (date(2026, 4, 16), Decimal("60.0000")), (None, Decimal("62.5000"))]
