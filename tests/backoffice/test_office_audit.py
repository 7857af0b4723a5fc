"""The audit trail: a change of an account, its premises' area or its meter's reading is kept with who
did it, and ``history_of`` gathers them for the account's card."""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from raschet.backoffice.audit import history_of
from raschet.housing.models import Account, PremisesArea

pytestmark = pytest.mark.django_db


def test_changes_of_the_account_and_its_premises_are_in_its_history(world):
    clerk = get_user_model().objects.create_user("clerk", first_name="Анна", last_name="Петрова")
    account = Account.objects.get(number="1000000001")
    with set_actor(clerk):
        account.phone = "+79990001122"
        account.save()
        PremisesArea.objects.create(premises=account.premises, valid_from=date(2026, 5, 1), value=Decimal("54.10"))
    changes = history_of(account)
    edited = next(c for c in changes if c.action == "изменено")
    assert edited.user == "Анна Петрова" and ("телефон", "—", "+79990001122") in edited.fields
    assert any(c.action == "создано" and c.subject.startswith("площадь") for c in changes)
    page = render_to_string("backoffice/_audit.html", {"changes": changes})
    assert "Изменения" in page and "+79990001122" in page and "Анна Петрова" in page


def test_an_account_without_changes_shows_that_none_are_recorded(world):
    other = Account.objects.get(number="1000000001")
    from auditlog.models import LogEntry

    LogEntry.objects.all().delete()
    assert history_of(other) == []
    assert "Изменений не записано" in render_to_string("backoffice/_audit.html", {"changes": []})


def test_the_card_has_a_changes_tab_with_who_changed_what(client, world):
    operator = get_user_model().objects.create_superuser("operator", first_name="Иван", last_name="Операторов")
    client.force_login(operator)
    account = Account.objects.get(number="1000000001")
    with set_actor(operator):
        account.phone = "+79990003344"
        account.save()
    page = client.get("/accounts/1000000001/?tab=audit").content.decode()
    assert "Изменения" in page and "+79990003344" in page and "Иван Операторов" in page
    fragment = client.get("/accounts/1000000001/tab/audit/").content.decode()
    assert 'id="audit"' in fragment and "телефон" in fragment
