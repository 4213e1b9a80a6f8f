"""Every page a rep uses to create and edit records, work the deal board and the task queue fits
a laptop (1280x800) and a phone (390x844): nothing runs off the side of the page, and on a phone
the menu folds away under its button.

With SCREENSHOT_DIR set, each page is also saved there as a PNG at both sizes, to look at."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from outreach.models import CallOutcome, OutreachLog
from tests.browser.conftest import sign_in
from tests.factories import (
    ContactFactory,
    DealFactory,
    OutreachLogFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
    TouchTaskFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


def a_working_workspace(workspace, alice, bob) -> dict[str, int]:
    """A prospect with long names and addresses, a pipeline with deals in every stage, and a
    rep's queue: what the pages look like in use."""
    tags = [
        TagFactory(workspace=workspace, name=name, color=color)
        for name, color in [("fintech", "#4f46e5"), ("enterprise", "#16a34a"), ("hot", "#dc2626")]
    ]
    stripe = ProspectFactory(
        workspace=workspace,
        name="Stripe",
        domain="stripe.com",
        owner=bob,
        status="ENGAGED",
        tags=tags[:2],
    )
    people = [
        ("Patricia", "Collison-Whitfield", "Head of Revenue Operations, EMEA", "+1 415 555 0134"),
        ("Jamie", "Rivera", "VP Sales", "+44 20 7946 0958"),
        ("Alexandra", "Konstantinopoulou", "Director of Partnerships", ""),
    ]
    contacts = [
        ContactFactory(
            prospect=stripe,
            first_name=first,
            last_name=last,
            title=title,
            phone=phone,
            email=f"{first.lower()}.{last.lower()}@payments.stripe.com",
            tags=tags[2:],
        )
        for first, last, title, phone in people
    ]
    sales = PipelineFactory(
        workspace=workspace,
        name="Sales",
        stages=["Qualification", "Discovery", "Proposal", "Negotiation", "Closed won"],
    )
    stages = list(sales.stages.order_by("position"))
    for i, (name, value) in enumerate(
        [
            ("Stripe expansion", "48000"),
            ("Plaid pilot", "12500"),
            ("Brex annual plan", "30000"),
            ("Ramp onboarding", "8000"),
            ("Mercury seats", "6400"),
            ("Stripe Atlas add-on", "2500"),
        ]
    ):
        DealFactory(
            prospect=stripe,
            pipeline=sales,
            stage=stages[i % 4],
            name=name,
            value=Decimal(value),
            contact=contacts[i % 3],
            owner=bob,
        )
    call = TouchTaskFactory(
        prospect=stripe,
        contact=contacts[0],
        assignee=bob,
        subject="Call Patricia about the pilot results",
        priority_label="high",
        notes="She asked for numbers from the EMEA rollout before the board meeting.",
    )
    TouchTaskFactory(
        prospect=stripe,
        contact=contacts[1],
        assignee=bob,
        subject="Send Jamie the case study",
        channel=OutreachLog.Channel.EMAIL,
    )
    OutreachLogFactory(
        prospect=stripe,
        contact=contacts[0],
        subject="Pilot results and next steps",
        body="Hi Patricia, here are the numbers from the first month of the pilot.",
    )
    OutreachLogFactory(
        prospect=stripe,
        contact=contacts[0],
        log_type=OutreachLog.Type.CALL,
        channel=OutreachLog.Channel.CALL,
        status=OutreachLog.Status.DONE,
        subject="Call with Patricia: meeting booked",
        metadata={"callOutcome": CallOutcome.MEETING_BOOKED},
    )
    return {
        "prospect": stripe.pk,
        "contact": contacts[0].pk,
        "deal": stripe.deals.first().pk,
        "task": call.pk,
        "tag": tags[0].pk,
        "pipeline": sales.pk,
    }


def pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "prospect-new": "/prospects/new/",
        "prospect-page": f"/prospects/{ids['prospect']}/",
        "prospect-edit": f"/prospects/{ids['prospect']}/edit/",
        "prospect-delete": f"/prospects/{ids['prospect']}/delete/",
        "contact-new": f"/contacts/new/?prospect={ids['prospect']}",
        "contact-new-any-prospect": "/contacts/new/",
        "contact-page": f"/contacts/{ids['contact']}/",
        "contact-edit": f"/contacts/{ids['contact']}/edit/",
        "deal-new": f"/deals/new/?prospect={ids['prospect']}",
        "deal-edit": f"/deals/{ids['deal']}/edit/",
        "deal-board": "/deals/board/",
        "task-queue": "/tasks/?scope=all",
        "task-complete": f"/tasks/{ids['task']}/complete/",
        "tags": "/settings/tags/",
        "tag-edit": f"/settings/tags/{ids['tag']}/edit/",
        "pipelines": "/settings/pipelines/",
        "pipeline-new": "/settings/pipelines/new/",
        "pipeline-edit": f"/settings/pipelines/{ids['pipeline']}/edit/",
        "overview": "/",
    }


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_every_new_page_fits_a_laptop_and_a_phone(browser, live_server, workspace, alice, bob):
    ids = a_working_workspace(workspace, alice, bob)
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    too_wide = []
    for size, (width, height) in SIZES.items():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            is_mobile=size == "phone",
            has_touch=size == "phone",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, "alice")
        for name, url in pages(ids).items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if overflow(page) > 0:
                too_wide.append(f"{name} at {size}: {overflow(page)}px too wide")
            if shots:
                page.screenshot(path=f"{shots}/{name}-{size}.png", full_page=True)
        context.close()
    assert not too_wide


def test_on_a_phone_the_menu_folds_under_its_button(phone, workspace, alice):
    sign_in(phone, "alice")
    menu = phone.get_by_role("button", name="Menu")
    nav = phone.locator("#sidebar-menu nav")
    prospects = nav.get_by_role("link", name="Prospects", exact=True)
    assert menu.get_attribute("aria-expanded") == "false"
    assert not prospects.is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    prospects.wait_for()
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        phone.screenshot(path=f"{shots}/menu-open-phone.png")
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not prospects.is_visible()

    menu.click()
    prospects.click()
    phone.wait_for_url("**/prospects/")
    # A new page starts with the menu folded, out of the way of its content.
    assert not nav.get_by_role("link", name="Tasks", exact=True).is_visible()


def test_on_a_laptop_the_menu_is_always_open(desktop, workspace, alice):
    sign_in(desktop, "alice")
    assert not desktop.get_by_role("button", name="Menu").is_visible()
    assert (
        desktop.locator("#sidebar-menu nav")
        .get_by_role("link", name="Deals", exact=True)
        .is_visible()
    )
