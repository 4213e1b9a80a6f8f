"""A rep works the reply inbox in a real browser: opens a reply waiting for review, reads it
and corrects its triage."""

import pytest

from outreach.models import Prospect, Reply
from tests.browser.conftest import sign_in
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory
from tests.replies.conftest import reply_effects_spy, sent_email  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_opens_a_waiting_reply_and_marks_it_interested(
    desktop, workspace, bob, reply_effects
):
    prospect = ProspectFactory(workspace=workspace, name="Northwind", owner=bob)
    contact = ContactFactory(prospect=prospect, first_name="Jane", last_name="Cooper")
    sent_email(contact, "<o1@acme>", subject="Quick question about Northwind", body="Worth a call?")
    reply = ReplyFactory(
        contact=contact,
        subject="Re: Quick question about Northwind",
        body="Hmm, maybe. What would it cost us?",
        intent="question",
        confidence=0.55,
    )

    sign_in(desktop, "bob")
    desktop.click("nav >> text=Replies")
    desktop.click("text=Re: Quick question about Northwind")
    desktop.wait_for_selector("text=What would it cost us?")
    assert desktop.is_visible("text=Worth a call?")  # our email, in the conversation

    desktop.select_option("#id_intent", "interested")
    desktop.get_by_role("button", name="Apply", exact=True).click()
    desktop.wait_for_selector("text=Marked Interested.")

    reply.refresh_from_db()
    prospect.refresh_from_db()
    assert (reply.intent, reply.state, reply.applied_by) == ("interested", "applied", bob)
    assert prospect.status == Prospect.Status.ENGAGED
    reply_effects.call_task.assert_called_once()
    desktop.click("nav >> text=Replies")
    assert desktop.is_visible("text=Nothing waits for you")
    assert Reply.objects.filter(state="needs_review").count() == 0


def test_a_reply_no_rule_reads_waits_as_needing_a_person_beside_machine_mail(
    browser, live_server, workspace, bob, reply_effects, tmp_path
):
    prospect = ProspectFactory(workspace=workspace, name="Fabrikam", owner=bob)
    contact = ContactFactory(prospect=prospect, first_name="Pat", last_name="Kim")
    ReplyFactory(
        contact=contact,
        subject="Re: Quick question",
        body="Hmm.",
        intent="unclear",
        confidence=0.0,
    )
    ReplyFactory(
        contact=contact,
        subject="AWS Notification Message",
        body='{"notificationType":"Complaint"}',
        kind="notification",
        intent="",
        confidence=None,
        state="ignored",
        triage_reason="Amazon SES complaint notice for pkim@fabrikam.example",
    )

    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        sign_in(page, "bob")
        page.goto("/replies/")
        page.wait_for_selector("text=Re: Quick question")
        assert page.locator(".badge-intent-unclear", has_text="Needs a person").is_visible()
        assert not page.is_visible("text=0%")  # no score for what nobody could read
        page.screenshot(path=str(tmp_path / f"inbox-unclear-{width}.png"), full_page=True)
        page.goto("/replies/?state=ignored")
        page.wait_for_selector("text=AWS Notification Message")
        assert page.locator(".badge-notification", has_text="Provider notice").is_visible()
        page.screenshot(path=str(tmp_path / f"inbox-notice-{width}.png"), full_page=True)
        context.close()
    print(f"\nScreenshots in {tmp_path}")
