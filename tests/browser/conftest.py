"""Browser tests: Playwright driving Debian's headless Chromium against Django's live server.

Fixtures every browser test uses:

* ``browser`` — one Chromium per test module (starting it costs about a second), the system's
  ``chromium`` binary: Playwright's own browser download is not available here;
* ``page`` — a fresh browser context and page per test, so cookies never leak between tests;
* ``signed_in`` — the page logged in as a superuser through a session cookie (no login form
  round trip), for tests of pages behind ``login_required``;
* ``screenshot`` — saves the page as ``var/screenshots/<test name>[-<label>].png`` (git-ignored),
  for a person to look at what the test saw.

Playwright's synchronous API keeps an event loop running in the test's thread for as long as
it is started, and Django refuses database access from a thread with a running loop.  The
browser tests themselves are synchronous, so that guard is lifted while the browser runs, and
the browser lives for one module only: when pytest moves to another module it is stopped, the
loop is gone, and the guard is back for every other test.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Для браузерных тестов нужен chromium: запустите scripts/setup (apt-get install chromium).")
    guard = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            yield chromium
            chromium.close()
    finally:
        if guard is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = guard


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def signed_in(page, live_server, django_user_model, client):
    """The page with a logged-in superuser; returns the page."""
    user = django_user_model.objects.create_superuser("browser", "browser@example.invalid", "pw")
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


@pytest.fixture
def screenshot(page, request):
    """``screenshot(label="")`` saves the page and returns the file's path."""

    def take(label: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name) + (f"-{label}" if label else "")
        database = os.environ.get("RASCHET_DATABASE_URL", "sqlite").split(":", 1)[0]
        path = SCREENSHOTS / f"{name}-{database}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
