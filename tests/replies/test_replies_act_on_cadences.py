"""A reply to a sequence email, end to end: the cadence sends the email with the workspace's
reply address, the reply comes back through the inbound mailbox, is matched to the email it
answers, and triage acts on the contact's sequence and the rep's queue (no part mocked)."""

from datetime import time

import pytest
from django.core import mail
from django.urls import reverse

from outreach.models import OutreachLog, OutreachSequence, Prospect, Reply
from outreach.replies.services import effects
from outreach.sequences.services.enrollment import sequence_enroll
from outreach.workspaces.services.mailboxes import inbound_mailbox_ensure
from tests.factories import ContactFactory, ProspectFactory, sequence_with_steps

REAL_EFFECTS = {
    name: getattr(effects, name)
    for name in ("call_task_for_interest", "stop_sequences", "pause_sequences")
}


@pytest.fixture(autouse=True)
def real_effects(reply_effects, monkeypatch):
    """Undo the suite's spies on the effects: here they do their real work."""
    for name, function in REAL_EFFECTS.items():
        monkeypatch.setattr(effects, name, function)


@pytest.fixture
def pat(workspace, bob):
    workspace.business_days = [0, 1, 2, 3, 4, 5, 6]
    workspace.business_day_start, workspace.business_day_end = time(0, 0), time(23, 59, 59)
    workspace.save()
    prospect = ProspectFactory(workspace=workspace, owner=bob, name="Stripe", domain="stripe.com")
    return ContactFactory(prospect=prospect, first_name="Pat", email="pat@stripe.com")


@pytest.fixture
def sent(pat, bob, django_capture_on_commit_callbacks):
    """Pat enrolled in a cadence whose first step emailed them; returns the email."""
    cadence = sequence_with_steps(
        pat.workspace,
        {"channel": "email", "auto_send": True, "subject_template": "Idea for {{prospect.name}}"},
        {"channel": "call", "delay_days": 2},
        name="Intro",
    )
    with django_capture_on_commit_callbacks(execute=True):
        sequence_enroll(template=cadence, contacts=[pat], by=bob)
    (message,) = mail.outbox
    return message


def reply_to(message, body: str, *, subject_prefix: str = "Re: ", extra: str = "") -> bytes:
    return (
        f"From: Pat <pat@stripe.com>\r\nTo: {message.reply_to[0]}\r\n"
        f"Subject: {subject_prefix}{message.subject}\r\n"
        f"Message-ID: <reply-{abs(hash(body))}@stripe.com>\r\n"
        f"In-Reply-To: {message.extra_headers['Message-ID']}\r\n"
        f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n\r\nOn Mon, Bob wrote:\r\n> {message.subject}\r\n"
    ).encode()


def deliver(client, workspace, raw: bytes, callbacks, *, expect: int = 201) -> Reply:
    secret = inbound_mailbox_ensure(workspace=workspace).delivery_secret
    with callbacks(execute=True):
        response = client.post(
            reverse("replies:reply_raw_delivery", args=[secret]), raw, content_type="message/rfc822"
        )
    assert response.status_code == expect, response.content
    return Reply.objects.get(pk=response.json()["id"])


def test_sequence_emails_carry_the_workspace_reply_address(sent, workspace):
    assert sent.reply_to == [inbound_mailbox_ensure(workspace=workspace).address]
    assert (
        OutreachLog.objects.get(status="sent").metadata["messageId"]
        == (sent.extra_headers["Message-ID"])
    )


def test_an_interested_reply_stops_the_cadence_and_puts_a_call_task_first_in_the_queue(
    client, workspace, pat, sent, django_capture_on_commit_callbacks
):
    body = "Sounds great, we are interested. Can we set up a call next week?"
    reply = deliver(client, workspace, reply_to(sent, body), django_capture_on_commit_callbacks)

    reply.refresh_from_db()
    assert reply.contact == pat and reply.answers.metadata["messageId"]
    assert reply.intent == "interested" and reply.state == "applied"
    pat.prospect.refresh_from_db()
    assert pat.prospect.status == Prospect.Status.ENGAGED
    sequence = OutreachSequence.objects.get(contact=pat)
    assert sequence.status == OutreachSequence.Status.STOPPED
    call = OutreachLog.objects.get(metadata__triggerSource="interested_reply")
    assert call.status == "touch_open" and call.priority_label == "high"
    assert call.subject == "Follow-up: prospect replied with interest"

    # The same message delivered again acts once: still one call task.
    again = reply_to(sent, body)
    deliver(client, workspace, again, django_capture_on_commit_callbacks, expect=200)
    assert Reply.objects.count() == 1
    assert OutreachLog.objects.filter(metadata__triggerSource="interested_reply").count() == 1


def test_an_out_of_office_reply_pauses_the_cadence_until_the_return_date(
    client, workspace, pat, sent, django_capture_on_commit_callbacks
):
    raw = reply_to(
        sent,
        "I am out of the office until December 7, 2026 with limited access to email.",
        subject_prefix="Automatic reply: ",
        extra="Auto-Submitted: auto-replied\r\n",
    )
    reply = deliver(client, workspace, raw, django_capture_on_commit_callbacks)

    reply.refresh_from_db()
    assert reply.intent == "out_of_office"
    sequence = OutreachSequence.objects.get(contact=pat)
    assert sequence.status == OutreachSequence.Status.PAUSED
    assert sequence.paused_until.date().isoformat() == "2026-12-07"
    assert not OutreachLog.objects.filter(metadata__triggerSource="interested_reply").exists()


def test_a_human_reply_triggers_message_automations_and_an_auto_reply_does_not(
    client, workspace, pat, sent, django_capture_on_commit_callbacks
):
    from automations.models import AutomationExecution, TriggerType
    from tests.factories import AutomationFactory

    AutomationFactory(
        workspace=workspace,
        trigger_type=TriggerType.MESSAGE_KEYWORD_MATCH,
        trigger_config={"keyword": "pricing"},
        actions=[
            {
                "type": "create_task",
                "params": {"subject": "Send {{contact.first_name}} the pricing sheet"},
                "delay_seconds": 0,
            }
        ],
    )
    vacation = reply_to(
        sent,
        "I am away and will read your note about pricing when I return.",
        subject_prefix="Out of office: ",
        extra="Auto-Submitted: auto-replied\r\n",
    )
    deliver(client, workspace, vacation, django_capture_on_commit_callbacks)
    assert not AutomationExecution.objects.exists()

    human = reply_to(sent, "Could you share pricing for a team of 40?")
    deliver(client, workspace, human, django_capture_on_commit_callbacks)
    assert AutomationExecution.objects.get().status == "completed"
    assert OutreachLog.objects.filter(subject="Send Pat the pricing sheet").exists()
