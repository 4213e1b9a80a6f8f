"""A real Chromium (Debian's) driven by Playwright against the live test server."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Quiet flags: this machine has no network beyond localhost, and Chromium must not try.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def media_from_the_app(monkeypatch):
    """Django's test server would answer /media/ itself (whole files only): let the app's own
    media view answer, as it does in production."""
    from django.test import testcases

    monkeypatch.setattr(testcases._MediaFilesHandler, "_should_handle", lambda self, path: False)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def phone_page(browser, base_url: str, **options):
    """An iPhone-sized viewport with touch, as a prospect opening a link from their email;
    `options` add to the context (a `timezone_id`, say). Close its context when done."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def phone(browser, live_server):
    page = phone_page(browser, live_server.url)
    yield page
    page.context.close()


def sign_in(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def wait_until(page, expression: str, timeout_ms: int = 15_000) -> None:
    """Wait until a JavaScript expression is true in the page. Playwright's wait_for_function
    polls through eval, which the Content-Security-Policy forbids; page.evaluate does not."""
    waited = 0
    while not page.evaluate(expression):
        if waited >= timeout_ms:
            raise AssertionError(f"Still not true after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)
        waited += 50


def htmx_settled(page) -> None:
    """Wait until htmx has no request in flight and has wired up what it swapped in (it does
    so a moment after the swap; a test is quicker than any person)."""
    wait_until(
        page,
        "() => window.htmx && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')",
    )
