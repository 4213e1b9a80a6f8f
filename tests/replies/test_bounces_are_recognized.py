"""Delivery failures from the common MTAs are recognized, hard told from soft, with the address
that failed and the email of ours that bounced; a hard bounce marks the contact BOUNCED and stops
its sequences."""

import pytest

from outreach.models import Contact, OutreachLog, Reply
from outreach.replies.inbound.dsn import detect_bounce
from outreach.replies.inbound.message import from_fields, parse_raw
from outreach.replies.inbound.triage import read_message
from tests.factories import ContactFactory, ProspectFactory
from tests.replies.conftest import SAMPLES, expected, sample_bytes, sent_email

BOUNCES = expected("bounces")


def test_the_samples_come_from_at_least_six_mtas_with_hard_and_soft_bounces():
    assert len({sample["mta"] for sample in BOUNCES.values()}) >= 6
    assert {sample["hard"] for sample in BOUNCES.values()} == {True, False}


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_each_bounce_is_read_with_its_address_status_and_original_message(name):
    want = BOUNCES[name]
    bounce = detect_bounce(parse_raw(sample_bytes("bounces", name)))
    assert bounce is not None, f"{want['mta']} bounce not recognized"
    assert bounce.hard is want["hard"], bounce.diagnostic
    assert bounce.recipient == want["recipient"]
    assert bounce.status == want["status"]
    assert bounce.original_message_id == want["original_message_id"]


def test_no_human_or_automatic_reply_is_taken_for_a_bounce():
    for path in [*SAMPLES.glob("replies/*/*.eml"), *SAMPLES.glob("autoreplies/*.eml")]:
        assert read_message(parse_raw(path.read_bytes())).kind in {"human", "auto_reply"}, path


def test_a_person_writing_about_an_undeliverable_parcel_is_not_a_bounce():
    message = parse_raw(
        b"From: Dana <dana@shop.example>\r\nSubject: Re: Undeliverable parcel\r\n"
        b"Message-ID: <p1@shop.example>\r\n\r\nOur courier said the parcel was undeliverable, "
        b"can we talk about a better carrier?\r\n"
    )
    assert detect_bounce(message) is None


def test_a_positive_delivery_report_is_not_a_bounce():
    raw = sample_bytes("bounces", "postfix-user-unknown.eml").replace(
        b"Action: failed", b"Action: delivered"
    )
    assert detect_bounce(parse_raw(raw)) is None


def test_a_hard_bounce_marks_the_contact_bounced_and_stops_its_sequences(
    workspace, deliver, reply_effects
):
    prospect = ProspectFactory(workspace=workspace, name="Northwind")
    contact = ContactFactory(prospect=prospect, email="jordan.blake@northwind.example")
    email = sent_email(contact, "<outreach-b01@acme-sales.example>")

    reply = deliver("bounces", "postfix-user-unknown.eml")

    assert reply.kind == Reply.Kind.BOUNCE_HARD
    assert reply.state == Reply.State.APPLIED
    assert (reply.contact, reply.answers, reply.matched_by) == (contact, email, "thread")
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.BOUNCED
    reply_effects.stop.assert_called_once()
    stopped, reason = reply_effects.stop.call_args.args
    assert stopped == contact and reason.startswith("Hard bounce") and "5.1.1" in reason
    # The prospect's outreach log shows the failed delivery.
    assert reply.log_entry.status == OutreachLog.Status.FAILED
    reply_effects.pause.assert_not_called()
    reply_effects.call_task.assert_not_called()


def test_a_soft_bounce_leaves_the_contact_active(workspace, deliver, reply_effects):
    prospect = ProspectFactory(workspace=workspace)
    contact = ContactFactory(prospect=prospect, email="pkim@fabrikam.example")

    reply = deliver("bounces", "exchange-mailbox-full.eml")

    assert (reply.kind, reply.state, reply.contact) == ("bounce_soft", "ignored", contact)
    assert reply.matched_by == "bounced_recipient"
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.ACTIVE
    reply_effects.stop.assert_not_called()


def test_a_bounce_read_from_its_text_alone_finds_the_failed_address():
    # Sent through the JSON API, a bounce has no MIME parts: the notice's text must do.
    text = sample_bytes("bounces", "qmail-failure-notice.eml").decode().split("\n\n", 1)[1]
    message = from_fields(
        message_id="<q1@mx.oldhost.example>",
        from_email="MAILER-DAEMON@mx.oldhost.example",
        subject="failure notice",
        text=text,
    )
    bounce = detect_bounce(message)
    assert bounce is not None and bounce.hard
    assert bounce.recipient == "r.hale@oldhost.example"
