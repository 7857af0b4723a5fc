"""Acceptance: each role is refused what it may not do with the Russian 403 page in the layout, and its
navigation offers only its own sections."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from raschet.access import roles

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = {  # role → (a page it may not open, the right named on the 403 page, a section it does see)
    roles.CASHIER: ("/office/periods/", "Рассчитывать период", "Касса"),
    roles.OPERATOR: ("/cash/", "Принимать оплату", "Отчёты"),
    roles.ACCOUNTANT: ("/cash/", "Принимать оплату", "Периоды и расчёт"),
    roles.DEBT_OFFICER: ("/office/payments/", "Загружать реестры платежей банков", "Отчёты"),
    roles.CONTROLLER: ("/office/reports/", "Смотреть отчёты", "Поиск"),
}


@pytest.mark.parametrize("role", list(REFUSED), ids=["cashier", "operator", "accountant", "debt_officer", "controller"])
def test_each_role_sees_a_russian_403_page_for_what_it_may_not_do(role, page, live_server, client, screenshot):
    user = get_user_model().objects.create_user("worker", first_name="Пётр", last_name="Работников")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    forbidden, right, section = REFUSED[role]
    answer = page.goto(forbidden)
    assert answer.status == 403
    text = page.inner_text("#forbidden")
    assert f"У вас нет права «{right}" in text and "обратитесь к администратору" in text
    navigation = page.inner_text(".sidenav")
    assert section in navigation
    screenshot()
