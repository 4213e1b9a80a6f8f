"""What ends or holds a contact's sequences, as a rep would expect, with the reason shown:
a reply stops them, an opt-out or a bounce stops them, an out-of-office reply pauses them until
the person is back, an open engagement call task holds them, and a rep can pause for a
vacation."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.utils import timezone

from outreach.crm.services.tasks import touch_task_complete, touch_task_create
from outreach.models import Contact, OutreachLog, OutreachSequence, OutreachStep
from outreach.sequences.selectors import enrollment_list, step_states
from outreach.sequences.services.enrollment import (
    sequence_enroll,
    sequence_pause,
    sequences_pause_for_contact,
    sequences_resume_for_contact,
    sequences_stop_for_contact,
)
from outreach.sequences.services.sweep import cadence_sweep
from tests.factories import sequence_with_steps

Status = OutreachSequence.Status


def call_cadence(workspace, **fields):
    return sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Call {{contact.first_name}}"},
        {"channel": "call", "delay_days": 2},
        {"channel": "linkedin", "delay_days": 3},
        **fields,
    )


def enrolled(workspace, bob, pat, **fields) -> OutreachSequence:
    (sequence,) = sequence_enroll(
        template=call_cadence(workspace, **fields), contacts=[pat], by=bob
    ).enrolled
    return sequence


def refresh(sequence) -> OutreachSequence:
    return enrollment_list(workspace=sequence.workspace).get(pk=sequence.pk)


def open_tasks(contact):
    return OutreachLog.objects.filter(contact=contact, status=OutreachLog.Status.TOUCH_OPEN)


def test_a_reply_stops_every_sequence_of_the_contact_and_clears_their_tasks(always_open, bob, pat):
    first = enrolled(always_open, bob, pat, name="Intro")
    second = enrolled(always_open, bob, pat, name="Webinar")
    assert open_tasks(pat).count() == 2

    assert sequences_stop_for_contact(contact=pat, reason="Replied") == 2

    for sequence in (first, second):
        sequence = refresh(sequence)
        assert (sequence.status, sequence.stop_reason) == (Status.STOPPED, "Replied")
        assert [s.status for s in sequence.steps.all()] == ["skipped"] * 3
        assert step_states(sequence)[1].explanation == "Skipped."
    skipped = OutreachLog.objects.filter(contact=pat, status=OutreachLog.Status.SKIPPED)
    assert skipped.count() == 2
    assert skipped.first().metadata["outcome"] == "Sequence stopped: Replied"
    assert sequences_stop_for_contact(contact=pat, reason="Replied") == 0  # nothing left


def test_opting_out_through_the_contact_api_stops_their_sequences(api, always_open, bob, pat):
    sequence = enrolled(always_open, bob, pat)
    response = api.patch(f"contacts/{pat.pk}", {"outreach_status": "OPTED_OUT"})
    assert response.status_code == 200
    sequence.refresh_from_db()
    assert (sequence.status, sequence.stop_reason) == (Status.STOPPED, "Opted out")
    assert not open_tasks(pat).exists()


def test_a_bounce_stops_their_sequences(api, always_open, bob, pat):
    sequence = enrolled(always_open, bob, pat)
    api.patch(f"contacts/{pat.pk}", {"outreach_status": "BOUNCED"})
    sequence.refresh_from_db()
    assert (sequence.status, sequence.stop_reason) == (Status.STOPPED, "Bounced")


def test_a_contact_marked_opted_out_behind_the_engines_back_is_stopped_at_the_next_step(
    always_open, bob, pat
):
    sequence = enrolled(always_open, bob, pat)
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    Contact.objects.filter(pk=pat.pk).update(outreach_status=Contact.OutreachStatus.OPTED_OUT)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert cadence_sweep() == 0
    sequence.refresh_from_db()
    assert (sequence.status, sequence.stop_reason) == (Status.STOPPED, "Opted out")


def test_an_out_of_office_reply_pauses_until_the_return_date_then_resumes(workspace, bob, pat):
    workspace.time_zone = "Europe/Paris"
    workspace.save()
    # Monday 3 March 2025, 10:00 in Paris.
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        sequence = enrolled(workspace, bob, pat)
        touch_task_complete(task=open_tasks(pat).get(), by=bob)
        # What an out-of-office reply with a return date asks of the contact's sequences.
        paused = sequences_pause_for_contact(
            contact=pat,
            reason="Out of office until Mar 17",
            until=date(2025, 3, 17),
            kind=OutreachSequence.PauseKind.OUT_OF_OFFICE,
        )
        assert paused == 1
        sequence = refresh(sequence)
        assert sequence.status == Status.PAUSED
        assert sequence.pause_reason == "Out of office until Mar 17"
        waiting = step_states(sequence)[1]
        assert waiting.explanation == "Paused: Out of office until Mar 17."
        assert waiting.goes_at == datetime(2025, 3, 17, 8, 0, tzinfo=UTC)  # 09:00 in Paris

    # The step's own time (Wednesday) comes first: the sweep moves it to the return date.
    with time_machine.travel(datetime(2025, 3, 5, 9, 1, tzinfo=UTC), tick=False):
        assert cadence_sweep() == 0
        assert sequence.steps.get(step_order=1).next_step_ready_at == waiting.goes_at
    with time_machine.travel(datetime(2025, 3, 17, 8, 0, 30, tzinfo=UTC), tick=False):
        assert cadence_sweep() == 1
    sequence.refresh_from_db()
    assert sequence.status == Status.ACTIVE and sequence.pause_reason == ""
    assert sequence.steps.get(step_order=2).status == OutreachStep.Status.OPEN


def test_an_open_engagement_call_task_holds_the_sequence_until_it_is_closed(
    always_open, bob, prospect, pat
):
    sequence = enrolled(always_open, bob, pat)
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    call = touch_task_create(
        workspace=always_open,
        prospect=prospect,
        contact=pat,
        channel="call",
        subject="Pat opened the pricing page three times",
        priority="high",
        created_by_label="engagement-trigger",
        extra_metadata={"triggerSource": "pricing_page"},
    )
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert cadence_sweep() == 0
    sequence = refresh(sequence)
    assert sequence.status == Status.PAUSED
    assert step_states(sequence)[1].explanation == (
        "Paused: A call task is open: Pat opened the pricing page three times. Goes once resumed."
    )

    touch_task_complete(task=call, by=bob, outcome="Booked a demo for Friday")
    sequence = refresh(sequence)
    assert sequence.status == Status.ACTIVE
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert cadence_sweep() == 1
    assert sequence.steps.get(step_order=2).status == OutreachStep.Status.OPEN


def test_the_engagement_trigger_can_pause_and_resume_through_the_services(always_open, bob, pat):
    sequence = enrolled(always_open, bob, pat)
    paused = sequences_pause_for_contact(
        contact=pat, reason="High-intent visit", kind=OutreachSequence.PauseKind.ENGAGEMENT
    )
    assert paused == 1
    # A manual pause is not lifted by the engagement trigger's resume.
    assert sequences_resume_for_contact(contact=pat, kind="out_of_office") == 0
    assert sequences_resume_for_contact(contact=pat, kind="engagement") == 1
    sequence.refresh_from_db()
    assert sequence.status == Status.ACTIVE


def test_a_rep_pauses_a_sequence_for_a_vacation_and_it_resumes_after(workspace, bob, pat):
    with time_machine.travel(datetime(2025, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        sequence = enrolled(workspace, bob, pat)
        touch_task_complete(task=open_tasks(pat).get(), by=bob)
        sequence_pause(sequence=sequence, reason="Bob on vacation", until=date(2025, 3, 15))
        sequence = refresh(sequence)
        # 15 March is a Saturday: it resumes on Monday at the opening.
        assert sequence.paused_until == datetime(2025, 3, 17, 9, 0, tzinfo=UTC)
        assert step_states(sequence)[1].goes_at == sequence.paused_until
    with time_machine.travel(datetime(2025, 3, 14, 12, 0, tzinfo=UTC), tick=False):
        assert cadence_sweep() == 0
    with time_machine.travel(datetime(2025, 3, 17, 9, 0, 30, tzinfo=UTC), tick=False):
        assert cadence_sweep() == 1


def test_resuming_a_paused_sequence_early_goes_at_the_steps_own_time(always_open, bob, pat):
    sequence = enrolled(always_open, bob, pat)
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    due = sequence.steps.get(step_order=1).next_step_ready_at
    sequence_pause(sequence=sequence, until=date.today() + timedelta(days=30))
    sequences_resume_for_contact(contact=pat)
    assert sequence.steps.get(step_order=1).next_step_ready_at == due


def test_a_company_wide_engagement_call_task_holds_everyone_there_until_closed(
    always_open, bob, prospect, pat
):
    sequence = enrolled(always_open, bob, pat)
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    call = touch_task_create(
        workspace=always_open,
        prospect=prospect,
        channel="call",
        subject="Stripe downloaded the PDF report",
        created_by_label="engagement-trigger",
    )
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        cadence_sweep()
    sequence.refresh_from_db()
    assert sequence.status == Status.PAUSED
    touch_task_complete(task=call, by=bob)
    sequence.refresh_from_db()
    assert sequence.status == Status.ACTIVE
