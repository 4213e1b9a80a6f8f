"""The sequence funnel counts a step as sent on the day its email or task entered the outreach
log, read from the time kept on the step, and its opens and clicks from the step's place kept
on each: every way these are written keeps them, and rows already written get them."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone

from outreach.crm.services.tasks import touch_task_complete, touch_task_skip
from outreach.mail import email_links
from outreach.mail.email_links import Tracked
from outreach.models import Activity, OutreachLog, OutreachStep
from outreach.sequences.services.enrollment import sequence_enroll
from outreach.sequences.services.sweep import cadence_sweep
from reports.period import period_from_params
from reports.registry import REPORTS, Filters, build
from tests.factories import (
    ActivityFactory,
    OutreachLogFactory,
    OutreachStepFactory,
    sequence_with_steps,
)


def funnel_rows(workspace, template):
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
    return {row["step"]: row for row in data.tables[0].rows}


def funnel_steps(workspace, template):
    return {step: row["sent"] for step, row in funnel_rows(workspace, template).items()}


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


def test_opens_and_clicks_through_the_links_count_once_per_email_in_the_funnel(
    client, always_open, bob, pat
):
    template = sequence_with_steps(
        always_open, {"channel": "email"}, {"channel": "email", "delay_days": 1}, name="Emails"
    )
    (sequence,) = sequence_enroll(template=template, contacts=[pat], by=bob).enrolled
    first, second = sequence.steps.order_by("step_order")
    for step in (first, second):
        step.outreach_log = OutreachLogFactory(prospect=pat.prospect, contact=pat)
        step.status = OutreachStep.Status.DONE
        step.save()

    def visit(url):
        assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code in (200, 302)

    visit(email_links.open_pixel_url(Tracked.step(first.pk)))
    visit(email_links.open_pixel_url(Tracked.step(first.pk)))  # opened again: one open
    visit(email_links.click_url(Tracked.step(first.pk), "https://example.com/a"))
    visit(email_links.open_pixel_url(Tracked.step(second.pk)))

    opened = Activity.objects.filter(kind=Activity.Kind.EMAIL_OPEN, step=first).first()
    assert (opened.step_template_id, opened.step_order) == (template.pk, 1)
    rows = funnel_rows(always_open, template)
    assert {step: (row["opened"], row["clicked"]) for step, row in rows.items()} == {
        "All steps": (2, 1),
        "Step 1 · Email": (1, 1),
        "Step 2 · Email": (1, 0),
    }


def test_opens_recorded_before_the_steps_place_was_kept_take_it_from_their_step(workspace):
    step = OutreachStepFactory(status="done", outreach_log=OutreachLogFactory())
    signal = ActivityFactory(
        contact=step.sequence.contact, kind=Activity.Kind.EMAIL_OPEN, metadata={"stepId": step.pk}
    )
    stranger = ActivityFactory(kind=Activity.Kind.EMAIL_OPEN, metadata={"stepId": "not a step"})
    other_kind = ActivityFactory(kind=Activity.Kind.REPLY, metadata={"stepId": step.pk})
    Activity.objects.update(step=None, step_template=None, step_order=None)

    migration = importlib.import_module("outreach.migrations.0025_activity_step_signals")
    # Only the editor's connection is used; SQLite opens no schema editor inside a test.
    migration.steps_of_signals(apps, SimpleNamespace(connection=connection))

    signal.refresh_from_db()
    assert (signal.step_id, signal.step_template_id, signal.step_order) == (
        step.pk,
        step.sequence.template_id,
        step.step_order,
    )
    for untouched in (stranger, other_kind):
        untouched.refresh_from_db()
        assert untouched.step_id is None
