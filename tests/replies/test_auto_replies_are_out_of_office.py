"""Automatic replies (RFC 3834 Auto-Submitted, X-Autoreply, Exchange's markers, Precedence,
vacation subjects in several languages) are out of office, never interested, with the return
date when the message gives one; they pause the contact's sequences instead of stopping them."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from outreach.models import Activity
from outreach.replies.inbound.message import parse_raw
from outreach.replies.inbound.triage import (
    AUTO_REPLY,
    TriageRequest,
    auto_reply_triage,
    read_message,
)
from tests.factories import ContactFactory, ProspectFactory
from tests.replies.conftest import expected, sample_bytes, sent_email

AUTO_REPLIES = expected("autoreplies")


@pytest.mark.parametrize("name", sorted(AUTO_REPLIES))
def test_each_automatic_reply_is_out_of_office_with_its_return_date(name):
    message = parse_raw(sample_bytes("autoreplies", name))
    reading = read_message(message)
    assert reading.kind == AUTO_REPLY, AUTO_REPLIES[name]["client"]
    request = TriageRequest(
        body=reading.body,
        subject=message.subject,
        sender=message.from_address,
        received=date(2025, 3, 3),
    )
    triage = auto_reply_triage(request, evidence=reading.evidence)
    assert triage.intent == "out_of_office"
    want = AUTO_REPLIES[name]["return_date"]
    assert triage.return_date == (date.fromisoformat(want) if want else None)


def test_a_human_reply_with_an_auto_like_subject_but_no_markers_stays_human():
    message = parse_raw(
        b"From: Ana <ana@x.example>\r\nSubject: Re: Holiday promotion\r\n"
        b"Message-ID: <h1@x.example>\r\n\r\nLooks interesting, can we talk on Monday?\r\n"
    )
    assert read_message(message).kind == "human"


def test_auto_submitted_no_is_a_person():
    message = parse_raw(
        b"From: Ana <ana@x.example>\r\nSubject: Re: Hello\r\nAuto-Submitted: no\r\n"
        b"Message-ID: <h2@x.example>\r\n\r\nYes, let's talk.\r\n"
    )
    assert read_message(message).kind == "human"


@time_machine.travel(datetime(2025, 3, 3, 9, 30, tzinfo=UTC), tick=False)
def test_an_automatic_reply_that_says_interested_pauses_until_the_return_date(
    workspace, deliver, reply_effects
):
    prospect = ProspectFactory(workspace=workspace, name="Broadreach")
    contact = ContactFactory(prospect=prospect, email="mark.evans@broadreach.example")
    sent_email(contact, "<outreach-a02@acme-sales.example>")

    reply = deliver("autoreplies", "outlook-automatic-reply.eml")

    # The text says "very interested"; the headers say a machine wrote it.
    assert (reply.kind, reply.intent, reply.state) == ("auto_reply", "out_of_office", "applied")
    assert reply.return_date == date(2025, 3, 17)
    reply_effects.pause.assert_called_once()
    paused, reason, until = reply_effects.pause.call_args.args
    assert paused == contact and reason == "Out of office"
    # Back at the start of the business day on the return date, in the workspace's zone.
    assert until == datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
    reply_effects.stop.assert_not_called()
    reply_effects.call_task.assert_not_called()
    prospect.refresh_from_db()
    assert prospect.status == "NEW"
    # A machine's answer is not engagement.
    assert not Activity.objects.filter(kind=Activity.Kind.REPLY).exists()


@time_machine.travel(datetime(2025, 3, 3, 9, 30, tzinfo=UTC), tick=False)
def test_an_automatic_reply_without_a_date_pauses_for_the_default_days(
    workspace, deliver, reply_effects, settings
):
    settings.REPLIES_OUT_OF_OFFICE_PAUSE_DAYS = 7
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="support@brightdesk.example"
    )
    deliver("autoreplies", "helpdesk-auto-generated.eml")
    _, _, until = reply_effects.pause.call_args.args
    assert until == datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    assert contact.replies.get().return_date is None


def test_an_automatic_reply_from_an_unknown_sender_is_set_aside(workspace, deliver, reply_effects):
    reply = deliver("autoreplies", "gmail-vacation.eml")
    assert (reply.contact, reply.state, reply.intent) == (None, "ignored", "out_of_office")
    reply_effects.pause.assert_not_called()
