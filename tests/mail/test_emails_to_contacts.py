"""A rep emails a contact through a real SMTP server (aiosmtpd): from their own mailbox, with
variables filled in, tracked links and the unsubscribe header, written to the outreach log
with its Message-ID; and everything that must stop an email stops it with the reason."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
import time_machine
from django.utils import timezone

from outreach.mail.services.emails import email_send, emails_send_due
from outreach.mail.services.templates import email_template_create
from outreach.models import Activity, Contact, OutboundEmail, OutreachLog
from tests.conftest import ApiClient
from tests.factories import ContactFactory, ReplyFactory, api_key_for


@pytest.fixture
def bob_api(bob_client) -> ApiClient:
    """Bob's dashboard session, as the composer's own calls would use it."""
    return ApiClient(client=bob_client)


def send(api, callbacks, **body):
    with callbacks(execute=True):
        return api.post("emails", body)


def test_an_email_goes_from_the_reps_mailbox_with_tracking_and_is_logged(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    response = send(
        bob_api,
        django_capture_on_commit_callbacks,
        contact_id=pat.pk,
        subject="Quick idea for {{prospect.name}}",
        body="Hi {{contact.first_name}},\nHave a look: https://example.com/case.\n",
    )
    assert response.status_code == 201, response.content
    (received,) = smtp.received
    message = received.message
    assert parseaddr(message["From"]) == ("Bob Smith", "bob@acme.example")
    assert received.recipients == ["pat@stripe.com"]
    assert message["Subject"] == "Quick idea for Stripe"
    assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Replies go to the workspace's inbound address: this mailbox is not read over IMAP.
    assert message["Reply-To"].startswith("replies+")
    text, html = received.part("text/plain"), received.part("text/html")
    assert text.startswith(
        "Hi Pat,\nHave a look: https://example.com/case.\n\nBob Smith\nAcme Sales"
    )
    assert "No more emails like this" in text
    assert "/e/c/" in html and "/e/o/" in html

    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.SENT
    log = email.outreach_log
    assert (log.status, log.contact, log.created_by) == ("sent", pat, email.sent_by)
    assert log.metadata["messageId"] == message["Message-ID"] == email.message_id
    assert Activity.objects.filter(contact=pat, kind=Activity.Kind.EMAIL_SENT).count() == 1


def test_a_template_fills_the_email_and_its_usage_and_reply_rate_are_counted(
    bob, bob_api, smtp, smtp_mailbox, pat, prospect, django_capture_on_commit_callbacks
):
    template = email_template_create(
        workspace=pat.workspace,
        by=bob,
        name="Intro",
        subject="{{contact.first_name}}, a question",
        body='Hello {{contact.first_name|default:"there"}} at {{prospect.name}}.',
        shared=True,
    )
    sam = ContactFactory(prospect=prospect, first_name="", email="sam@stripe.com")
    for contact in (pat, sam):
        body = {"contact_id": contact.pk, "template_id": template.pk}
        if contact is sam:
            body["subject"] = "A question"  # Sam has no first name for the template's subject
        assert send(bob_api, django_capture_on_commit_callbacks, **body).status_code == 201
    assert [r.message["Subject"] for r in smtp.received] == ["Pat, a question", "A question"]
    assert "Hello there at Stripe." in smtp.received[1].raw.decode()

    pat_log = OutreachLog.objects.get(contact=pat, status="sent")
    ReplyFactory(contact=pat, answers=pat_log)
    listed = bob_api.get("email-templates").json()["items"]
    assert [(t["name"], t["sent_count"], t["reply_count"], t["reply_rate"]) for t in listed] == [
        ("Intro", 2, 1, 0.5)
    ]


@pytest.mark.parametrize(
    ("change", "body", "reason"),
    [
        ({"outreach_status": Contact.OutreachStatus.OPTED_OUT}, {}, "opted out"),
        ({"outreach_status": Contact.OutreachStatus.BOUNCED}, {}, "bounced"),
        ({}, {"body": "Hi {{contact.nickname}}"}, "{{contact.nickname}} is not a variable"),
        (
            {"title": ""},
            {"body": "As {{contact.title}} you know"},
            "{{contact.title}} has no value",
        ),
        ({}, {"send_at": "2001-01-01T10:00:00Z"}, "is in the past"),
    ],
)
def test_an_email_that_must_not_go_is_refused_with_the_reason_and_nothing_is_sent(
    bob_api, smtp, smtp_mailbox, pat, change, body, reason, django_capture_on_commit_callbacks
):
    Contact.objects.filter(pk=pat.pk).update(**change)
    response = send(
        bob_api,
        django_capture_on_commit_callbacks,
        contact_id=pat.pk,
        subject="Hello",
        **{"body": "Hi {{contact.first_name}}", **body},
    )
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert not smtp.received and not OutboundEmail.objects.exists()


def test_a_rep_without_a_mailbox_is_told_to_connect_one(bob_api, pat):
    response = bob_api.post("emails", {"contact_id": pat.pk, "subject": "Hi", "body": "Hello"})
    assert response.status_code == 422
    assert "Connect a mailbox first" in response.json()["detail"]


def test_the_daily_limit_stops_the_email_before_it_is_accepted(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    smtp_mailbox.daily_limit = 1
    smtp_mailbox.save()
    first = send(
        bob_api, django_capture_on_commit_callbacks, contact_id=pat.pk, subject="One", body="1"
    )
    second = send(
        bob_api, django_capture_on_commit_callbacks, contact_id=pat.pk, subject="Two", body="2"
    )
    assert first.status_code == 201
    assert second.status_code == 422
    assert "sent its 1 emails for today" in second.json()["detail"]
    assert len(smtp.received) == 1


def test_send_later_waits_for_beat_and_goes_once(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(hours=2)
    response = send(
        bob_api,
        django_capture_on_commit_callbacks,
        contact_id=pat.pk,
        subject="Later",
        body="Hi",
        send_at=at.isoformat(),
    )
    assert response.json()["status"] == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        assert emails_send_due() == 0
    assert not smtp.received
    with time_machine.travel(at + timedelta(seconds=30)):
        with django_capture_on_commit_callbacks(execute=True):
            assert emails_send_due() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert emails_send_due() == 0
    assert len(smtp.received) == 1
    assert OutboundEmail.objects.get().status == "sent"


def test_a_scheduled_email_can_be_cancelled_and_a_sent_one_cannot(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    later = (timezone.now() + timedelta(days=1)).isoformat()
    scheduled = send(
        bob_api,
        django_capture_on_commit_callbacks,
        contact_id=pat.pk,
        subject="A",
        body="a",
        send_at=later,
    ).json()
    sent = send(
        bob_api, django_capture_on_commit_callbacks, contact_id=pat.pk, subject="B", body="b"
    ).json()
    assert bob_api.post(f"emails/{scheduled['id']}/cancel").json()["status"] == "cancelled"
    assert bob_api.post(f"emails/{sent['id']}/cancel").status_code == 409


def test_a_send_task_delivered_twice_sends_one_email(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    email_id = send(
        bob_api, django_capture_on_commit_callbacks, contact_id=pat.pk, subject="Once", body="1"
    ).json()["id"]
    assert email_send(email_id=email_id) == "gone"
    assert len(smtp.received) == 1


def test_a_send_cut_short_is_marked_maybe_sent_and_only_the_rep_sends_it_again(
    bob_api, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    email_id = send(
        bob_api, django_capture_on_commit_callbacks, contact_id=pat.pk, subject="Once", body="1"
    ).json()["id"]
    # As a worker killed mid-conversation leaves it.
    OutboundEmail.objects.filter(pk=email_id).update(status="sending")
    with (
        time_machine.travel(timezone.now() + timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        emails_send_due()
    email = OutboundEmail.objects.get(pk=email_id)
    assert email.status == "uncertain" and "may or may not have gone out" in email.failure_reason
    assert len(smtp.received) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert bob_api.post(f"emails/{email_id}/retry").status_code == 200
    assert len(smtp.received) == 2


def test_an_integration_sends_from_a_named_mailbox(
    workspace, smtp, smtp_mailbox, pat, django_capture_on_commit_callbacks
):
    api = ApiClient(api_key_for(workspace))
    without = api.post("emails", {"contact_id": pat.pk, "subject": "Hi", "body": "Hello"})
    assert without.status_code == 422 and "mailbox_id" in without.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "emails",
            {"contact_id": pat.pk, "mailbox_id": smtp_mailbox.pk, "subject": "Hi", "body": "Hello"},
        )
    assert response.status_code == 201 and len(smtp.received) == 1


def test_the_preview_shows_the_email_as_the_contact_gets_it_and_what_is_wrong(
    bob_api, smtp_mailbox, pat
):
    preview = bob_api.post(
        "emails/preview",
        {
            "contact_id": pat.pk,
            "subject": "For {{prospect.name}}",
            "body": "Hi {{contact.first_name}} {{contact.phone}}",
        },
    ).json()
    assert preview["subject"] == "For Stripe"
    assert preview["body"].startswith("Hi Pat ")
    assert preview["from_email"] == "Bob Smith <bob@acme.example>"
    (problem,) = preview["problems"]
    assert "{{contact.phone}} is not a variable we know" in problem
