"""The sequence funnel counts a step as sent on the day its email or task entered the outreach
log, read from the time kept on the step: every way a step gets its log keeps that time, and
the steps that were already sent get it from their log."""

import importlib
from datetime import timedelta

import time_machine
from django.apps import apps
from django.utils import timezone

from outreach.crm.services.tasks import touch_task_complete, touch_task_skip
from outreach.models import OutreachLog, OutreachStep
from outreach.sequences.services.enrollment import sequence_enroll
from outreach.sequences.services.sweep import cadence_sweep
from reports.period import period_from_params
from reports.registry import REPORTS, Filters, build
from tests.factories import OutreachLogFactory, OutreachStepFactory, sequence_with_steps


def funnel_steps(workspace, template):
    # From yesterday to a week ahead: the tasks below are made over the coming days.
    today = timezone.localdate()
    days = {"start": str(today - timedelta(days=1)), "end": str(today + timedelta(days=7))}
    period = period_from_params(days, time_zone=workspace.time_zone)
    data = build(
        report=REPORTS["sequence-funnel"],
        workspace=workspace,
        period=period,
        filters=Filters(sequence=template.pk),
    )
    return {row["step"]: row["sent"] for row in data.tables[0].rows}


def open_task(contact):
    return OutreachLog.objects.get(contact=contact, status=OutreachLog.Status.TOUCH_OPEN)


def test_tasks_done_through_the_cadence_count_as_sent_when_their_task_was_made(
    always_open, bob, pat
):
    template = sequence_with_steps(
        always_open,
        {"channel": "call"},
        {"channel": "linkedin", "delay_days": 1},
        {"channel": "call", "delay_days": 1},
        name="Outbound",
    )
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    first_task = open_task(pat)
    touch_task_complete(task=first_task, by=bob)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert cadence_sweep() == 1  # the second step's task, made by the sweep's own statement
        second_task = open_task(pat)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        touch_task_complete(task=second_task, by=bob)  # done a day after it was made
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=2)):
        assert cadence_sweep() == 1
        touch_task_skip(task=open_task(pat), by=bob)

    steps = {step.step_order: step for step in sequence.steps.select_related("outreach_log")}
    assert steps[1].sent_at == first_task.created_at
    assert steps[2].sent_at == second_task.created_at
    assert steps[3].status == OutreachStep.Status.SKIPPED
    assert steps[3].sent_at == steps[3].outreach_log.created_at
    # Sent is done steps only: the skipped third is not, whatever time it carries.
    assert funnel_steps(always_open, template) == {
        "All steps": 2,
        "Step 1 · Call": 1,
        "Step 2 · LinkedIn": 1,
    }


def test_a_step_pointed_at_another_log_or_none_moves_its_sent_time(workspace):
    step = OutreachStepFactory(status="done", outreach_log=None)
    assert step.sent_at is None
    earlier = OutreachLogFactory(
        prospect=step.sequence.prospect, created_at=timezone.now() - timedelta(days=3)
    )
    step.outreach_log = earlier
    step.save(update_fields=["outreach_log"])
    step.refresh_from_db()
    assert step.sent_at == earlier.created_at

    step.outreach_log = None
    step.save()
    step.refresh_from_db()
    assert step.sent_at is None


def test_steps_sent_before_the_sent_time_was_kept_take_their_logs(workspace):
    sent = OutreachStepFactory(
        status="done",
        outreach_log=OutreachLogFactory(created_at=timezone.now() - timedelta(days=2)),
    )
    waiting = OutreachStepFactory(status="pending", outreach_log=None)
    OutreachStep.objects.update(sent_at=None)  # as the rows stood before the migration

    migration = importlib.import_module("outreach.migrations.0024_step_sent_at")
    migration.sent_times_from_the_log(apps, None)

    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert sent.sent_at == sent.outreach_log.created_at
    assert waiting.sent_at is None
