"""The workplace layout in a real browser: signing in, the navigation, and the API docs offline."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_signs_in_through_the_russian_form_and_lands_in_the_layout(page, live_server, django_user_model,
                                                                             screenshot):
    django_user_model.objects.create_user("operator", password="pw-operator-1", first_name="Анна",
                                          last_name="Петрова")
    page.goto("/search/")
    assert "/login/" in page.url
    page.fill("#id_username", "operator")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "правильные имя пользователя и пароль" in page.inner_text(".error")
    screenshot("refused")
    page.fill("#id_password", "pw-operator-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#top-search")
    assert page.url.endswith("/search/")
    assert "Анна Петрова" in page.inner_text(".who")
    assert page.inner_text(".sidenav a.active") == "Поиск / Лицевые счета"
    styles = page.evaluate("getComputedStyle(document.querySelector('.topbar')).display")
    assert styles == "flex"  # the workplace's own stylesheet was served and applied
    screenshot("signed-in")
    page.click("text=Выйти")
    page.wait_for_selector("#id_username")


def test_api_docs_render_offline_for_a_signed_in_user(signed_in, live_server, screenshot):
    page = signed_in
    outside = []

    def only_the_live_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_live_server)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Расчёт API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")
    assert outside == []
    screenshot()
