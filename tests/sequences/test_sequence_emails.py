"""Email steps that send themselves: through Django's email backend with a working unsubscribe
link and List-Unsubscribe header, once, within each sender's daily limit, with transient
errors retried and bounces ending the contact's sequences."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from config.celery import app as celery_app
from outreach.mail.selectors import template_list
from outreach.mail.services.templates import email_template_update
from outreach.models import (
    Activity,
    Contact,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    SenderDailySend,
)
from outreach.sequences.selectors import enrollment_list, step_states
from outreach.sequences.services.enrollment import sequence_enroll, sequence_resume
from outreach.sequences.services.sending import daily_send_limit, sequence_email_send
from outreach.sequences.services.sweep import cadence_sweep
from outreach.sequences.services.templates import sequence_template_create
from tests.factories import (
    ContactFactory,
    EmailTemplateFactory,
    ReplyFactory,
    sequence_with_steps,
)


def auto_email(**fields):
    return {
        "channel": "email",
        "auto_send": True,
        "subject_template": "{{prospect.name}} and outbound",
        "body_template": "Hi {{contact.first_name}},\nSee https://example.com/case-study.\n"
        "{{sender.first_name}}",
        **fields,
    }


@pytest.fixture
def cadence(always_open):
    return sequence_with_steps(
        always_open, auto_email(), {"channel": "call", "delay_days": 2}, name="Intro"
    )


def enroll(cadence, contacts, by, callbacks):
    with callbacks(execute=True):
        return sequence_enroll(template=cadence, contacts=contacts, by=by).enrolled


def test_an_email_step_goes_out_with_a_working_unsubscribe_link_and_header(
    cadence, bob, pat, django_capture_on_commit_callbacks, client
):
    (sequence,) = enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == "Stripe and outbound"
    assert message.to == ["Pat Lee <pat@stripe.com>"]
    assert message.from_email == "Bob <bob@example.com>"
    assert message.body.startswith("Hi Pat,\nSee https://example.com/case-study.\nBob")
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "/e/o/" in html and "/e/c/" in html and unsubscribe in html

    # The one-click POST a mail app makes opts Pat out and ends the sequence.
    response = client.post(unsubscribe.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    pat.refresh_from_db()
    sequence.refresh_from_db()
    assert pat.outreach_status == Contact.OutreachStatus.OPTED_OUT
    assert (sequence.status, sequence.stop_reason) == ("stopped", "Opted out")


def test_a_sent_email_is_logged_counted_as_activity_and_schedules_the_next_step(
    cadence, bob, pat, django_capture_on_commit_callbacks
):
    (sequence,) = enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)

    first, second = sequence.steps.all()
    assert first.status == OutreachStep.Status.DONE
    assert first.triggered_by == "cadence"
    log = first.outreach_log
    assert (log.log_type, log.status, log.created_by) == ("EMAIL", "sent", bob)
    assert log.body.startswith("Hi Pat")
    assert log.metadata["stepId"] == first.pk
    assert Activity.objects.filter(contact=pat, kind=Activity.Kind.EMAIL_SENT).count() == 1
    assert first.next_step_ready_at > timezone.now() + timedelta(days=1, hours=23)
    assert second.wait_reason == OutreachStep.WaitReason.DELAY
    pat.prospect.refresh_from_db()
    assert pat.prospect.status == "CONTACTED"


def test_a_step_with_a_library_template_sends_its_words_and_counts_as_a_use(
    always_open, bob, prospect, pat, django_capture_on_commit_callbacks
):
    intro = EmailTemplateFactory(
        workspace=always_open,
        name="Intro",
        subject="{{prospect.name}}, a thought",
        body='Hello {{contact.first_name|default:"there"}},\nOne idea for you.',
    )
    cadence = sequence_template_create(
        workspace=always_open,
        name="From the library",
        steps=[{"channel": "email", "auto_send": True, "email_template_id": intro.pk}],
        by=bob,
    )
    enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == "Stripe, a thought"
    assert message.body.startswith("Hello Pat,\nOne idea for you.")
    log = OutreachLog.objects.get(contact=pat, log_type=OutreachLog.Type.EMAIL)
    assert log.email_template == intro

    # An edit in the library reaches the step: the next contact gets the new words.
    email_template_update(
        template=intro, changes={"subject": "A new thought"}, by=bob, is_admin=False
    )
    sam = ContactFactory(prospect=prospect, first_name="", email="sam@stripe.com")
    enroll(cadence, [sam], bob, django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == ["Stripe, a thought", "A new thought"]
    assert mail.outbox[1].body.startswith("Hello there,")

    ReplyFactory(contact=pat, answers=log)
    (listed,) = template_list(workspace=always_open, user=bob)
    assert (listed.sent_count, listed.reply_count) == (2, 1)


def test_a_send_task_delivered_twice_sends_one_email(
    cadence, bob, pat, django_capture_on_commit_callbacks
):
    (sequence,) = enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)
    step = sequence.steps.get(step_order=1)
    assert sequence_email_send(step_id=step.pk) == "gone"
    assert len(mail.outbox) == 1


def test_the_daily_limit_holds_the_rest_until_the_next_business_day(
    workspace, bob, prospect, django_capture_on_commit_callbacks
):
    workspace.daily_send_limit = 2
    workspace.time_zone = "America/New_York"
    workspace.save()
    cadence = sequence_with_steps(workspace, auto_email())
    contacts = [ContactFactory(prospect=prospect) for _ in range(3)]
    # Tuesday 4 March 2025, 11:00 in New York.
    with time_machine.travel("2025-03-04T16:00:00Z", tick=False):
        enroll(cadence, contacts, bob, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    waiting = OutreachStep.objects.get(status=OutreachStep.Status.PENDING)
    assert waiting.wait_reason == OutreachStep.WaitReason.DAILY_LIMIT
    assert waiting.next_step_ready_at.isoformat() == "2025-03-05T14:00:00+00:00"  # 09:00 NY
    assert SenderDailySend.objects.get().sent == 2

    (state,) = step_states(enrollment_list(workspace=workspace).get(pk=waiting.sequence_id))
    assert state.explanation == (
        "bob@example.com reached its limit of 2 emails today; goes the next business day."
    )
    with (
        time_machine.travel("2025-03-05T14:00:30Z", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert cadence_sweep() == 1
    assert len(mail.outbox) == 3


def test_the_default_daily_limit_comes_from_settings(settings, workspace):
    settings.CADENCE_DAILY_SEND_LIMIT = 7
    assert daily_send_limit(workspace) == 7
    workspace.daily_send_limit = 3
    assert daily_send_limit(workspace) == 3


def test_a_transient_smtp_error_is_retried_then_the_step_is_marked_not_sent(
    cadence, bob, pat, monkeypatch, django_capture_on_commit_callbacks
):
    attempts = []

    def disconnected(self, fail_silently=False):
        attempts.append(self.to)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", disconnected)
    # Let Celery run the retries in-process, as a worker would, instead of raising them.
    celery_app.conf.task_eager_propagates = False
    try:
        (sequence,) = enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)
    finally:
        celery_app.conf.task_eager_propagates = True

    assert len(attempts) == 6  # the first try and five retries
    step = sequence.steps.get(step_order=1)
    assert step.status == OutreachStep.Status.FAILED
    assert "SMTPServerDisconnected" in step.failure_reason
    sequence.refresh_from_db()
    assert sequence.status == OutreachSequence.Status.PAUSED
    assert sequence.pause_reason.startswith("An email was not sent")

    # Resuming tries the email again.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sequence_resume(sequence=sequence)
        cadence_sweep()
    step.refresh_from_db()
    assert step.status == OutreachStep.Status.DONE
    assert len(mail.outbox) == 1


def test_a_refused_recipient_bounces_the_contact_and_stops_every_sequence(
    cadence, bob, pat, always_open, monkeypatch, django_capture_on_commit_callbacks
):
    calls = sequence_with_steps(always_open, {"channel": "call"}, name="Calls")
    sequence_enroll(template=calls, contacts=[pat], by=bob)

    def refused(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"pat@stripe.com": (550, b"No such user")})

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused)
    (sequence,) = enroll(cadence, [pat], bob, django_capture_on_commit_callbacks)

    pat.refresh_from_db()
    assert pat.outreach_status == Contact.OutreachStatus.BOUNCED
    assert set(pat.outreach_sequences.values_list("status", "stop_reason")) == {
        ("stopped", "Bounced")
    }
    assert sequence.steps.get(step_order=1).status == OutreachStep.Status.FAILED
    assert not OutreachLog.objects.filter(status=OutreachLog.Status.TOUCH_OPEN).exists()


def test_a_queued_email_whose_task_was_lost_goes_with_a_later_sweep(
    cadence, bob, pat, django_capture_on_commit_callbacks
):
    (sequence,) = sequence_enroll(template=cadence, contacts=[pat], by=bob).enrolled  # no commit
    step = sequence.steps.get(step_order=1)
    assert step.status == OutreachStep.Status.QUEUED and not mail.outbox

    cadence_sweep()
    assert not mail.outbox  # too early to call it lost
    with time_machine.travel(timezone.now() + timedelta(minutes=21)):
        cadence_sweep()
    assert len(mail.outbox) == 1


def test_a_send_interrupted_midway_is_marked_not_sent_for_a_rep_to_check(cadence, bob, pat):
    (sequence,) = sequence_enroll(template=cadence, contacts=[pat], by=bob).enrolled
    OutreachStep.objects.filter(sequence=sequence, step_order=1).update(status="sending")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        cadence_sweep()
    step = sequence.steps.get(step_order=1)
    assert step.status == OutreachStep.Status.FAILED
    assert "may or may not have gone out" in step.failure_reason
    sequence.refresh_from_db()
    assert sequence.status == OutreachSequence.Status.PAUSED
    assert not mail.outbox


def test_an_email_queued_before_the_contact_opted_out_is_not_sent(cadence, bob, pat):
    (sequence,) = sequence_enroll(template=cadence, contacts=[pat], by=bob).enrolled
    Contact.objects.filter(pk=pat.pk).update(outreach_status=Contact.OutreachStatus.OPTED_OUT)
    step = sequence.steps.get(step_order=1)
    assert sequence_email_send(step_id=step.pk) == "skipped"
    assert not mail.outbox
    sequence.refresh_from_db()
    assert sequence.status == OutreachSequence.Status.STOPPED


def test_an_admin_sets_and_clears_the_workspaces_daily_limit(api, rep_api, workspace):
    assert api.get("workspace").json()["daily_send_limit"] is None
    assert api.patch("workspace", {"daily_send_limit": 50}).json()["daily_send_limit"] == 50
    assert api.patch("workspace", {"name": "Acme"}).json()["daily_send_limit"] == 50
    assert api.patch("workspace", {"daily_send_limit": None}).json()["daily_send_limit"] is None
    assert api.patch("workspace", {"daily_send_limit": 0}).status_code == 422
    assert rep_api.patch("workspace", {"daily_send_limit": 5}).status_code == 403
