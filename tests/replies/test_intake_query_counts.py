"""Receiving a reply and triaging it take a fixed, small number of queries: the same in a
workspace with one contact as in one with many contacts and many sent emails, so intake keeps
its pace as a workspace grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import OutreachLog, Prospect, Reply
from outreach.replies import tasks as reply_tasks
from outreach.replies.inbound.message import parse_raw
from outreach.replies.services import effects as effects_module
from outreach.replies.services.intake import reply_receive
from outreach.replies.services.triage import reply_process
from tests.factories import ContactFactory, ProspectFactory
from tests.replies.conftest import sent_email

# Each service's transaction shows as a savepoint here, inside the test's own transaction.
# Receive: the stored-already check, the thread, the reply, its log entry and the link to it,
# the automations listening for messages, the triage task's outbox row; then, once the task is
# published, the row's removal in a transaction of its own.
RECEIVE_QUERIES = 12
# Triage of an interested reply: the reply; the move out of `new`, the engagement activity and
# its effect row; the reply again and its intent (in a savepoint); the prospect engaged; the
# call task (in savepoints: the open-task check, the prospect's sequences, the contact, the
# task); the contact's sequences to stop; the other effect rows; the triage history.
TRIAGE_QUERIES = 22

REAL_EFFECTS = {
    name: getattr(effects_module, name)
    for name in ("call_task_for_interest", "stop_sequences", "pause_sequences")
}


@pytest.fixture
def real_effects(monkeypatch):
    """The engagement-trigger call task and the sequence stop as they really run."""
    for name, function in REAL_EFFECTS.items():
        monkeypatch.setattr(effects_module, name, function)


@pytest.fixture
def published(monkeypatch) -> list[int]:
    """The triage tasks handed to the broker, by reply id."""
    handed: list[int] = []
    monkeypatch.setattr(reply_tasks.process_reply, "delay", handed.append)
    return handed


def interested_reply(contact, n: int) -> bytes:
    return (
        f"From: {contact.first_name} <{contact.email}>\r\n"
        "Subject: Re: Quick question\r\n"
        f"Message-ID: <reply-{n}@mail.example>\r\n"
        f"In-Reply-To: <out-{contact.pk}@acme.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Sounds great - let's set up a call Tuesday.\r\n"
    ).encode()


def receive_and_triage(
    workspace, contact, n: int, published: list[int], after_commit
) -> tuple[list, list]:
    sent_email(contact, f"<out-{contact.pk}@acme.example>")
    message = parse_raw(interested_reply(contact, n))
    with CaptureQueriesContext(connection) as receiving, after_commit(execute=True):
        reply_receive(workspace=workspace, message=message, source=Reply.Source.RAW)
    with CaptureQueriesContext(connection) as triaging:
        assert reply_process(reply_id=published[-1]) == Reply.State.APPLIED
    return statements(receiving.captured_queries), statements(triaging.captured_queries)


def statements(queries: list) -> list:
    """The queries but a setting (PostgreSQL alone is told a published outbox row's removal
    need not wait for the disk)."""
    return [query for query in queries if not query["sql"].startswith("SET ")]


def sql(queries: list) -> str:
    return "\n".join(query["sql"][:160] for query in queries)


def test_receiving_and_triaging_a_reply_takes_the_same_few_queries_in_a_bigger_workspace(
    workspace, real_effects, published, django_capture_on_commit_callbacks
):
    first = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    received, triaged = receive_and_triage(
        workspace, first, 1, published, django_capture_on_commit_callbacks
    )

    assert len(received) == RECEIVE_QUERIES, sql(received)
    assert len(triaged) == TRIAGE_QUERIES, sql(triaged)
    reply = Reply.objects.get(pk=published[-1])
    assert (reply.contact, reply.matched_by, reply.intent) == (first, "thread", "interested")
    assert reply.prospect.status == Prospect.Status.ENGAGED
    assert set(reply.effects.values_list("effect", flat=True)) == {
        "activity",
        "engaged",
        "call_task",
        "stop_sequences",
    }

    for _ in range(20):
        contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))
        for k in range(3):
            sent_email(contact, f"<other-{contact.pk}-{k}@acme.example>")
    later = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    received, triaged = receive_and_triage(
        workspace, later, 2, published, django_capture_on_commit_callbacks
    )

    assert len(received) == RECEIVE_QUERIES, sql(received)
    assert len(triaged) == TRIAGE_QUERIES, sql(triaged)
    assert OutreachLog.objects.filter(prospect=later.prospect, channel="call").count() == 1
