"""Fixtures of the reply tests: the effects seam (engagement-trigger call task, sequence stop and
pause) replaced by recording mocks, the samples on disk, and a workspace's inbound mailbox."""

import json
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import Mock

import pytest
from django.urls import reverse

from outreach.models import Reply
from outreach.replies.services import effects as effects_module
from outreach.replies.services.effects import CallTaskResult
from tests.factories import InboundMailboxFactory, OutreachLogFactory

SAMPLES = Path(__file__).parent / "samples"


@dataclass
class EffectsSpy:
    """What triage asked of the other parts of the product."""

    call_task: Mock
    stop: Mock
    pause: Mock


@pytest.fixture(autouse=True, name="reply_effects")
def reply_effects_spy(monkeypatch) -> EffectsSpy:
    spy = EffectsSpy(
        call_task=Mock(return_value=CallTaskResult(created=True, reason="created", task_id=4242)),
        stop=Mock(return_value=None),
        pause=Mock(return_value=None),
    )
    monkeypatch.setattr(effects_module, "call_task_for_interest", spy.call_task)
    monkeypatch.setattr(effects_module, "stop_sequences", spy.stop)
    monkeypatch.setattr(effects_module, "pause_sequences", spy.pause)
    return spy


@pytest.fixture
def mailbox(workspace):
    return InboundMailboxFactory(workspace=workspace)


@pytest.fixture
def deliver(client, mailbox, django_capture_on_commit_callbacks):
    """Post a sample to the workspace's raw delivery URL as an MTA would, let its triage run
    after commit, and return the stored reply."""

    def post(*parts: str) -> Reply:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("replies:reply_raw_delivery", args=[mailbox.delivery_secret]),
                sample_bytes(*parts),
                content_type="message/rfc822",
            )
        assert response.status_code == 201, response.content
        return Reply.objects.get(pk=response.json()["id"])

    return post


def sample_bytes(*parts: str) -> bytes:
    return SAMPLES.joinpath(*parts).read_bytes()


def expected(folder: str) -> dict:
    return json.loads((SAMPLES / folder / "expected.json").read_text())


def sent_email(contact, message_id: str, **fields):
    """An email we sent the contact, as the cadence engine records it."""
    return OutreachLogFactory(
        prospect=contact.prospect,
        contact=contact,
        metadata={"messageId": message_id},
        **fields,
    )
