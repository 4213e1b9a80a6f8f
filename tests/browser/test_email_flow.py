"""A rep emails a contact in a real browser: picks a template, watches the preview fill in for
the contact, sends it through a real SMTP server; then answers the contact's reply from its
thread. Screenshots of each page at desktop and phone size go to /tmp/shots-i14/."""

from pathlib import Path

import pytest

from outreach.mail.services.mailboxes import mailbox_create
from outreach.mail.services.templates import email_template_create
from outreach.models import OutboundEmail, Reply
from tests.browser.conftest import sign_in, wait_until
from tests.factories import ContactFactory, OutreachLogFactory, ProspectFactory, ReplyFactory
from tests.mail.conftest import smtp  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-i14")


def shoot(browser, live_server, path: str, name: str) -> None:
    """The page at 1280x800 and 390x844, signed in as bob."""
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        sign_in(page, "bob")
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        context.close()


@pytest.fixture
def world(workspace, bob, smtp):  # noqa: F811
    prospect = ProspectFactory(workspace=workspace, name="Northwind", owner=bob)
    jane = ContactFactory(
        prospect=prospect,
        first_name="Jane",
        last_name="Cooper",
        email="jane@northwind.example",
        title="",
    )
    mailbox = mailbox_create(
        workspace=workspace,
        owner=bob,
        fields={
            "display_name": "Bob Smith",
            "email": "bob@acme.example",
            "signature": "Bob · Acme Sales",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
        },
    )
    email_template_create(
        workspace=workspace,
        by=bob,
        name="Warm intro",
        subject="{{contact.first_name}}, an idea for {{prospect.name}}",
        body="Hi {{contact.first_name}},\n\nTeams like {{prospect.name}} book 30% more calls.",
        shared=True,
    )
    return {"prospect": prospect, "jane": jane, "mailbox": mailbox}


def test_a_rep_composes_from_a_template_with_a_preview_and_sends_it(
    desktop,
    browser,
    live_server,
    world,
    smtp,  # noqa: F811
):
    jane = world["jane"]
    sign_in(desktop, "bob")
    desktop.goto(f"/prospects/{world['prospect'].pk}/")
    desktop.click("#prospect-email >> text=Open the composer")
    desktop.wait_for_selector("h1:has-text('Email Jane Cooper')")

    desktop.select_option("#composer-page select[name=template]", label="Warm intro")
    wait_until(
        desktop,
        "document.querySelector('#composer-page input[name=subject]').value.includes('idea')",
    )
    preview = desktop.locator("#preview-page")
    preview.locator("text=Jane, an idea for Northwind").wait_for()
    assert "Teams like Northwind book 30% more calls." in preview.inner_text()
    assert "Bob · Acme Sales" in preview.inner_text()

    # A variable the contact has no value for is caught in the preview, before sending.
    desktop.fill("#composer-page textarea[name=body]", "Hi {{contact.title}}")
    preview.locator("text=has no value for Jane Cooper").wait_for()
    desktop.fill(
        "#composer-page textarea[name=body]",
        "Hi {{contact.first_name}},\n\nTeams like {{prospect.name}} book 30% more calls.",
    )
    preview.locator("text=Hi Jane,").wait_for()
    shoot(browser, live_server, f"/compose/?contact={jane.pk}", "compose")
    desktop.click("#composer-page button:has-text('Send')")
    desktop.wait_for_selector("text=Sending “Jane, an idea for Northwind” to Jane Cooper.")

    (received,) = smtp.received
    assert received.message["Subject"] == "Jane, an idea for Northwind"
    email = OutboundEmail.objects.get()
    assert email.status == "sent" and email.template.name == "Warm intro"
    desktop.locator("#prospect-email >> text=Sent").first.wait_for()
    shoot(browser, live_server, f"/prospects/{world['prospect'].pk}/", "prospect-email-panel")
    shoot(browser, live_server, "/templates/", "templates")
    shoot(browser, live_server, f"/mailboxes/{world['mailbox'].pk}/", "mailbox")


def test_a_rep_answers_a_reply_from_its_thread(
    desktop,
    browser,
    live_server,
    world,
    smtp,  # noqa: F811
):
    jane = world["jane"]
    ours = OutreachLogFactory(
        prospect=jane.prospect,
        contact=jane,
        subject="Quick question about Northwind",
        body="Worth a call?",
        metadata={"messageId": "<o1@acme.example>", "mailboxId": world["mailbox"].pk},
    )
    reply = ReplyFactory(
        contact=jane,
        answers=ours,
        message_id="<jane-1@northwind.example>",
        subject="Re: Quick question about Northwind",
        body="Maybe. What would it cost us?",
        text="Maybe. What would it cost us?",
        intent="question",
        confidence=0.55,
    )
    shoot(browser, live_server, f"/replies/{reply.pk}/", "reply-answer")

    sign_in(desktop, "bob")
    desktop.click("nav >> text=Replies")
    desktop.click("text=Re: Quick question about Northwind")
    desktop.wait_for_selector("text=Goes from bob@acme.example")
    desktop.fill("#id_answer_body", "It depends on seats: 20 seats is $400 a month. Call Tuesday?")
    desktop.click("button:has-text('Send answer')")
    desktop.wait_for_selector("text=Answer on its way to Jane Cooper from bob@acme.example.")

    (received,) = smtp.received
    assert received.message["In-Reply-To"].strip() == "<jane-1@northwind.example>"
    assert "> Maybe. What would it cost us?" in received.part("text/plain")
    reply.refresh_from_db()
    assert reply.state == Reply.State.ANSWERED
    desktop.click("nav >> text=Replies")
    assert desktop.is_visible("text=Nothing waits for you")
