"""Fixtures of the browser tests: one Chromium per module, a fresh page per test on the live
server, logging in through the login screen, and screenshots into docs/screenshots/.

Playwright's sync API keeps an asyncio loop running in the test thread, which makes Django refuse
ORM calls there (``SynchronousOnlyOperation``); while a browser is open the module allows them
(``DJANGO_ALLOW_ASYNC_UNSAFE``), as the test thread is the only one touching its connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.browser.chromium import ARGS, CHROMIUM, PASSWORD, SCREENSHOTS, VIEWPORT


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator[object]:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def log_in(page) -> Callable[[str], None]:
    """``log_in(username)``: through the login screen, with the persona's password."""

    def action(username: str, password: str = PASSWORD) -> None:
        page.goto("/entrar/")
        page.get_by_label("Usuário").fill(username)
        page.get_by_label("Senha").fill(password)
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_url("**/titulos/")

    return action


@pytest.fixture
def shoot(page) -> Callable[..., None]:
    """``shoot(name)`` writes <SCREENSHOTS>/<name>.png (1280 wide, full page by default)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def action(name: str, *, full_page: bool = True) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return action
