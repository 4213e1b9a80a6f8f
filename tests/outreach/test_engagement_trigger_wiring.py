"""The wizard's signals reach the call-task trigger after commit and off the request path: a
failure there is logged and the prospect's page answers as usual."""

import logging

import pytest
from kombu.exceptions import OperationalError as BrokerUnavailable

from outreach.crm import tasks as crm_tasks
from outreach.crm.services import engagement_triggers
from outreach.models import OutboxMessage, OutreachLog, Prospect
from tests.factories import ContactFactory, ProspectFactory, WizardLinkFactory


@pytest.fixture
def link(workspace):
    prospect = ProspectFactory(workspace=workspace, name="Brex")
    ContactFactory(prospect=prospect)
    return WizardLinkFactory(prospect=prospect)


def test_the_task_is_created_only_once_the_visit_is_committed(
    prospect_client, link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert prospect_client.get(f"/w/{link.token}/3/").status_code == 200
        assert prospect_client.get(f"/w/{link.token}/report.pdf").status_code == 200
    assert not OutreachLog.objects.exists()

    for callback in callbacks:
        callback()
    sources = OutreachLog.objects.values_list("metadata__triggerSource", flat=True)
    assert sorted(sources) == ["pdf_download", "wizard_step3"]


def test_a_failing_trigger_is_logged_and_the_page_still_answers(
    prospect_client, link, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("the trigger broke")

    monkeypatch.setattr(engagement_triggers, "create_engagement_call_task", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        step = prospect_client.get(f"/w/{link.token}/3/")
        report = prospect_client.get(f"/w/{link.token}/report.pdf")

    assert (step.status_code, report.status_code) == (200, 200)
    assert report.getvalue().startswith(b"%PDF-")
    assert caplog.text.count("the trigger broke") >= 2
    assert Prospect.objects.get(pk=link.prospect_id).status == Prospect.Status.ENGAGED


def test_an_unreachable_queue_is_logged_the_page_answers_and_the_outbox_keeps_the_task(
    prospect_client, link, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(crm_tasks.engagement_call_task_create, "apply_async", unreachable)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        step = prospect_client.get(f"/w/{link.token}/3/")

    assert step.status_code == 200
    assert "Connection refused" in caplog.text
    waiting = OutboxMessage.objects.get()
    assert (waiting.task_name, waiting.args) == (
        "outreach.engagement_call_task_create",
        [link.prospect_id, "wizard_step3"],
    )


def test_the_worker_task_returns_quietly_when_the_prospect_is_gone(link):
    prospect_id = link.prospect_id
    Prospect.objects.filter(pk=prospect_id).delete()
    assert crm_tasks.engagement_call_task_create(prospect_id, "wizard_step3") == "prospect_gone"


def test_the_worker_task_says_why_no_second_task_was_made(link):
    prospect_id = link.prospect_id
    assert crm_tasks.engagement_call_task_create(prospect_id, "pdf_download") == "created"
    assert crm_tasks.engagement_call_task_create(prospect_id, "pdf_download") == "already_exists"
