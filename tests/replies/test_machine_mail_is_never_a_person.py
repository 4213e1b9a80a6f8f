"""Bounces from the null sender, provider notices (Amazon SES over SNS email) and feedback-loop
reports are accepted and stored as machine mail: never refused, never triaged as a person."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from outreach.models import Contact, Reply
from tests.factories import ContactFactory, ProspectFactory

NULL_SENDER_BOUNCE = (
    b"Return-Path: <>\r\nFrom: MAILER-DAEMON <>\r\nTo: bob@acme-sales.example\r\n"
    b"Subject: Mail delivery failed\r\nMessage-ID: <nb1@mx.northwind.example>\r\n\r\n"
    b"This message was created automatically by mail delivery software.\r\n\r\n"
    b"A message that you sent could not be delivered to one or more of its recipients.\r\n\r\n"
    b"  jordan.blake@northwind.example\r\n"
    b"    host mx.northwind.example said: 550 5.1.1 User unknown\r\n"
)


def _ses(kind: str, body: dict) -> bytes:
    payload = json.dumps({"notificationType": kind, **body, "mail": {"messageId": "m-1"}})
    return (
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\r\nTo: bob@acme-sales.example\r\n"
        f"Subject: AWS Notification Message\r\nMessage-ID: <ses-{kind}@sns.example>\r\n"
        f"x-amz-sns-message-id: 1\r\n\r\n{payload}\r\n"
    ).encode()


FEEDBACK_REPORT = (
    b"From: Mailbox Provider FBL <fbl@mail.example>\r\nTo: abuse@acme-sales.example\r\n"
    b"Subject: FW: Quick question\r\nMessage-ID: <fbl1@mail.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n"
    b"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n"
    b"User-Agent: FBL/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: <pkim@fabrikam.example>\r\n"
    b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: bob@acme-sales.example\r\n"
    b"To: pkim@fabrikam.example\r\nMessage-ID: <o1@acme-sales.example>\r\nSubject: Quick\r\n\r\n"
    b"Hi\r\n--b--\r\n"
)


def _post_raw(client, mailbox, raw: bytes, capture) -> Reply:
    with capture(execute=True):
        response = client.post(
            reverse("replies:reply_raw_delivery", args=[mailbox.delivery_secret]),
            raw,
            content_type="message/rfc822",
        )
    assert response.status_code == 201, response.content
    return Reply.objects.get(pk=response.json()["id"])


def test_a_bounce_from_the_null_sender_is_accepted_and_marks_the_failed_recipient(
    client, mailbox, workspace, django_capture_on_commit_callbacks
):
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="jordan.blake@northwind.example"
    )
    reply = _post_raw(client, mailbox, NULL_SENDER_BOUNCE, django_capture_on_commit_callbacks)
    assert (reply.kind, reply.from_email, reply.contact) == ("bounce_hard", "", contact)
    assert reply.bounce["reason"] == "user_unknown"
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.BOUNCED


def test_the_json_endpoint_accepts_the_null_sender(api, workspace):
    response = api.post(
        "replies/inbound",
        {
            "message_id": "<nb2@mx.northwind.example>",
            "from": {"email": "<>", "name": "Mail Delivery System"},
            "subject": "Undelivered Mail Returned to Sender",
            "text": "<jordan@northwind.example>: host mx said: 550 5.1.1 User unknown",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "bounce_hard"


def test_an_ses_bounce_notice_is_a_bounce_of_the_recipient_it_names(
    client, mailbox, workspace, django_capture_on_commit_callbacks
):
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="pkim@fabrikam.example"
    )
    raw = _ses(
        "Bounce",
        {
            "bounce": {
                "bounceType": "Transient",
                "bounceSubType": "MailboxFull",
                "bouncedRecipients": [
                    {
                        "emailAddress": "pkim@fabrikam.example",
                        "status": "4.2.2",
                        "diagnosticCode": "smtp; 452 4.2.2 Mailbox full",
                    }
                ],
            }
        },
    )
    reply = _post_raw(client, mailbox, raw, django_capture_on_commit_callbacks)
    assert (reply.kind, reply.contact, reply.state) == ("bounce_soft", contact, "ignored")
    assert reply.intent == ""


def test_complaints_and_feedback_reports_are_provider_notices_not_people(
    client, mailbox, workspace, django_capture_on_commit_callbacks
):
    ContactFactory(prospect=ProspectFactory(workspace=workspace), email="pkim@fabrikam.example")
    complaint = _ses(
        "Complaint",
        {"complaint": {"complainedRecipients": [{"emailAddress": "pkim@fabrikam.example"}]}},
    )
    for raw in (complaint, FEEDBACK_REPORT):
        reply = _post_raw(client, mailbox, raw, django_capture_on_commit_callbacks)
        assert (reply.kind, reply.state, reply.intent) == ("notification", "ignored", "")
        assert "complaint" in reply.triage_reason


def _soft_bounce(client, mailbox, capture, n: int) -> Reply:
    raw = (
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.fabrikam.example>\r\n"
        f"To: bob@acme-sales.example\r\nSubject: Undeliverable: Quick question\r\n"
        f"Message-ID: <full-{n}@mx.fabrikam.example>\r\n\r\n"
        "Delivery has failed to these recipients or groups:\r\n\r\npkim@fabrikam.example\r\n"
        "The recipient's mailbox is full and can't accept messages now.\r\n\r\n"
        "Remote Server returned '552 5.2.2 Mailbox full; quota exceeded'\r\n"
    ).encode()
    return _post_raw(client, mailbox, raw, capture)


def test_soft_bounces_retire_an_address_only_when_they_repeat_over_days(
    client, mailbox, workspace, django_capture_on_commit_callbacks, reply_effects
):
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="pkim@fabrikam.example"
    )
    first = _soft_bounce(client, mailbox, django_capture_on_commit_callbacks, 1)
    second = _soft_bounce(client, mailbox, django_capture_on_commit_callbacks, 2)
    assert (first.kind, first.bounce["reason"], second.state) == (
        "bounce_soft",
        "mailbox_full",
        "ignored",
    )
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.ACTIVE

    # Three in a day are not enough: the mailbox may be emptied tomorrow.
    third = _soft_bounce(client, mailbox, django_capture_on_commit_callbacks, 3)
    assert third.state == "ignored"
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.ACTIVE

    # The same failure a week and more after the first retires the address.
    Reply.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(days=9))
    fourth = _soft_bounce(client, mailbox, django_capture_on_commit_callbacks, 4)
    assert fourth.state == "applied"
    assert "4 soft bounces over 9 days" in fourth.triage_reason
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.BOUNCED
    reply_effects.stop.assert_called_once()


ALIAS_BOUNCE = (
    b"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.acme-sales.example (Mail Delivery System)\r\n"
    b"To: bob@acme-sales.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <alias1@mx.acme-sales.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
    b"--r\r\nContent-Type: text/plain\r\n\r\n<sales-team@northwind.example> (expanded from "
    b"<jordan.blake@northwind.example>): host mx.northwind.example said: 550 5.1.1 User "
    b"unknown (in reply to RCPT TO command)\r\n"
    b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme-sales\r\n\r\n"
    b"Final-Recipient: rfc822; sales-team@northwind.example\r\n"
    b"Original-Recipient: rfc822;jordan.blake@northwind.example\r\nAction: failed\r\n"
    b"Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n--r--\r\n"
)


def test_a_bounce_of_an_expanded_alias_finds_the_contact_we_wrote_to(
    client, mailbox, workspace, django_capture_on_commit_callbacks
):
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="jordan.blake@northwind.example"
    )
    reply = _post_raw(client, mailbox, ALIAS_BOUNCE, django_capture_on_commit_callbacks)
    assert reply.bounce["recipient"] == "sales-team@northwind.example"
    assert reply.bounce["original_recipient"] == "jordan.blake@northwind.example"
    assert (reply.kind, reply.contact, reply.matched_by) == (
        "bounce_hard",
        contact,
        "bounced_recipient",
    )


def test_an_ses_delivery_notice_in_its_sns_envelope_leaves_the_contact_alone(
    client, mailbox, workspace, django_capture_on_commit_callbacks
):
    """SNS wraps the SES notice as a JSON string in its own JSON, as it arrives over email."""
    contact = ContactFactory(
        prospect=ProspectFactory(workspace=workspace), email="pkim@fabrikam.example"
    )
    notice = {
        "notificationType": "Delivery",
        "mail": {"messageId": "0100018c-delivered", "destination": ["pkim@fabrikam.example"]},
        "delivery": {"recipients": ["pkim@fabrikam.example"], "smtpResponse": "250 2.0.0 OK"},
    }
    envelope = {"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps(notice)}
    raw = (
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\r\nTo: bob@acme-sales.example\r\n"
        "Subject: AWS Notification Message\r\nMessage-ID: <ses-delivery@sns.example>\r\n"
        f"x-amz-sns-message-id: sns-1\r\n\r\n{json.dumps(envelope)}\r\n"
    ).encode()
    reply = _post_raw(client, mailbox, raw, django_capture_on_commit_callbacks)
    assert (reply.kind, reply.state, reply.intent) == ("notification", "ignored", "")
    assert "delivery" in reply.triage_reason
    contact.refresh_from_db()
    assert contact.outreach_status != Contact.OutreachStatus.BOUNCED
