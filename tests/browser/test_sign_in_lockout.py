"""A person who keeps typing the wrong password is told, on a laptop and on a phone, that signing
in is paused and until when; the page fits both screens."""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("size", SIZES)
def test_wrong_passwords_pause_signing_in_with_a_clear_message(browser, live_server, alice, size):
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    for attempt in range(5):
        page.fill("#id_username", "alice")
        page.fill("#id_password", f"guess {attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if attempt < 4:
            page.get_by_text("That username and password do not match.").wait_for()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "Too many wrong passwords."
    assert "paused for 15 minutes" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if os.environ.get("SCREENSHOT_DIR"):
        shots = Path(os.environ["SCREENSHOT_DIR"])
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"sign-in-locked-{size}.png"), full_page=True)

    # Back to the sign-in page: even the right password waits for the pause to end.
    page.get_by_role("link", name="Back to sign in").click()
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.get_by_role("alert").wait_for()
    assert "/accounts/login/" in page.url
    context.close()
