"""The sweep: a finished step makes the next one due after its delay, and the sweep turns each
due step into the next touch task exactly once, however often it runs."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.crm.services.tasks import touch_task_complete, touch_task_delete, touch_task_skip
from outreach.models import OutreachLog, OutreachSequence, OutreachStep
from outreach.sequences.services import sweep
from outreach.sequences.services.enrollment import sequence_enroll
from outreach.sequences.services.sweep import cadence_sweep
from outreach.sequences.services.templates import sequence_template_update
from tests.factories import ContactFactory, sequence_with_steps


def three_touch_cadence(workspace):
    return sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Intro call with {{contact.first_name}}"},
        {
            "channel": "linkedin",
            "delay_days": 2,
            "body_template": "Connect with {{contact.full_name}} of {{prospect.name}}",
        },
        {"channel": "email", "delay_days": 3, "subject_template": "Following up"},
        name="Outbound",
    )


def open_tasks(contact):
    return OutreachLog.objects.filter(contact=contact, status=OutreachLog.Status.TOUCH_OPEN)


def test_enrolling_puts_the_first_step_in_the_queue_at_once(always_open, bob, pat):
    template = three_touch_cadence(always_open)
    report = sequence_enroll(template=template, contacts=[pat], by=bob)

    (sequence,) = report.enrolled
    (task,) = open_tasks(pat)
    assert task.subject == "Intro call with Pat"
    assert task.assignee == bob
    assert task.metadata["createdBy"] == "cadence"
    assert task.metadata["stepId"] == sequence.steps.get(step_order=1).pk
    first = sequence.steps.get(step_order=1)
    assert first.status == OutreachStep.Status.OPEN
    assert first.triggered_by == "cadence"
    assert first.scheduled_at is not None
    assert first.next_step_ready_at is None


def test_completing_a_step_makes_the_next_due_after_its_delay_and_the_sweep_promotes_it(
    always_open, bob, pat
):
    template = three_touch_cadence(always_open)
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    touch_task_complete(task=open_tasks(pat).get(), by=bob)

    first = sequence.steps.get(step_order=1)
    assert first.status == OutreachStep.Status.DONE
    assert first.next_step_ready_at > timezone.now() + timedelta(days=1, hours=23)
    assert cadence_sweep() == 0  # not due yet
    assert not open_tasks(pat).exists()

    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1)):
        assert cadence_sweep() == 1
        assert cadence_sweep() == 0  # a second run finds nothing left to do

    (task,) = open_tasks(pat)
    assert task.channel == "linkedin"
    assert task.metadata["notes"] == "Connect with Pat Lee of Stripe"
    second = sequence.steps.get(step_order=2)
    assert second.status == OutreachStep.Status.OPEN
    assert second.outreach_log == task
    assert second.triggered_by == "cadence"
    first.refresh_from_db()
    assert first.next_step_ready_at is None


def test_the_last_step_done_completes_the_sequence(always_open, bob, pat):
    template = sequence_with_steps(always_open, {"channel": "call"})
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    sequence.refresh_from_db()
    assert sequence.status == OutreachSequence.Status.COMPLETED


def test_a_skipped_or_deleted_task_moves_the_sequence_on(always_open, bob, pat):
    template = sequence_with_steps(
        always_open, {"channel": "call"}, {"channel": "call"}, {"channel": "call"}
    )
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    touch_task_skip(task=open_tasks(pat).get(), by=bob, reason="No answer")
    cadence_sweep()
    touch_task_delete(task=open_tasks(pat).get())
    cadence_sweep()

    statuses = list(sequence.steps.values_list("status", flat=True))
    assert statuses == ["skipped", "skipped", "open"]


def test_a_step_removed_from_the_template_is_skipped_for_contacts_already_in(always_open, bob, pat):
    template = three_touch_cadence(always_open)
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    first, _, third = template.steps.order_by("position")
    sequence_template_update(
        template=template,
        steps=[
            {"id": first.pk, "channel": "call", "subject_template": "Intro call"},
            {"id": third.pk, "channel": "email", "subject_template": "A new subject"},
        ],
    )
    touch_task_complete(task=open_tasks(pat).get(), by=bob)
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        cadence_sweep()

    assert list(sequence.steps.values_list("status", flat=True)) == ["done", "skipped", "open"]
    assert open_tasks(pat).get().subject == "A new subject"


def test_the_sweep_writes_nothing_when_a_batch_fails_and_a_rerun_promotes_it(
    always_open, bob, pat, monkeypatch
):
    template = sequence_with_steps(always_open, {"channel": "call"}, {"channel": "call"})
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    touch_task_complete(task=open_tasks(pat).get(), by=bob)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        # The worker dies after the tasks are written, before the steps point at them.
        monkeypatch.setattr(sweep, "_open_and_clear", crash)
        with pytest.raises(RuntimeError):
            cadence_sweep()
        assert not open_tasks(pat).exists()
        assert sequence.steps.get(step_order=1).next_step_ready_at is not None
        monkeypatch.undo()
        assert cadence_sweep() == 1
    assert open_tasks(pat).count() == 1


def test_business_hours_hold_a_due_step_until_the_contacts_morning(workspace, bob, pat):
    pat.time_zone = "Asia/Tokyo"
    pat.save()
    template = sequence_with_steps(workspace, {"channel": "call"})
    # 02:00 on a Wednesday in Tokyo.
    with time_machine.travel("2025-03-04T17:00:00Z", tick=False):
        (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
        assert cadence_sweep() == 0
    first = sequence.steps.get()
    assert first.wait_reason == OutreachStep.WaitReason.BUSINESS_HOURS
    assert first.next_step_ready_at.isoformat() == "2025-03-05T00:00:00+00:00"  # 09:00 Tokyo
    with time_machine.travel("2025-03-05T00:00:30Z", tick=False):
        assert cadence_sweep() == 1


def test_a_sweep_batch_runs_the_same_queries_for_3_or_30_due_steps(always_open, bob, prospect):
    template = sequence_with_steps(
        always_open,
        {"channel": "call"},
        {"channel": "linkedin", "subject_template": "Connect with {{contact.first_name}}"},
        {"channel": "call"},
    )

    def queries_to_sweep(n: int) -> int:
        contacts = [ContactFactory(prospect=prospect) for _ in range(n)]
        for sequence in sequence_enroll(template=template, contacts=contacts, by=bob).enrolled:
            touch_task_complete(task=sequence.steps.get(step_order=1).outreach_log, by=bob)
        with CaptureQueriesContext(connection) as queries:
            assert cadence_sweep() == n
        return len(queries)

    assert queries_to_sweep(3) == queries_to_sweep(30)
