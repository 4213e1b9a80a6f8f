"""The outbox: a task asked for while the broker refuses it waits as a row, and the beat sweep
hands it out once the broker is back; a task the broker took leaves nothing behind."""

import logging
from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from outreach.crm import tasks as crm_tasks
from outreach.models import OutboxMessage, OutreachLog
from outreach.outbox.services import outbox_enqueue, outbox_sweep
from tests.factories import ContactFactory, ProspectFactory


def refuse(*args, **kwargs):
    raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def call_tasks(prospect) -> int:
    return OutreachLog.objects.filter(prospect=prospect, metadata__kind="touch_task").count()


def test_a_task_the_broker_took_leaves_no_row(workspace, django_capture_on_commit_callbacks):
    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_enqueue(
            task=crm_tasks.engagement_call_task_create, args=[prospect.pk, "pdf_download"]
        )
        assert OutboxMessage.objects.count() == 1  # written with the change
    assert not OutboxMessage.objects.exists()
    assert call_tasks(prospect) == 1


def test_a_refused_task_waits_and_the_sweep_hands_it_out_once_the_broker_is_back(
    workspace, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect)
    task = crm_tasks.engagement_call_task_create
    with monkeypatch.context() as broker_down:
        broker_down.setattr(task, "apply_async", refuse)
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            outbox_enqueue(task=task, args=[prospect.pk, "wizard_step3"])
        assert "Broker unreachable" in caplog.text
        assert outbox_sweep() == 0  # still within the grace given to the publish after commit
        later = timezone.now() + timedelta(minutes=1)
        with time_machine.travel(later):
            assert outbox_sweep() == 0  # the broker still refuses: the row stays
        message = OutboxMessage.objects.get()
        assert message.attempts == 1
        assert message.next_attempt_at > later

    assert call_tasks(prospect) == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbox_sweep() == 1
    assert not OutboxMessage.objects.exists()
    assert call_tasks(prospect) == 1


def test_the_sweep_works_through_a_backlog_in_batches(workspace, monkeypatch):
    prospects = [ProspectFactory(workspace=workspace) for _ in range(5)]
    for prospect in prospects:
        ContactFactory(prospect=prospect)
    with monkeypatch.context() as broker_down:
        broker_down.setattr(crm_tasks.engagement_call_task_create, "apply_async", refuse)
        for prospect in prospects:
            outbox_enqueue(
                task=crm_tasks.engagement_call_task_create, args=[prospect.pk, "pdf_download"]
            )
    assert OutboxMessage.objects.count() == 5
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox_sweep(batch=2) == 5
    assert not OutboxMessage.objects.exists()
    assert all(call_tasks(prospect) == 1 for prospect in prospects)


def test_a_row_naming_a_task_no_worker_knows_is_dropped_with_an_error(db, caplog):
    OutboxMessage.objects.create(
        task_name="outreach.a_task_removed_by_a_deploy",
        args=[1],
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    with caplog.at_level(logging.ERROR):
        assert outbox_sweep() == 1
    assert "names no known task" in caplog.text
    assert not OutboxMessage.objects.exists()


def test_a_task_the_broker_never_took_outlives_every_retention_sweep(workspace, monkeypatch):
    from automations.retention import automation_history_prune
    from outreach.mail.services.tracking_retention import tracking_compact
    from outreach.replies.services.retention import reply_full_messages_prune

    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect)
    task = crm_tasks.engagement_call_task_create
    with monkeypatch.context() as broker_down:
        broker_down.setattr(task, "apply_async", refuse)
        outbox_enqueue(task=task, args=[prospect.pk, "pdf_download"])
    a_year_later = timezone.now() + timedelta(days=365)

    for sweep in (automation_history_prune, tracking_compact, reply_full_messages_prune):
        sweep(now=a_year_later)

    assert OutboxMessage.objects.count() == 1
    with time_machine.travel(a_year_later):
        assert outbox_sweep() == 1
    assert call_tasks(prospect) == 1
