"""A worker that dies in the middle of an action never makes the action happen twice: database
actions roll back with the worker, emails are not resent when their fate is unknown, and
webhooks are resent under the same idempotency key."""

from datetime import timedelta
from unittest import mock

import httpx
import respx
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from automations.models import AutomationActionRun, AutomationExecution
from automations.runner import executions_recover
from outreach.crm.services import tasks as task_services
from outreach.crm.services.prospects import contact_create
from outreach.models import OutreachLog


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing in the worker gets to handle it."""


def create_contact_as_a_dying_worker(workspace, stripe, background, at):
    with time_machine.travel(at, tick=False):
        try:
            with background():
                contact_create(
                    workspace=workspace, prospect=stripe, first_name="Dana", email="dana@stripe.com"
                )
        except WorkerKilled:
            pass
    return AutomationExecution.objects.get()


def recover_after_the_lease(settings, background, start):
    later = start + timedelta(seconds=settings.AUTOMATION_RUN_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False), background():
        return executions_recover()


def test_a_task_created_by_a_worker_that_died_before_commit_is_created_once(
    settings, workspace, stripe, automation, background
):
    automation(
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}]
    )
    real_create = task_services.touch_task_create

    def create_then_die(**kwargs):
        real_create(**kwargs)
        raise WorkerKilled

    start = timezone.now()
    with mock.patch.object(task_services, "touch_task_create", side_effect=create_then_die):
        run = create_contact_as_a_dying_worker(workspace, stripe, background, start)
    # The transaction died with the worker: no task, and the run still holds its lease.
    assert not OutreachLog.objects.exists()
    assert run.status == AutomationExecution.Status.RUNNING and run.lease_token

    assert recover_after_the_lease(settings, background, start) == 1
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    assert OutreachLog.objects.filter(metadata__automationExecutionId=run.pk).count() == 1


def test_an_email_whose_sending_was_interrupted_is_not_sent_again(
    settings, workspace, stripe, automation, background
):
    automation(
        actions=[
            {
                "type": "send_email",
                "params": {"subject": "Hi {{contact.first_name}}", "body": "Hello"},
            },
            {"type": "create_task", "params": {"subject": "Follow up"}},
        ]
    )
    real_send = EmailMessage.send

    def send_then_die(message, *args, **kwargs):
        real_send(message, *args, **kwargs)
        raise WorkerKilled

    start = timezone.now()
    with mock.patch.object(EmailMessage, "send", send_then_die):
        run = create_contact_as_a_dying_worker(workspace, stripe, background, start)
    assert len(mail.outbox) == 1
    assert run.action_runs.get().status == AutomationActionRun.Status.RUNNING

    recover_after_the_lease(settings, background, start)
    run.refresh_from_db()
    assert len(mail.outbox) == 1
    assert run.status == AutomationExecution.Status.FAILED
    assert "not sent again" in run.reason
    assert not OutreachLog.objects.filter(subject="Follow up").exists()


def test_an_email_sent_normally_is_logged_in_the_outreach_log(
    workspace, stripe, automation, background
):
    automation(
        actions=[
            {
                "type": "send_email",
                "params": {"subject": "Hi {{contact.first_name}}", "body": "Hello"},
            }
        ]
    )
    with background():
        contact_create(
            workspace=workspace, prospect=stripe, first_name="Dana", email="dana@stripe.com"
        )
    assert [m.subject for m in mail.outbox] == ["Hi Dana"]
    entry = OutreachLog.objects.get()
    assert (entry.channel, entry.status, entry.subject) == ("email", "sent", "Hi Dana")
    run = AutomationExecution.objects.get()
    assert run.action_runs.get().result["outreach_log"] == entry.pk


@respx.mock
def test_a_webhook_whose_answer_was_lost_is_sent_again_under_the_same_key(
    settings, workspace, stripe, automation, background
):
    route = respx.post("https://hooks.example.com/crm").mock(return_value=httpx.Response(200))
    automation(
        actions=[{"type": "call_webhook", "params": {"url": "https://hooks.example.com/crm"}}]
    )
    real_send = httpx.Client.send

    def send_then_die(client, request, **kwargs):
        real_send(client, request, **kwargs)
        raise WorkerKilled

    start = timezone.now()
    with mock.patch.object(httpx.Client, "send", send_then_die):
        run = create_contact_as_a_dying_worker(workspace, stripe, background, start)
    recover_after_the_lease(settings, background, start)

    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert keys == [f"run-{run.pk}-action-0"] * 2
    assert [call.request.headers["X-Crm-Attempt"] for call in route.calls] == ["1", "2"]
