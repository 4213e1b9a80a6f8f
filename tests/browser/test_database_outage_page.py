"""A prospect opens their wizard link while the database is unreachable: a calm page says to
come back in a moment (503), at laptop and phone sizes; once the database is back, the same
link opens their wizard.

With SCREENSHOT_DIR set, the page is saved there at both sizes."""

import os
from pathlib import Path

import pytest

from tests.factories import ContactFactory, ProspectFactory, WizardLinkFactory
from tests.outages import needs_redis_server, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_redis_server,
    pytest.mark.timeout(240),
]

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


def test_a_prospect_meets_a_calm_page_during_a_database_outage_and_their_wizard_after(
    browser, workspace, web_behind_a_database_proxy, database_proxy
):
    web = web_behind_a_database_proxy
    prospect = ProspectFactory(workspace=workspace, name="Mercury")
    ContactFactory(prospect=prospect)
    link = WizardLinkFactory(prospect=prospect)
    base = web.start_web()
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)

    database_proxy.cut()
    pages = {}
    for size, (width, height) in SIZES.items():
        context = browser.new_context(base_url=base, viewport={"width": width, "height": height})
        page = context.new_page()
        response = page.goto(f"/w/{link.token}/")
        assert response is not None and response.status == 503
        assert response.headers["retry-after"]
        page.get_by_role("heading", name="Back in a moment").wait_for()
        page.get_by_text("Please try again in a minute.").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if shots:
            page.screenshot(path=f"{shots}/database-outage-{size}.png")
        pages[size] = page

    database_proxy.restore()
    wait_until(lambda: web.get(f"{base}/readyz")[0] == 200, seconds=30, what="readiness")
    phone = pages["phone"]
    phone.reload()
    phone.get_by_role("heading", name="Hi Mercury team").wait_for()
    for page in pages.values():
        page.context.close()
