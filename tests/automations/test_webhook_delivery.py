"""The webhook action: signed JSON, one idempotency key per action, retries for 5xx, 429 and
timeouts with backoff (honouring Retry-After), and no retry for other 4xx."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from automations.models import AutomationActionRun, AutomationExecution
from automations.runner import executions_resume_due
from outreach.crm.services.prospects import contact_create
from outreach.models import OutreachLog

HOOK = "https://hooks.example.com/crm"


@pytest.fixture
def webhook_rule(automation):
    def make(url=HOOK):
        return automation(
            name="Tell the data warehouse",
            actions=[
                {
                    "type": "call_webhook",
                    "params": {"url": url, "data": {"greeting": "Hi {{contact.first_name}}"}},
                },
                {"type": "create_task", "params": {"subject": "After the webhook"}},
            ],
        )

    return make


@pytest.fixture
def new_contact(workspace, stripe, background):
    def create(at=None):
        with time_machine.travel(at or timezone.now(), tick=False), background():
            contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
        return AutomationExecution.objects.latest("pk")

    return create


def resume_at(moment, background):
    with time_machine.travel(moment, tick=False), background():
        executions_resume_due()


@respx.mock
def test_the_receiver_gets_signed_json_and_an_idempotency_key(webhook_rule, new_contact):
    route = respx.post(HOOK).mock(return_value=httpx.Response(200, json={"ok": True}))
    rule = webhook_rule()
    run = new_contact()

    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    request = route.calls.last.request
    body = request.content
    timestamp = request.headers["X-Crm-Timestamp"]
    expected = hmac.new(
        rule.signing_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Crm-Signature"] == f"v1={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert request.headers["Idempotency-Key"] == f"run-{run.pk}-action-0"
    assert request.headers["X-Crm-Event"] == "contact.created"
    assert request.headers["Content-Type"] == "application/json"
    document = json.loads(body)
    assert document["automation"] == {"id": rule.pk, "name": "Tell the data warehouse"}
    assert document["run_id"] == run.pk
    assert document["event"]["type"] == "contact.created"
    assert document["event"]["payload"]["contact"]["name"] == "Dana"
    assert document["data"] == {"greeting": "Hi Dana"}
    step = run.action_runs.get(action_index=0)
    assert step.result["status_code"] == 200
    assert '"ok"' in step.result["response"]


@respx.mock
def test_a_5xx_is_retried_with_growing_waits_under_the_same_key(
    settings, webhook_rule, new_contact, background
):
    settings.AUTOMATION_RETRY_BASE_DELAY_SECONDS = 30
    route = respx.post(HOOK).mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200)]
    )
    webhook_rule()
    start = timezone.now()
    run = new_contact(at=start)

    run.refresh_from_db()
    step = run.action_runs.get(action_index=0)
    assert run.status == AutomationExecution.Status.WAITING
    assert step.status == AutomationActionRun.Status.RETRYING
    assert step.error == "The webhook answered 503."
    first_wait = (run.resume_at - start).total_seconds()
    assert 30 <= first_wait <= 36

    resume_at(run.resume_at, background)
    run.refresh_from_db()
    second_wait = (run.resume_at - start).total_seconds() - first_wait
    assert 60 <= second_wait <= 72

    resume_at(run.resume_at, background)
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    assert run.action_runs.get(action_index=0).attempts == 3
    keys = {call.request.headers["Idempotency-Key"] for call in route.calls}
    assert keys == {f"run-{run.pk}-action-0"}
    assert [call.request.headers["X-Crm-Attempt"] for call in route.calls] == ["1", "2", "3"]
    assert OutreachLog.objects.filter(subject="After the webhook").count() == 1


@respx.mock
def test_a_429_waits_as_long_as_retry_after_says_up_to_a_cap(settings, webhook_rule, new_contact):
    settings.AUTOMATION_RETRY_MAX_DELAY_SECONDS = 600
    respx.post(HOOK).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200)]
    )
    webhook_rule()
    start = timezone.now()
    run = new_contact(at=start)
    run.refresh_from_db()
    assert run.resume_at == start + timedelta(seconds=120)

    respx.post(HOOK).mock(return_value=httpx.Response(429, headers={"Retry-After": "86400"}))
    run = new_contact(at=start)
    run.refresh_from_db()
    assert run.resume_at == start + timedelta(seconds=600)


@respx.mock
def test_a_4xx_fails_the_run_at_once_without_retrying(webhook_rule, new_contact):
    route = respx.post(HOOK).mock(return_value=httpx.Response(410, text="gone"))
    webhook_rule()
    run = new_contact()
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.FAILED
    assert run.failed_action_index == 0
    assert run.reason == "The webhook answered 410: gone"
    assert route.call_count == 1
    step = run.action_runs.get(action_index=0)
    assert (step.status, step.attempts) == (AutomationActionRun.Status.FAILED, 1)
    assert not OutreachLog.objects.exists()  # the run stopped at the failed action


@respx.mock
def test_it_gives_up_after_the_last_attempt(settings, webhook_rule, new_contact, background):
    settings.AUTOMATION_ACTION_MAX_ATTEMPTS = 3
    route = respx.post(HOOK).mock(return_value=httpx.Response(500))
    webhook_rule()
    run = new_contact()
    for _ in range(5):
        run.refresh_from_db()
        if run.status != AutomationExecution.Status.WAITING:
            break
        resume_at(run.resume_at, background)
    assert run.status == AutomationExecution.Status.FAILED
    assert run.reason == "The webhook answered 500. Gave up after 3 attempts."
    assert route.call_count == 3


@respx.mock
def test_a_connect_timeout_is_retried(webhook_rule, new_contact):
    respx.post(HOOK).mock(side_effect=httpx.ConnectTimeout("no answer"))
    webhook_rule()
    run = new_contact()
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.WAITING
    assert "did not answer within" in run.action_runs.get().error


class SlowBody(httpx.SyncByteStream):
    def __iter__(self):
        for _ in range(6):
            time.sleep(0.3)
            yield b"."


@respx.mock
def test_a_receiver_that_dribbles_its_answer_hits_the_total_timeout(
    settings, webhook_rule, new_contact
):
    settings.AUTOMATION_WEBHOOK_TIMEOUT_SECONDS = 1
    respx.post(HOOK).mock(return_value=httpx.Response(200, stream=SlowBody()))
    webhook_rule()
    run = new_contact()
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.WAITING
    step = run.action_runs.get()
    assert step.error == "The webhook did not answer within 1 s."
    assert step.duration_ms < 1900


def test_an_address_in_our_own_network_is_refused(settings, webhook_rule, new_contact):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    webhook_rule(url="http://169.254.169.254/latest/meta-data/")
    run = new_contact()
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.FAILED
    assert "private or local address" in run.reason


def test_retry_after_is_read_as_seconds_or_as_a_date():
    from email.utils import format_datetime

    from automations.actions.webhook import retry_after_seconds

    assert retry_after_seconds("120") == 120
    soon = format_datetime(timezone.now() + timedelta(seconds=90), usegmt=True)
    assert 85 <= retry_after_seconds(soon) <= 90
    assert retry_after_seconds("soon-ish") is None
    assert retry_after_seconds(None) is None
